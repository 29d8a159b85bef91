"""The real handler's processing under Powertools instead of naver-sms's telemetry.

naver-sms's telemetry is switched off (NAVER_SMS_TELEMETRY=off, recording disabled); the same
`Application.handle` runs inside Powertools' decorators. Tracer's automatic patching turns every
DynamoDB/SSM call (botocore) and every SENS/Telegram request (http.client) into a subsegment;
the application's metric points (`instruments.record`, the single call site the flow uses) are
routed to `Metrics.add_metric`, flushed as EMF at the end of the invocation.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from benchmarks import marks
from naver_sms.app import handler as app
from naver_sms.telemetry import instruments
from naver_sms.telemetry.catalog import MetricSpec

logger = Logger()
tracer = Tracer()
metrics = Metrics()
_UNITS = {"Count": MetricUnit.Count, "Milliseconds": MetricUnit.Milliseconds}


def _record(spec: MetricSpec, value: float = 1, **attributes: str) -> None:
    metrics.add_metric(
        name=spec.name, unit=_UNITS.get(spec.cloudwatch_unit, MetricUnit.Count), value=value
    )


instruments.set_enabled(False)
instruments.record = _record  # type: ignore[assignment]


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: Any, context: Any) -> Any:
    marks.first_line()
    return app._application().handle(event, context)
