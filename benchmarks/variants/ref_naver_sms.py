"""Reference workload instrumented with naver-sms's telemetry, as the package is meant to be used:
`instrument_handler` around the handler, the client helpers around each outbound call, catalog
metrics through `instruments.record`, structlog for logs. Exporters come from the environment
(OTLP/HTTP to the collector on loopback, or `none` for the diagnostic variant)."""

from __future__ import annotations

from typing import Any

import structlog

from benchmarks import marks, workload
from naver_sms.telemetry import catalog, instruments
from naver_sms.telemetry.handler import instrument_handler

log = structlog.get_logger("bench")
_dynamodb = workload.dynamodb_client()
_SPECS = {spec.name: spec for spec in catalog.METRICS}
# The client helpers record the first four points themselves; the rest are explicit.
_EXPLICIT = [(_SPECS[name], value, attrs) for name, _, value, attrs in workload.METRIC_POINTS[4:]]


@instrument_handler
def handler(event: Any, context: Any) -> dict[str, Any]:
    marks.first_line()
    log.info("invocation_start")
    with instruments.dynamodb_call("GetItem", workload.TABLE, workload.REGION) as call:
        workload.get_item(_dynamodb)
        call.finish("success")
    log.info("booking_loaded", booking_id="B-1")
    with instruments.sens_request(workload.SENS_URL, "confirm", workload.STORE, 1) as call:
        call.finish("success", workload.post_sens())
    log.info("sms_sent", sms_type="confirm", store_id=workload.STORE)
    with instruments.telegram_request(workload.TELEGRAM_URL_REDACTED, 1) as call:
        call.finish("success", workload.post_telegram())
    for spec, value, attributes in _EXPLICIT:
        instruments.record(spec, value, **attributes)
    log.info("owner_notified")
    log.info("invocation_done", processed=1)
    return {"processed": 1}
