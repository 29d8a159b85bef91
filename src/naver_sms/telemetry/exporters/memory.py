"""The `memory` exporters: what a flush exported, kept in the process (tests, `make demo`).

Spans go to the SDK's `InMemorySpanExporter`; metric batches to :class:`InMemoryMetricExporter`
(the SDK has an in-memory *reader* only, which would bypass the flush being tested).
"""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.metrics.export import (
    ExponentialHistogramDataPoint,
    HistogramDataPoint,
    MetricExporter,
    MetricExportResult,
    MetricsData,
)
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


class InMemoryMetricExporter(MetricExporter):
    """Keeps every exported batch."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[MetricsData] = []

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        self.batches.append(metrics_data)
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        return None


def metric_points(batches: list[MetricsData]) -> list[tuple[str, dict[str, Any], Any]]:
    """(metric name, attributes, value) of every point: the sum of a counter, the value of a
    gauge, (count, sum) of a histogram."""
    points: list[tuple[str, dict[str, Any], Any]] = []
    for batch in batches:
        for resource_metrics in batch.resource_metrics:
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    for point in metric.data.data_points:
                        value: Any = (
                            (point.count, point.sum)
                            if isinstance(point, HistogramDataPoint | ExponentialHistogramDataPoint)
                            else point.value
                        )
                        points.append((metric.name, dict(point.attributes or {}), value))
    return points


class MemoryExporters:
    """The in-memory exporters, when `memory` is selected: what the flushes exported so far."""

    def __init__(self) -> None:
        self.span_exporter: InMemorySpanExporter | None = None
        self.metric_exporter: InMemoryMetricExporter | None = None

    def span_exporter_for_tests(self) -> InMemorySpanExporter:
        if self.span_exporter is None:
            self.span_exporter = InMemorySpanExporter()
        return self.span_exporter

    def metric_exporter_for_tests(self) -> InMemoryMetricExporter:
        if self.metric_exporter is None:
            self.metric_exporter = InMemoryMetricExporter()
        return self.metric_exporter

    def spans(self) -> list[ReadableSpan]:
        if self.span_exporter is None:
            return []
        return list(self.span_exporter.get_finished_spans())

    def metric_batches(self) -> list[MetricsData]:
        return list(self.metric_exporter.batches) if self.metric_exporter is not None else []

    def metric_points(self) -> list[tuple[str, dict[str, Any], Any]]:
        return metric_points(self.metric_batches())

    def clear(self) -> None:
        if self.span_exporter is not None:
            self.span_exporter.clear()
        if self.metric_exporter is not None:
            self.metric_exporter.batches.clear()


_memory = MemoryExporters()


def memory() -> MemoryExporters:
    """What the in-memory exporters hold (empty unless `memory` is the configured exporter)."""
    return _memory
