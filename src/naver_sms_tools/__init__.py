"""Build and documentation tools for naver-sms: installed with the package, never in the
Lambda deployment zip (which carries `naver_sms` only).

- :mod:`naver_sms_tools.docs_gen` — `docs/telemetry.md` from the telemetry catalog;
- :mod:`naver_sms_tools.collector_contract` — the collector's `awsemf` declarations, derived
  from the catalog and checked against `collector/*.yaml`;
- :mod:`naver_sms_tools.coldstart` — the cold-start figures `docs_gen` reports.
"""
