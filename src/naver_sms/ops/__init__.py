"""Operations tools that run offline on a run's artefacts, with the definitions that are deployed.

* :mod:`naver_sms.ops.insights`: CloudWatch Logs Insights queries over JSON-lines logs, translated
  to SQL and run by DuckDB (``naver-sms logs-query``);
* :mod:`naver_sms.ops.alarms`: the Terraform alarms replayed over a run's EMF datapoints with
  CloudWatch's alarm semantics, each transition rendered by the alert forwarder
  (``naver-sms alarms simulate``);
* :mod:`naver_sms.ops.dashboard`: the Terraform dashboard drawn from a run's EMF data as HTML and
  a PNG taken in headless Chromium (``naver-sms dashboard render``);
* :mod:`naver_sms.ops.terraform_values`: the module values Terraform itself computes, offline;
* :mod:`naver_sms.ops.evidence`: the operations section of a campaign's ``VALIDATION.md``.

None of this is part of the Lambda package: it needs the ``ops`` extra (DuckDB, python-hcl2).
"""
