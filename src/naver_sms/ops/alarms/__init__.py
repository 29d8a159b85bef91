"""The Terraform monitoring module's alarms, replayed offline over a run's datapoints.

:mod:`.definitions` reads ``local.alarms`` as Terraform computes it; :mod:`.datapoints` turns EMF
documents (and Lambda's platform.report records, and optional AWS metric files) into metric
observations; :mod:`.statistics` aggregates them per period; :mod:`.metric_math` evaluates the
alarms' expressions; :mod:`.evaluation` applies CloudWatch's alarm semantics (M of N over an
evaluation range, treat_missing_data); :mod:`.notifications` renders each transition through the
alert forwarder. docs/ops/alarms-simulate.md states the semantics.
"""
