"""Reference workload for the ADOT variants: user code with stdlib logging and metrics through
the OpenTelemetry API; spans come from the auto-instrumentation (aws-lambda, botocore, urllib)
that the layer / distro installs before this module is imported."""

from __future__ import annotations

import logging
import sys
from typing import Any

from opentelemetry import metrics

from benchmarks import marks, workload

# The Lambda runtime's root handler: WARNING by default; the function's own logger at INFO.
logging.basicConfig(stream=sys.stdout, format="[%(levelname)s]\t%(asctime)s\t%(name)s\t%(message)s")
log = logging.getLogger("bench")
log.setLevel(logging.INFO)
_dynamodb = workload.dynamodb_client()
_meter = metrics.get_meter("naver-sms-bench")
_instruments: dict[str, Any] = {}
for _name, _unit, _, _ in workload.METRIC_POINTS:
    if _name not in _instruments:
        _instruments[_name] = (
            _meter.create_histogram(_name, unit="ms")
            if _unit == "Milliseconds"
            else _meter.create_counter(_name, unit="1")
        )


def handler(event: Any, context: Any) -> dict[str, Any]:
    marks.first_line()
    log.info("invocation start: request %s", context.aws_request_id)
    workload.get_item(_dynamodb)
    log.info("booking %s loaded", "B-1")
    workload.post_sens()
    log.info("sms sent: type=%s store=%s", "confirm", workload.STORE)
    workload.post_telegram()
    for name, unit, value, attributes in workload.METRIC_POINTS:
        instrument = _instruments[name]
        if unit == "Milliseconds":
            instrument.record(value, attributes)
        else:
            instrument.add(value, attributes)
    log.info("owner notified")
    log.info("invocation done: processed=%d", 1)
    return {"processed": 1}
