"""The CloudWatch dashboard Terraform deploys (``local.dashboard_body``), drawn offline.

:mod:`.layout` places the widgets on CloudWatch's 24-column grid; :mod:`.widgets` computes what
each shows from a run's data (metric graphs with their expressions and SEARCH, alarm states from
the alarm simulation, Logs Insights tables, text); :mod:`.charts` draws SVG; :mod:`.page` writes
one self-contained HTML page, and :mod:`naver_sms.ops.screenshot` takes its PNG in headless
Chromium. docs/ops/dashboard-render.md.
"""
