from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import structlog
from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, StatusCode

from naver_sms.telemetry import catalog, instruments, setup
from naver_sms.telemetry import handler as telemetry_handler
from naver_sms.telemetry.exporters.memory import MemoryExporters
from naver_sms.telemetry.handler import faas_trigger, flush_budget, instrument_handler

SCHEDULED = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
ROOT = "5759e988bd862e3fe1be46a994272793"
XRAY_HEADER = f"Root=1-{ROOT[:8]}-{ROOT[8:]};Parent=53995c3f42cd8ad8;Sampled=1"


@dataclass
class FakeContext:
    """The attributes the Lambda runtime's context object has."""

    aws_request_id: str = "req-1"
    function_name: str = "naver-sms-test"
    invoked_function_arn: str = "arn:aws:lambda:ap-northeast-2:123456789012:function:naver-sms-test"
    remaining_ms: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def _lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_decorator_works_bare_and_with_arguments(mem: MemoryExporters) -> None:
    @instrument_handler
    def bare(event: Any, context: Any) -> str:
        """doc"""
        return "bare"

    @instrument_handler(name="named-span")
    def called(event: Any, context: Any) -> str:
        return "called"

    assert bare({}, FakeContext()) == "bare"
    assert called({}, FakeContext()) == "called"
    assert bare.__name__ == "bare"
    assert bare.__doc__ == "doc"
    assert [s.name for s in mem.spans()] == ["naver-sms-test", "named-span"]


def test_invocation_span_attributes_and_cold_start_then_warm(mem: MemoryExporters) -> None:
    @instrument_handler
    def handler(event: Any, context: Any) -> None:
        return None

    handler(SCHEDULED, FakeContext(aws_request_id="r1"))
    handler({}, FakeContext(aws_request_id="r2"))
    first, second = mem.spans()
    assert first.kind is SpanKind.SERVER
    assert dict(first.attributes or {}) == {
        "faas.trigger": "timer",
        "faas.coldstart": True,
        "faas.invocation_id": "r1",
        "cloud.resource_id": FakeContext.invoked_function_arn,
    }
    assert second.attributes is not None
    assert second.attributes["faas.coldstart"] is False
    assert second.attributes["faas.trigger"] == "other"
    assert second.attributes["faas.invocation_id"] == "r2"
    assert first.resource.attributes["service.name"] == "naver-sms"


def test_flush_happens_at_the_end_of_every_invocation(mem: MemoryExporters) -> None:
    seen: list[int] = []

    @instrument_handler
    def handler(event: Any, context: Any) -> None:
        seen.append(len(mem.spans()))
        instruments.record(catalog.BOOKINGS_PROCESSED, store_id="s1")

    for _ in range(3):
        handler({}, FakeContext())
    assert seen == [0, 1, 2]  # each invocation's span was exported before the next began
    assert len(mem.metric_batches()) == 3


def test_exception_is_recorded_counted_flushed_and_reraised(mem: MemoryExporters) -> None:
    class Boom(Exception):
        pass

    @instrument_handler
    def handler(event: Any, context: Any) -> None:
        with instruments.booking_span("b1", "s1"):
            raise Boom("bad booking")

    with pytest.raises(Boom, match="bad booking"):
        handler({}, FakeContext())
    booking, invocation = mem.spans()
    assert invocation.status.status_code is StatusCode.ERROR
    assert [e.name for e in invocation.events] == ["exception"]
    assert invocation.events[0].attributes is not None
    assert invocation.events[0].attributes["exception.type"].endswith("Boom")
    assert booking.status.status_code is StatusCode.ERROR
    assert ("invocation_errors", {}, 1) in mem.metric_points()


def test_span_continues_the_lambda_xray_trace_and_logs_carry_it(
    mem: MemoryExporters, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    log = structlog.get_logger("test.handler")

    @instrument_handler
    def handler(event: Any, context: Any) -> None:
        log.info("inside")

    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)
    handler({}, FakeContext())
    other_root = "6759e988bd862e3fe1be46a994272794"
    monkeypatch.setenv(
        "_X_AMZN_TRACE_ID",
        f"Root=1-{other_root[:8]}-{other_root[8:]};Parent=1111111111111111;Sampled=1",
    )
    handler({}, FakeContext(aws_request_id="req-2"))
    first, second = mem.spans()
    assert format(first.context.trace_id, "032x") == ROOT
    assert first.parent is not None
    assert format(first.parent.span_id, "016x") == "53995c3f42cd8ad8"
    assert first.parent.is_remote
    assert format(second.context.trace_id, "032x") == other_root
    lines = [line for line in _lines(capsys.readouterr().out) if line["event"] == "inside"]
    assert [line["trace_id"] for line in lines] == [ROOT, other_root]
    assert lines[0]["xray_trace_id"] == f"1-{ROOT[:8]}-{ROOT[8:]}"
    assert lines[0]["span_id"] == format(first.context.span_id, "016x")
    assert lines[0]["function_request_id"] == "req-1"
    assert lines[0]["cold_start"] is True
    assert lines[1]["cold_start"] is False


def test_unsampled_lambda_trace_exports_no_spans_but_metrics_and_correlated_logs(
    mem: MemoryExporters, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER.replace("Sampled=1", "Sampled=0"))

    @instrument_handler
    def handler(event: Any, context: Any) -> None:
        instruments.record(catalog.BOOKINGS_PROCESSED, store_id="s1")
        structlog.get_logger("t").info("unsampled")

    handler({}, FakeContext())
    assert mem.spans() == []
    assert mem.metric_points() == [("bookings_processed", {"store_id": "s1"}, 1)]
    (line,) = [x for x in _lines(capsys.readouterr().out) if x["event"] == "unsampled"]
    assert line["xray_trace_id"] == f"1-{ROOT[:8]}-{ROOT[8:]}"


def test_w3c_traceparent_in_an_http_event_is_continued(mem: MemoryExporters) -> None:
    @instrument_handler
    def handler(event: Any, context: Any) -> None:
        return None

    traceparent = f"00-{ROOT}-53995c3f42cd8ad8-01"
    handler({"headers": {"traceparent": traceparent}}, FakeContext())
    (span,) = mem.spans()
    assert format(span.context.trace_id, "032x") == ROOT


def test_each_invocation_without_header_starts_a_new_trace(mem: MemoryExporters) -> None:
    @instrument_handler
    def handler(event: Any, context: Any) -> None:
        return None

    handler({}, FakeContext())
    handler({}, FakeContext())
    first, second = mem.spans()
    assert first.parent is None
    assert second.parent is None
    assert first.context.trace_id != second.context.trace_id
    # X-Ray ids: the first 32 bits are the epoch seconds of the trace start.
    assert abs((first.context.trace_id >> 96) - first.start_time // 1_000_000_000) <= 1


def test_switch_off_means_no_spans_metrics_or_flush(
    mem: MemoryExporters, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    state = setup.current()
    assert state is not None
    flushes: list[float] = []
    real_flush = state.flush
    monkeypatch.setattr(
        state,
        "flush",
        lambda budget, **kw: flushes.append(budget) or real_flush(budget, **kw),
    )
    switch = {"on": False}

    @instrument_handler(switch=lambda: switch["on"])
    def handler(event: Any, context: Any) -> str:
        with instruments.booking_span("b1", "s1"):
            instruments.record(catalog.BOOKINGS_PROCESSED, store_id="s1")
        structlog.get_logger("t").info("still_logging")
        return "ran"

    assert handler({}, FakeContext()) == "ran"
    assert flushes == []
    line = _lines(capsys.readouterr().out)[-1]
    assert line["function_request_id"] == "req-1"
    assert "span_id" not in line
    switch["on"] = True
    assert handler({}, FakeContext()) == "ran"
    assert len(flushes) == 1
    assert [s.name for s in mem.spans()] == ["process_booking", "naver-sms-test"]
    assert mem.metric_points() == [("bookings_processed", {"store_id": "s1"}, 1)]


def test_broken_switch_keeps_telemetry_on_and_logs_once(
    mem: MemoryExporters, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(telemetry_handler, "_switch_error_logged", False)

    def switch() -> bool:
        raise RuntimeError("ssm down")

    @instrument_handler(switch=switch)
    def handler(event: Any, context: Any) -> None:
        return None

    handler({}, FakeContext())
    handler({}, FakeContext())
    assert len(mem.spans()) == 2
    events = [line["event"] for line in _lines(capsys.readouterr().out)]
    assert events.count("telemetry_switch_failed") == 1


def test_telemetry_off_by_environment_runs_the_handler_bare(mem: MemoryExporters) -> None:
    setup.configure(force=True, enabled=False)

    @instrument_handler
    def handler(event: Any, context: Any) -> str:
        with instruments.booking_span("b", "s"):
            return "ok"

    assert handler({}, FakeContext()) == "ok"
    setup.configure(force=True, enabled=True, traces_exporter="memory", metrics_exporter="memory")
    state = setup.current()
    assert state is not None
    state.flush(300)
    assert mem.spans() == []


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, True),
        ({"NAVER_SMS_TELEMETRY": "off"}, False),
        ({"NAVER_SMS_TELEMETRY": "ON"}, True),
        ({"OTEL_SDK_DISABLED": "true"}, False),
    ],
)
def test_telemetry_enabled_by_environment(env: dict[str, str], expected: bool) -> None:
    assert setup.telemetry_enabled(env) is expected
    assert setup.telemetry_enabled(env, override=True) is True


@pytest.mark.parametrize(
    ("flush_ms", "remaining_ms", "expected"),
    [(300, 30_000, 300.0), (300, 200, 150.0), (300, 20, 0.0), (1000, 700, 650.0)],
)
def test_flush_budget_is_bounded_by_the_time_lambda_has_left(
    mem: MemoryExporters, flush_ms: int, remaining_ms: int, expected: float
) -> None:
    state = setup.Telemetry(enabled=True, flush_ms=flush_ms)
    assert flush_budget(state, FakeContext(remaining_ms=remaining_ms)) == expected
    assert flush_budget(state, object()) == float(flush_ms)


def test_faas_trigger() -> None:
    assert faas_trigger(SCHEDULED) == "timer"
    assert faas_trigger({"source": "aws.events"}) == "other"
    assert faas_trigger([1, 2]) == "other"


def test_a_span_the_handler_starts_with_the_api_joins_the_invocation_trace(
    mem: MemoryExporters, monkeypatch: pytest.MonkeyPatch
) -> None:
    """User code inside the instrumented handler uses the plain OpenTelemetry API: its span is
    recorded, is a child of the invocation span, continues Lambda's X-Ray trace and leaves in
    the same export as ours."""
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)
    exported_before: list[int] = []
    exports: list[list[str]] = []
    assert mem.span_exporter is not None
    real_export = mem.span_exporter.export
    monkeypatch.setattr(
        mem.span_exporter,
        "export",
        lambda spans: exports.append([s.name for s in spans]) or real_export(spans),
    )

    @instrument_handler
    def handler(event: Any, context: Any) -> None:
        with trace.get_tracer("my.function").start_as_current_span("user-work") as span:
            span.set_attribute("items", 3)
            with instruments.booking_span("b1", "s1"):
                pass
        exported_before.append(len(mem.spans()))

    handler({}, FakeContext())
    assert exported_before == [0]  # nothing left before the invocation's flush
    booking, user, invocation = mem.spans()
    assert user.name == "user-work"
    assert user.instrumentation_scope is not None
    assert user.instrumentation_scope.name == "my.function"
    assert user.parent is not None
    assert user.parent.span_id == invocation.context.span_id
    assert booking.parent is not None
    assert booking.parent.span_id == user.context.span_id
    assert {format(s.context.trace_id, "032x") for s in (booking, user, invocation)} == {ROOT}
    assert invocation.parent is not None
    assert format(invocation.parent.span_id, "016x") == "53995c3f42cd8ad8"
    # One export: the user's span travelled with the invocation's.
    assert exports == [["process_booking", "user-work", "naver-sms-test"]]


def test_under_an_outer_invocation_span_the_outer_instrumentation_flushes_once(
    mem: MemoryExporters,
) -> None:
    """opentelemetry-instrument without a configurator leaves our providers global, and the
    aws-lambda instrumentation's SERVER span wraps the handler, then flushes the global
    providers after ending it: the wrapper makes no second SERVER span and does not flush
    before that span has ended, so one export carries the whole invocation."""

    @instrument_handler
    def handler(event: Any, context: Any) -> None:
        with instruments.booking_span("b1", "s1"):
            instruments.record(catalog.BOOKINGS_PROCESSED, store_id="s1")

    outer = trace.get_tracer("opentelemetry.instrumentation.aws_lambda")
    with outer.start_as_current_span("naver-sms-test", kind=SpanKind.SERVER):
        handler({}, FakeContext())
        assert mem.spans() == []  # nothing exported before the outer span ended
    provider = trace.get_tracer_provider()
    provider.force_flush()  # type: ignore[attr-defined]
    metrics.get_meter_provider().force_flush()  # type: ignore[attr-defined]
    spans = mem.spans()
    assert [(s.name, s.kind) for s in spans] == [
        ("process_booking", SpanKind.INTERNAL),
        ("naver-sms-test", SpanKind.SERVER),
    ]
    assert spans[1].attributes is not None
    assert spans[1].attributes["faas.coldstart"] is True
    assert mem.metric_points() == [("bookings_processed", {"store_id": "s1"}, 1)]
