"""The per-invocation export path on the SDK: buffered spans, delta metrics, one bounded flush,
scrubbing of every span, failures counted once delivered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    MetricExportResult,
    MetricsData,
    Sum,
)
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from naver_sms.privacy import REDACTED, register_secrets
from naver_sms.telemetry import catalog, instruments, setup
from naver_sms.telemetry.exporters.memory import InMemoryMetricExporter, MemoryExporters
from naver_sms.telemetry.setup import processing
from naver_sms.telemetry.setup.health import ExportHealth
from naver_sms.telemetry.setup.processing import (
    FlushClock,
    InvocationSpanProcessor,
    ScrubbingSpanProcessor,
)


def _state() -> setup.Telemetry:
    state = setup.current()
    assert state is not None
    assert state.pipeline is not None
    return state


def test_the_global_providers_are_the_sdk_ones_configure_installed(mem: MemoryExporters) -> None:
    state = _state()
    assert state.pipeline is not None
    assert state.pipeline.owns_traces
    assert state.pipeline.owns_metrics
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    assert type(provider.id_generator).__name__ == "AwsXRayIdGenerator"


def test_spans_wait_in_the_buffer_until_the_flush(mem: MemoryExporters) -> None:
    with trace.get_tracer("user.code").start_as_current_span("work"):
        pass
    assert mem.spans() == []
    result = _state().flush(300)
    assert result is not None
    assert result.spans_exported == 1
    assert [s.name for s in mem.spans()] == ["work"]


def test_metrics_are_delta_per_flush(mem: MemoryExporters) -> None:
    instruments.record(catalog.SENS_REQUESTS, outcome="success")
    instruments.record(catalog.SENS_REQUESTS, outcome="success")
    _state().flush(300)
    instruments.record(catalog.SENS_REQUESTS, outcome="success")
    _state().flush(300)
    _state().flush(300)  # nothing new: no empty batch exported
    batches = mem.metric_batches()
    assert len(batches) == 2
    values = [p[2] for p in mem.metric_points() if p[0] == "sens_requests"]
    assert values == [2, 1]
    metric = batches[0].resource_metrics[0].scope_metrics[0].metrics[0]
    assert isinstance(metric.data, Sum)
    assert metric.data.aggregation_temporality is AggregationTemporality.DELTA


def test_views_keep_only_declared_attributes_and_the_catalog_buckets(
    mem: MemoryExporters,
) -> None:
    instruments.record(catalog.SENS_LATENCY, 12.0, outcome="success")
    _state().flush(300)
    (batch,) = mem.metric_batches()
    metric = batch.resource_metrics[0].scope_metrics[0].metrics[0]
    (point,) = metric.data.data_points  # type: ignore[union-attr]
    assert tuple(point.explicit_bounds) == catalog.LATENCY_BOUNDARIES_MS  # type: ignore[union-attr]
    scope = batch.resource_metrics[0].scope_metrics[0].scope
    assert (scope.name, scope.schema_url) == (catalog.SCOPE_NAME, catalog.SEMCONV_SCHEMA_URL)


def _private(processor: InvocationSpanProcessor) -> trace.Tracer:
    """A tracer of a private provider (the global one stays untouched)."""
    provider = TracerProvider()
    provider.add_span_processor(ScrubbingSpanProcessor())
    provider.add_span_processor(processor)
    return provider.get_tracer("test")


def test_buffer_drops_beyond_its_bound() -> None:
    processor = InvocationSpanProcessor(
        None, FlushClock(0.3), ExportHealth(), lambda: True, max_spans=2
    )
    tracer = _private(processor)
    for _ in range(3):
        tracer.start_span("s").end()
    assert len(processor.drain()) == 2
    assert processor.dropped == 1
    assert processor.drain() == []


def test_scrubbing_removes_phones_and_secrets_from_attributes_events_and_status() -> None:
    register_secrets(["span-canary-token-1"])
    exported = InMemorySpanExporter()
    processor = InvocationSpanProcessor(exported, FlushClock(0.3), ExportHealth(), lambda: True)
    tracer = _private(processor)
    with tracer.start_as_current_span("clean") as clean:
        clean.set_attribute("store.id", "s1")

    def fail() -> None:
        with tracer.start_as_current_span("dirty 01012345678") as span:
            span.set_attribute("url.full", "https://api/botspan-canary-token-1/sendMessage")
            span.set_attribute("list", ["01012345678", "ok"])
            span.set_attribute("n", 3)
            raise ValueError("no reply from 010-1234-5678")

    with pytest.raises(ValueError, match="no reply"):
        fail()
    processor.force_flush()
    clean_span, dirty_span = exported.get_finished_spans()
    assert dict(clean_span.attributes or {}) == {"store.id": "s1"}
    attributes = dict(dirty_span.attributes or {})
    assert dirty_span.name == "dirty 010-****-5678"
    assert attributes["url.full"] == f"https://api/bot{REDACTED}/sendMessage"
    assert attributes["list"] == ("010-****-5678", "ok")
    assert attributes["n"] == 3
    text = dirty_span.to_json()
    assert "01012345678" not in text
    assert "010-1234-5678" not in text
    assert "span-canary-token-1" not in text
    (event,) = dirty_span.events
    assert "010-****-5678" in str((event.attributes or {})["exception.message"])
    assert dirty_span.status.description is not None
    assert "010-****-5678" in dirty_span.status.description


def test_spans_of_any_instrumentation_are_scrubbed_before_any_processor_sees_them(
    mem: MemoryExporters,
) -> None:
    """An HTTP instrumentation writes whole URLs; the Telegram bot token is in the path. A
    processor registered before the scrubbing one (as the ADOT layer's is) sees it clean."""
    seen: list[str] = []

    class Earlier(InvocationSpanProcessor):
        def on_end(self, span: ReadableSpan) -> None:
            seen.append(str((span.attributes or {}).get("http.url")))

    provider = TracerProvider()
    provider.add_span_processor(Earlier(None, FlushClock(0.3), ExportHealth(), lambda: True))
    provider.add_span_processor(ScrubbingSpanProcessor())
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    with provider.get_tracer("opentelemetry.instrumentation.urllib3").start_as_current_span(
        "POST"
    ) as span:
        span.set_attribute("http.url", f"https://api.telegram.org/bot{token}/sendMessage")
    assert seen == [f"https://api.telegram.org/bot{REDACTED}/sendMessage"]
    # The global provider configure() installed scrubs every tracer's spans the same way.
    with trace.get_tracer("opentelemetry.instrumentation.requests").start_as_current_span(
        "GET"
    ) as span:
        span.set_attribute("url.full", f"https://api.telegram.org/bot{token}/getMe?to=01012345678")
    _state().flush(300)
    (exported,) = mem.spans()
    assert (exported.attributes or {})["url.full"] == (
        f"https://api.telegram.org/bot{REDACTED}/getMe?to=010-****-5678"
    )


class _FailingSpanExporter(SpanExporter):
    def __init__(self) -> None:
        self.calls = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.calls += 1
        return SpanExportResult.FAILURE

    def shutdown(self) -> None:
        return None


def test_failed_exports_are_counted_and_exported_with_the_next_flush(
    mem: MemoryExporters,
) -> None:
    state = _state()
    assert state.pipeline is not None
    failing = _FailingSpanExporter()
    state.pipeline.span_exporter = failing
    with instruments.tracer().start_as_current_span("lost"):
        pass
    result = state.flush(300)
    assert result is not None
    assert result.failures == ["traces"]
    assert state.health.failures == {"traces": 1}
    points = [p for p in mem.metric_points() if p[0] == "telemetry_export_failures"]
    assert points == [("telemetry_export_failures", {"signal": "traces"}, 1)]
    # Nothing buffered: the failed spans were dropped, not retried at the next invocation.
    state.flush(300)
    assert failing.calls == 1


def test_metric_export_raising_is_contained(mem: MemoryExporters) -> None:
    state = _state()
    assert state.pipeline is not None

    class Boom(InMemoryMetricExporter):
        def export(
            self, metrics_data: MetricsData, timeout_millis: float = 0, **kw: Any
        ) -> MetricExportResult:
            raise RuntimeError("exporter bug")

    state.pipeline.metric_exporter = Boom()
    instruments.record(catalog.INVOCATION_ERRORS)
    result = state.flush(300)
    assert result is not None
    assert result.failures == ["metrics"]
    assert not result.metrics_exported


def test_no_budget_keeps_metric_deltas_for_the_next_flush(mem: MemoryExporters) -> None:
    state = _state()
    instruments.record(catalog.BOOKINGS_FAILED, reason="invalid")
    state.flush(0)
    assert mem.metric_points() == []
    state.flush(300)
    assert mem.metric_points() == [("bookings_failed", {"reason": "invalid"}, 1)]


def test_disabled_instruments_record_nothing(mem: MemoryExporters) -> None:
    instruments.set_enabled(False)
    instruments.record(catalog.INVOCATION_ERRORS)
    with instruments.booking_span("b1", "s1") as span:
        assert not span.is_recording()
    with instruments.dynamodb_call("GetItem", "t", None) as call:
        call.finish("success")
    # The handler's own code keeps using the API: the kill switch covers its spans too.
    with trace.get_tracer("user.code").start_as_current_span("user"):
        pass
    instruments.set_enabled(True)
    _state().flush(300)
    assert mem.spans() == []
    assert mem.metric_points() == []


def test_metric_attribute_values_are_scrubbed(mem: MemoryExporters) -> None:
    instruments.record(catalog.BOOKINGS_PROCESSED, store_id="01012345678")
    _state().flush(300)
    assert mem.metric_points() == [("bookings_processed", {"store_id": "010-****-5678"}, 1)]


def test_undeclared_metric_attributes_are_a_programming_error(mem: MemoryExporters) -> None:
    with pytest.raises(ValueError, match="takes attributes"):
        instruments.record(catalog.BOOKINGS_PROCESSED, store_id="s1", booking_id="b1")


def test_flush_outside_an_invocation(mem: MemoryExporters) -> None:
    instruments.record(catalog.COMPARISON_DISCREPANCIES, channel="sms", kind="mismatch")
    result = setup.flush()
    assert result is not None
    assert result.metrics_exported
    assert mem.metric_points() == [("discrepancies", {"channel": "sms", "kind": "mismatch"}, 1)]
    setup.configure(force=True, enabled=False)
    assert setup.flush() is None


def test_failure_counts_survive_a_flush_with_recording_switched_off(
    mem: MemoryExporters,
) -> None:
    """The kill switch stops the flow's points, not the count of exports already lost."""
    state = _state()
    assert state.pipeline is not None
    state.pipeline.span_exporter = _FailingSpanExporter()
    with instruments.tracer().start_as_current_span("lost"):
        pass
    state.pipeline.metric_exporter = None  # this flush cannot deliver the count yet
    state.flush(300)
    state.pipeline.metric_exporter = mem.metric_exporter
    instruments.set_enabled(False)
    try:
        state.flush(300)
    finally:
        instruments.set_enabled(True)
    points = [p for p in mem.metric_points() if p[0] == "telemetry_export_failures"]
    assert points == [("telemetry_export_failures", {"signal": "traces"}, 1)]


def test_a_failing_metric_export_keeps_the_failure_counts_for_the_next_one(
    mem: MemoryExporters,
) -> None:
    state = _state()
    assert state.pipeline is not None
    state.pipeline.span_exporter = _FailingSpanExporter()
    with instruments.tracer().start_as_current_span("lost"):
        pass

    class Refusing(InMemoryMetricExporter):
        def export(
            self, metrics_data: MetricsData, timeout_millis: float = 0, **kw: Any
        ) -> MetricExportResult:
            return MetricExportResult.FAILURE

    state.pipeline.metric_exporter = Refusing()
    state.flush(300)
    assert state.health.failures == {"traces": 1, "metrics": 1}
    state.pipeline.metric_exporter = mem.metric_exporter
    state.flush(300)
    failures = {
        p[1]["signal"]: p[2] for p in mem.metric_points() if p[0] == "telemetry_export_failures"
    }
    assert failures == {"traces": 1, "metrics": 1}


def test_comparison_metrics_have_a_resource_of_their_own(mem: MemoryExporters) -> None:
    """Each catalog namespace's metrics on a resource from which the collector's single
    `awsemf` exporter derives that CloudWatch namespace."""
    instruments.record(catalog.BOOKINGS_PROCESSED, store_id="s1")
    instruments.record(catalog.COMPARISON_DISCREPANCIES, channel="sms", kind="mismatch")
    _state().flush(300)
    by_metric = {
        metric.name: dict(rm.resource.attributes)
        for batch in mem.metric_batches()
        for rm in batch.resource_metrics
        for sm in rm.scope_metrics
        for metric in sm.metrics
    }
    operational = by_metric["bookings_processed"]
    comparison = by_metric["discrepancies"]
    assert operational["service.name"] == "naver-sms"
    assert "service.namespace" not in operational
    assert (comparison["service.namespace"], comparison["service.name"]) == (
        "naver-sms",
        "comparison",
    )


def test_on_an_sdk_without_the_on_ending_hook_the_ended_span_is_scrubbed_in_on_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A layer may bring an older SDK: a batch processor added before ours still exports the
    span scrubbed, since it exports the very object later."""
    queued: list[ReadableSpan] = []

    class Batch(InvocationSpanProcessor):
        def on_end(self, span: ReadableSpan) -> None:
            queued.append(span)  # exported later, as a batch processor does

    class OldScrubber(ScrubbingSpanProcessor):
        def _on_ending(self, span: Any) -> None:  # what an old SDK never calls
            if processing.HAS_ON_ENDING:
                return
            super()._on_ending(span)

    monkeypatch.setattr(processing, "HAS_ON_ENDING", False)
    provider = TracerProvider()
    provider.add_span_processor(Batch(None, FlushClock(0.3), ExportHealth(), lambda: True))
    provider.add_span_processor(OldScrubber())
    with provider.get_tracer("t").start_as_current_span("call 01012345678") as span:
        span.set_attribute(
            "url.full", "https://x/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/m"
        )
    (exported,) = queued
    assert exported.name == "call 010-****-5678"
    assert (exported.attributes or {})["url.full"] == f"https://x/bot{REDACTED}/m"
