"""Lambda's own log records, as the function's log group holds them with the JSON log format.

After every invocation Lambda writes a ``platform.report`` record (the local stack's
``naver_sms.devstack.invoke`` writes the same record as its emulation of the runtime). The
queries read its fields; the alarm simulation derives the ``AWS/Lambda`` metrics of a run from
these records (:func:`lambda_metrics`), since those metrics are not in the function's EMF.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

REPORT_TYPE: Final = "platform.report"
REPORT_FIELDS: Final = (
    "type",
    "time",
    "record.requestId",
    "record.status",
    "record.metrics.durationMs",
    "record.metrics.billedDurationMs",
    "record.metrics.memorySizeMB",
    "record.metrics.maxMemoryUsedMB",
    "record.metrics.initDurationMs",
    "record.tracing.type",
    "record.tracing.value",
)
"""The fields of a platform.report record, as Logs Insights flattens them."""
DISCOVERED_FIELDS: Final = ("@timestamp", "@message")
"""What Logs Insights adds to every event (the ones this tool provides offline)."""
ERROR_STATUSES: Final = frozenset({"error", "timeout", "failure"})


@dataclass(frozen=True)
class Report:
    request_id: str
    at_ms: int
    """When the invocation ended (the record's time), epoch milliseconds."""
    duration_ms: float
    init_duration_ms: float | None
    status: str


def parse_report(obj: dict[str, Any]) -> Report | None:
    """A platform.report record as a :class:`Report`, or None for any other line."""
    if obj.get("type") != REPORT_TYPE:
        return None
    record = obj.get("record")
    if not isinstance(record, dict):
        return None
    metrics = record.get("metrics")
    raw_time = obj.get("time")
    if not isinstance(metrics, dict) or not isinstance(raw_time, str):
        return None
    try:
        at_ms = int(datetime.fromisoformat(raw_time.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None
    duration = _number(metrics.get("durationMs"))
    if duration is None:
        return None
    return Report(
        request_id=str(record.get("requestId", "")),
        at_ms=at_ms,
        duration_ms=duration,
        init_duration_ms=_number(metrics.get("initDurationMs")),
        status=str(record.get("status", "success")),
    )


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


@dataclass(frozen=True)
class Sample:
    """One AWS/Lambda datapoint derived from a report: metric name, time, value."""

    metric: str
    at_ms: int
    value: float


def lambda_metrics(reports: Iterable[Report]) -> list[Sample]:
    """What AWS/Lambda records per invocation, derived from its report.

    Invocations (1 each), Errors (1 when the report's status is an error or timeout, else 0),
    Duration (milliseconds). Throttles and ConcurrentExecutions cannot be derived: a throttled
    invocation writes no report, and concurrency is not in the records.
    """
    samples: list[Sample] = []
    for report in reports:
        samples.append(Sample("Invocations", report.at_ms, 1.0))
        samples.append(
            Sample("Errors", report.at_ms, 1.0 if report.status in ERROR_STATUSES else 0.0)
        )
        samples.append(Sample("Duration", report.at_ms, report.duration_ms))
    return samples
