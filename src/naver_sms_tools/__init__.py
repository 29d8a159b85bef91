"""Build, documentation and contract tools that run on the repository, never in the Lambda
(the deployment zip carries `naver_sms` only).

- :mod:`naver_sms_tools.docs_gen` — `docs/telemetry.md` from the telemetry catalog;
- :mod:`naver_sms_tools.collector_contract` — the collector's `awsemf` declarations, derived
  from the catalog and checked against `collector/*.yaml`;
- :mod:`naver_sms_tools.coldstart` — the cold-start figures `docs_gen` reports;
- :mod:`naver_sms_tools.terraform_contract` — the monitoring module's `catalog.tf.json` and
  `queries.tf.json`, generated from the catalog and `docs/ops/queries/`.
"""
