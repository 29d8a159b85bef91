"""The exporter interface the pipeline flushes to, and the in-process exporters.

An exporter takes one flush's spans (:class:`~naver_sms.telemetry.spans.Span`) or metrics
(:class:`~naver_sms.telemetry.aggregation.MetricsData`) and answers SUCCESS or FAILURE,
keeping the reason in `last_error`; it never raises into the Lambda (the pipeline still
guards). Exporters that can send now and learn the outcome later (OTLP/HTTP) also offer
`begin_export`, returning a callable that waits for the answer.

- `memory`: keeps everything it was given (tests, `make demo`);
- `console`: one JSON object per span / metric point on stdout (debugging).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from naver_sms.telemetry.aggregation import HistogramDataPoint, MetricsData
from naver_sms.telemetry.spans import Span


class ExportResult(Enum):
    SUCCESS = 0
    FAILURE = 1


class SpanExporter:
    last_error: str | None = None

    def export(self, spans: Sequence[Span]) -> ExportResult:
        raise NotImplementedError

    def shutdown(self) -> None:
        return None


class MetricExporter:
    last_error: str | None = None

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000) -> ExportResult:
        raise NotImplementedError

    def shutdown(self) -> None:
        return None


class InMemorySpanExporter(SpanExporter):
    def __init__(self) -> None:
        self._spans: list[Span] = []

    def export(self, spans: Sequence[Span]) -> ExportResult:
        self._spans.extend(spans)
        return ExportResult.SUCCESS

    def get_finished_spans(self) -> tuple[Span, ...]:
        return tuple(self._spans)

    def clear(self) -> None:
        self._spans.clear()


class InMemoryMetricExporter(MetricExporter):
    """Keeps every exported batch."""

    def __init__(self) -> None:
        self.batches: list[MetricsData] = []

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000) -> ExportResult:
        self.batches.append(metrics_data)
        return ExportResult.SUCCESS


def _iso(ns: int | None) -> str | None:
    return None if ns is None else datetime.fromtimestamp(ns / 1e9, UTC).isoformat()


def span_json(span: Span) -> dict[str, Any]:
    """A span as the console exporter prints it (ids in hex, times in ISO 8601)."""
    return {
        "name": span.name,
        "context": {
            "trace_id": f"0x{span.context.trace_id:032x}",
            "span_id": f"0x{span.context.span_id:016x}",
        },
        "kind": f"SpanKind.{span.kind.name}",
        "parent_id": None if span.parent is None else f"0x{span.parent.span_id:016x}",
        "start_time": _iso(span.start_time),
        "end_time": _iso(span.end_time),
        "status": {
            "status_code": span.status.status_code.name,
            **({"description": span.status.description} if span.status.description else {}),
        },
        "attributes": dict(span.attributes),
        "events": [
            {"name": e.name, "timestamp": _iso(e.timestamp), "attributes": dict(e.attributes)}
            for e in span.events
        ],
        "resource": {"attributes": dict(span.resource.attributes)},
    }


class ConsoleSpanExporter(SpanExporter):
    def export(self, spans: Sequence[Span]) -> ExportResult:
        for span in spans:
            sys.stdout.write(json.dumps(span_json(span), default=str) + "\n")
        return ExportResult.SUCCESS


class ConsoleMetricExporter(MetricExporter):
    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000) -> ExportResult:
        for rm in metrics_data.resource_metrics:
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    for point in metric.data.data_points:
                        value: Any = (
                            {
                                "count": point.count,
                                "sum": point.sum,
                                "min": point.min,
                                "max": point.max,
                            }
                            if isinstance(point, HistogramDataPoint)
                            else point.value
                        )
                        line = {
                            "name": metric.name,
                            "unit": metric.unit,
                            "attributes": dict(point.attributes),
                            "value": value,
                            "time": _iso(point.time_unix_nano),
                            "resource": dict(rm.resource.attributes),
                        }
                        sys.stdout.write(json.dumps(line, default=str) + "\n")
        return ExportResult.SUCCESS
