"""The real handler, `naver_sms.app.handler.lambda_handler`, unchanged. With
NAVER_SMS_TELEMETRY=off it is the baseline (the package's own off switch: no SDK, no spans, no
metrics; the structlog JSON logs stay); with it on, naver-sms as deployed."""

from __future__ import annotations

from typing import Any

from benchmarks import marks
from naver_sms.app.handler import lambda_handler


def handler(event: Any, context: Any) -> Any:
    marks.first_line()
    return lambda_handler(event, context)
