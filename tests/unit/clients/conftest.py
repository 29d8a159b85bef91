from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from naver_sms.telemetry import instruments

from .scripted_server import FakeClock, ScriptedServer


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer().start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@dataclass
class Telemetry:
    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader

    def spans(self) -> tuple[ReadableSpan, ...]:
        return self.exporter.get_finished_spans()

    def counter(self, name: str) -> dict[tuple[tuple[str, object], ...], float]:
        """Sum of a counter's points, keyed by sorted attributes."""
        totals: dict[tuple[tuple[str, object], ...], float] = {}
        data = self.reader.get_metrics_data()
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name != name:
                        continue
                    for point in metric.data.data_points:
                        key = tuple(sorted((point.attributes or {}).items()))
                        totals[key] = totals.get(key, 0) + point.value  # type: ignore[union-attr]
        return totals


@pytest.fixture
def telemetry(monkeypatch: pytest.MonkeyPatch) -> Telemetry:
    """Route the instruments module to private SDK providers (no global provider is touched)."""
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    monkeypatch.setattr(instruments, "_tracer", tracer_provider.get_tracer("test"))
    monkeypatch.setattr(instruments, "_meter", meter_provider.get_meter("test"))
    monkeypatch.setattr(instruments, "_instruments", {})
    return Telemetry(exporter, reader)
