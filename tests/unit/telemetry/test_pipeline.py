from __future__ import annotations

from collections.abc import Sequence

from naver_sms.privacy import REDACTED, register_secrets
from naver_sms.telemetry import catalog, instruments, setup
from naver_sms.telemetry.aggregation import AggregationTemporality, MetricsData, Sum
from naver_sms.telemetry.exporters import MemoryExporters
from naver_sms.telemetry.exporting import ExportResult, SpanExporter, span_json
from naver_sms.telemetry.pipeline import (
    InvocationSpanBuffer,
    scrub_span,
)
from naver_sms.telemetry.resource import Resource
from naver_sms.telemetry.spans import TRACER, Span, Tracer


def _state() -> setup.Telemetry:
    state = setup.current()
    assert state is not None
    assert state.pipeline is not None
    return state


def test_spans_wait_in_the_buffer_until_the_flush(mem: MemoryExporters) -> None:
    with TRACER.start_as_current_span("work"):
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


def test_buffer_drops_beyond_its_bound() -> None:
    buffer = InvocationSpanBuffer(max_spans=2)
    tracer = _tracer_into(buffer)
    for _ in range(3):
        tracer.start_span("s").end()
    assert len(buffer.drain()) == 2
    assert buffer.dropped == 1
    assert buffer.drain() == []


def _tracer_into(buffer: InvocationSpanBuffer) -> Tracer:
    """A private tracer whose ended spans go to `buffer` (the global one stays untouched)."""
    tracer = Tracer()
    tracer.resource = Resource({"service.name": "t"})
    tracer.sink = buffer
    return tracer


def test_scrub_span_removes_phones_and_secrets_from_attributes_events_and_status() -> None:
    register_secrets(["span-canary-token-1"])
    buffer = InvocationSpanBuffer()
    tracer = _tracer_into(buffer)
    with tracer.start_as_current_span("clean") as clean:
        clean.set_attribute("store.id", "s1")
    try:
        with tracer.start_as_current_span("dirty") as span:
            span.set_attribute("url.full", "https://api/botspan-canary-token-1/sendMessage")
            span.set_attribute("list", ["01012345678", "ok"])
            span.set_attribute("n", 3)
            raise ValueError("no reply from 010-1234-5678")
    except ValueError:
        pass
    clean_span, dirty_span = buffer.drain()
    clean_attributes, clean_events = clean_span.attributes, list(clean_span.events)
    assert scrub_span(clean_span) is clean_span
    # Nothing to scrub: nothing is copied.
    assert clean_span.attributes is clean_attributes
    assert clean_span.events == clean_events
    out = scrub_span(dirty_span)
    assert out is dirty_span  # scrubbed in place: the ended span belongs to the buffer
    assert out.attributes is not None
    assert out.attributes["url.full"] == f"https://api/bot{REDACTED}/sendMessage"
    assert out.attributes["list"] == ("010-****-5678", "ok")
    assert out.attributes["n"] == 3
    text = repr(span_json(out))
    assert "01012345678" not in text
    assert "010-1234-5678" not in text
    assert "span-canary-token-1" not in text
    assert out.context == dirty_span.context
    assert out.events[0].attributes is not None
    assert "010-****-5678" in str(out.events[0].attributes["exception.message"])
    assert out.status.description is not None
    assert "010-****-5678" in out.status.description


class _FailingSpanExporter(SpanExporter):
    def __init__(self) -> None:
        self.calls = 0

    def export(self, spans: Sequence[Span]) -> ExportResult:
        self.calls += 1
        return ExportResult.FAILURE

    def shutdown(self) -> None:
        return None


def test_failed_exports_are_counted_and_exported_with_the_next_flush(
    mem: MemoryExporters,
) -> None:
    state = _state()
    assert state.pipeline is not None
    failing = _FailingSpanExporter()
    state.pipeline.span_exporter = failing
    with TRACER.start_as_current_span("lost"):
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

    class Boom(type(state.pipeline.metric_exporter)):  # type: ignore[misc]
        def export(self, metrics_data: MetricsData, timeout_millis: float = 0, **kw: object):  # type: ignore[no-untyped-def]
            raise RuntimeError("exporter bug")

    state.pipeline.metric_exporter = Boom()
    instruments.record(catalog.INVOCATION_ERRORS)
    result = state.flush(300)
    assert result is not None
    assert result.failures == ["metrics"]


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
    instruments.set_enabled(True)
    _state().flush(300)
    assert mem.spans() == []
    assert mem.metric_points() == []


def test_metric_attribute_values_are_scrubbed(mem: MemoryExporters) -> None:
    instruments.record(catalog.BOOKINGS_PROCESSED, store_id="01012345678")
    _state().flush(300)
    assert mem.metric_points() == [("bookings_processed", {"store_id": "010-****-5678"}, 1)]


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
    with TRACER.start_as_current_span("lost"):
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
