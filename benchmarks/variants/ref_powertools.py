"""Reference workload with Powertools for AWS Lambda as its documentation shows it: Logger
(JSON, Lambda context injected), Metrics (EMF on stdout at the end of the invocation) and Tracer
(X-Ray segments over UDP to AWS_XRAY_DAEMON_ADDRESS; botocore and http.client are patched
automatically, so the three client calls become subsegments without code)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from benchmarks import marks, workload

logger = Logger()
tracer = Tracer()
metrics = Metrics()
_dynamodb = workload.dynamodb_client()
_UNITS = {"Count": MetricUnit.Count, "Milliseconds": MetricUnit.Milliseconds}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: Any, context: Any) -> dict[str, Any]:
    marks.first_line()
    logger.info("invocation start")
    workload.get_item(_dynamodb)
    logger.info("booking loaded", extra={"booking_id": "B-1"})
    workload.post_sens()
    logger.info("sms sent", extra={"sms_type": "confirm", "store_id": workload.STORE})
    workload.post_telegram()
    # Powertools dimensions apply to the whole EMF document: one per invocation, the idiom.
    metrics.add_dimension(name="store_id", value=workload.STORE)
    for name, unit, value, _ in workload.METRIC_POINTS:
        metrics.add_metric(name=name, unit=_UNITS[unit], value=value)
    logger.info("owner notified")
    logger.info("invocation done", extra={"processed": 1})
    return {"processed": 1}
