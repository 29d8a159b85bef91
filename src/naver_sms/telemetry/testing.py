"""Helpers for tests and the demo: in-memory telemetry with a clean slate.

The tracer, the metric store and the pipeline are process-wide (see
:mod:`naver_sms.telemetry.setup`), so tests do not build new ones: they point the installed
pipeline at other exporters and empty what is buffered.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from naver_sms.telemetry import handler, instruments, setup
from naver_sms.telemetry.aggregation import STORE, MetricsData
from naver_sms.telemetry.exporters import MemoryExporters, memory
from naver_sms.telemetry.spans import TRACER, Span


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
    if state.pipeline is not None:
        state.pipeline.span_buffer.drain()
        state.pipeline.metric_store.discard()
    state.health = setup.ExportHealth()
    if state.pipeline is not None:
        state.pipeline.on_failure = state.health.failed
        state.pipeline.pending_failures.clear()
    memory().clear()
    handler.reset_cold_start()
    instruments.set_enabled(True)
    return state


def use_memory(**kwargs: Any) -> MemoryExporters:
    """In-memory exporters for both signals; returns the accessor to read them back."""
    reset(**kwargs)
    return memory()


@dataclass
class Captured:
    """What was recorded inside :func:`capture`: ended spans, and metric points once read."""

    spans: list[Span] = field(default_factory=list)
    batches: list[MetricsData] = field(default_factory=list)

    def metric_points(self) -> list[tuple[str, dict[str, Any], Any]]:
        """(name, attributes, value) of every point recorded so far (see MetricsData.points)."""
        if STORE.pending():
            self.batches.append(STORE.drain())
        return [(n, dict(a), v) for batch in self.batches for n, a, v in batch.points()]

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
    """Record spans and metrics in memory, export nothing; the previous sink is restored after.

    For unit tests of code that emits telemetry without the handler wrapper (clients, the
    comparison engine): no configure(), no flush, nothing left behind in the metric store.
    """
    captured = Captured()
    previous_sink = TRACER.sink
    previous_enabled = instruments.enabled()
    STORE.discard()
    TRACER.sink = captured.spans.append
    instruments.set_enabled(True)
    try:
        yield captured
    finally:
        TRACER.sink = previous_sink
        instruments.set_enabled(previous_enabled)
        STORE.discard()
