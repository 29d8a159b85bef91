"""The real handler's processing under the ADOT layer / distro instead of naver-sms's telemetry.

naver-sms's telemetry is switched off (NAVER_SMS_TELEMETRY=off, its spans disabled), so the
spans are the auto-instrumentation's (aws-lambda invocation span, botocore for DynamoDB/SSM,
urllib for SENS/Telegram); the application's metric points (`instruments.record`) go to the
OpenTelemetry API meter, i.e. to the layer's / distro's MeterProvider, flushed by the aws-lambda
instrumentation at the end of each invocation.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import metrics

from benchmarks import marks
from naver_sms.app import handler as app
from naver_sms.telemetry import instruments
from naver_sms.telemetry.catalog import Instrument, MetricSpec

_meter = metrics.get_meter("naver-sms")
_instruments: dict[str, Any] = {}


def _record(spec: MetricSpec, value: float = 1, **attributes: str) -> None:
    instrument = _instruments.get(spec.name)
    if instrument is None:
        if spec.instrument is Instrument.COUNTER:
            instrument = _meter.create_counter(spec.name, spec.unit, spec.description)
        else:
            instrument = _meter.create_histogram(spec.name, spec.unit, spec.description)
        _instruments[spec.name] = instrument
    if spec.instrument is Instrument.COUNTER:
        instrument.add(value, attributes)
    else:
        instrument.record(value, attributes)


instruments.set_enabled(False)
instruments.record = _record  # type: ignore[assignment]


def handler(event: Any, context: Any) -> Any:
    marks.first_line()
    return app._application().handle(event, context)
