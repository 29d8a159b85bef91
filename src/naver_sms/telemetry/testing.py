"""Helpers for tests and the demo: in-memory telemetry with a clean slate.

The global tracer and meter providers can be installed once per process (OpenTelemetry's
rule), so tests do not build new ones: they point the installed span processor and metric
readers at other exporters and empty what is buffered.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry.sdk.metrics.export import MetricsData
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from naver_sms.telemetry import handler, instruments, setup
from naver_sms.telemetry.exporters.memory import (
    InMemoryMetricExporter,
    MemoryExporters,
    memory,
    metric_points,
)


def discard_buffered(state: setup.Telemetry) -> None:
    """Forget the spans waiting for a flush and the metric deltas not yet collected."""
    pipeline = state.pipeline
    if pipeline is None:
        return
    if pipeline.span_processor is not None:
        pipeline.span_processor.drain()
    for reader in pipeline.readers.values():
        exporter, reader.exporter = reader.exporter, None
        try:
            reader.collect()
        finally:
            reader.exporter = exporter


def reset(
    *,
    traces_exporter: str = "memory",
    metrics_exporter: str = "memory",
    flush_ms: int = 300,
    environ: Mapping[str, str] | None = None,
    **configure_args: Any,
) -> setup.Telemetry:
    """(Re)configure telemetry on, with the given exporters, nothing buffered, cold start next."""
    state = setup.configure(
        force=True,
        enabled=True,
        traces_exporter=traces_exporter,
        metrics_exporter=metrics_exporter,
        flush_ms=flush_ms,
        environ=environ,
        **configure_args,
    )
    discard_buffered(state)
    state.health.reset()
    if state.clock is not None:
        state.clock.close()
    memory().clear()
    handler.reset_cold_start()
    instruments.set_enabled(True)
    return state


def use_memory(**kwargs: Any) -> MemoryExporters:
    """In-memory exporters for both signals; returns the accessor to read them back."""
    reset(**kwargs)
    return memory()


class Captured:
    """What was recorded inside :func:`capture`: ended spans and metric points, read on
    demand (reading flushes what is buffered into the capture)."""

    def __init__(self, state: setup.Telemetry) -> None:
        self._state = state
        self._spans = InMemorySpanExporter()
        self._metrics = InMemoryMetricExporter()

    @property
    def spans(self) -> list[ReadableSpan]:
        pipeline = self._state.pipeline
        if pipeline is not None and pipeline.span_processor is not None:
            pipeline.span_processor.force_flush()
        return list(self._spans.get_finished_spans())

    @property
    def batches(self) -> list[MetricsData]:
        pipeline = self._state.pipeline
        if pipeline is not None:
            for reader in pipeline.readers.values():
                reader.force_flush()
        return list(self._metrics.batches)

    def metric_points(self) -> list[tuple[str, dict[str, Any], Any]]:
        """(name, attributes, value) of every point recorded so far."""
        return metric_points(self.batches)

    def counter(self, name: str) -> dict[tuple[tuple[str, Any], ...], float]:
        """A counter's totals keyed by its sorted attributes."""
        totals: dict[tuple[tuple[str, Any], ...], float] = {}
        for metric, attributes, value in self.metric_points():
            if metric == name:
                key = tuple(sorted(attributes.items()))
                totals[key] = totals.get(key, 0) + value
        return totals


@contextmanager
def capture() -> Iterator[Captured]:
    """Record spans and metrics in memory, export nothing elsewhere; restored after.

    For unit tests of code that emits telemetry without the handler wrapper (clients, the
    comparison engine): the SDK is installed if it is not yet (exporting nowhere), what was
    buffered before is dropped, and the previous exporters and switch come back afterwards.
    """
    state = setup.current()
    if state is None or state.pipeline is None:
        state = setup.configure(
            force=True, enabled=True, traces_exporter="none", metrics_exporter="none", logs=False
        )
    pipeline = state.pipeline
    assert pipeline is not None
    captured = Captured(state)
    previous = (pipeline.span_exporter, pipeline.metric_exporter, instruments.enabled())
    discard_buffered(state)
    pipeline.span_exporter = captured._spans
    pipeline.metric_exporter = captured._metrics
    instruments.set_enabled(True)
    try:
        yield captured
    finally:
        discard_buffered(state)
        pipeline.span_exporter, pipeline.metric_exporter = previous[0], previous[1]
        instruments.set_enabled(previous[2])
