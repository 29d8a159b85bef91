"""The span recorder: OpenTelemetry's span semantics without its SDK.

Each test uses a private :class:`Tracer` whose sink is a list, so the process-wide tracer and
pipeline stay untouched; the current span is the module's ContextVar, as in production.
"""

from __future__ import annotations

import time

import pytest

from naver_sms.telemetry.resource import SCOPE, Resource
from naver_sms.telemetry.spans import (
    CURRENT,
    INVALID_SPAN,
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    Tracer,
    activate,
    current_span,
    deactivate,
)

RESOURCE = Resource({"service.name": "naver-sms-test"})


@pytest.fixture
def ended() -> list[Span]:
    return []


@pytest.fixture
def tracer(ended: list[Span]) -> Tracer:
    tracer = Tracer()
    tracer.resource = RESOURCE
    tracer.sink = ended.append
    return tracer


def test_kinds_and_status_codes_have_opentelemetrys_values() -> None:
    # The SDK's SpanKind values (OTLP adds 1) and OTLP's status codes.
    assert [int(k) for k in SpanKind] == [0, 1, 2, 3, 4]
    assert [k.name for k in SpanKind] == ["INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"]
    assert (StatusCode.UNSET, StatusCode.OK, StatusCode.ERROR) == (0, 1, 2)


def test_children_share_the_trace_and_name_their_parent(tracer: Tracer, ended: list[Span]) -> None:
    assert current_span() is INVALID_SPAN
    with tracer.start_as_current_span("root", SpanKind.SERVER, {"a": 1}) as root:
        assert current_span() is root
        with tracer.start_as_current_span("child") as child:
            assert current_span() is child
            with tracer.start_as_current_span("grandchild") as grandchild:
                pass
            assert current_span() is child
        assert current_span() is root
    assert current_span() is INVALID_SPAN
    assert [s.name for s in ended] == ["grandchild", "child", "root"]
    assert isinstance(root, Span)
    assert isinstance(child, Span)
    assert isinstance(grandchild, Span)
    assert root.parent is None
    assert child.parent is root.context
    assert grandchild.parent is child.context
    assert {s.context.trace_id for s in ended} == {root.context.trace_id}
    assert len({s.context.span_id for s in ended}) == 3
    assert all(0 < s.context.span_id < 2**64 for s in ended)
    assert all(0 < s.context.trace_id < 2**128 for s in ended)
    assert not any(s.context.is_remote for s in ended)
    assert root.kind is SpanKind.SERVER
    assert child.kind is SpanKind.INTERNAL
    assert root.attributes == {"a": 1}
    assert root.resource is RESOURCE
    assert root.instrumentation_scope is SCOPE
    assert root.get_span_context() is root.context
    assert root.start_time <= child.start_time <= grandchild.start_time
    assert grandchild.end_time is not None
    assert child.end_time is not None
    assert root.end_time is not None
    assert grandchild.end_time <= child.end_time <= root.end_time


def test_start_span_parent_argument(tracer: Tracer) -> None:
    remote = SpanContext(0x5759E988BD862E3FE1BE46A994272793, 0x53995C3F42CD8AD8, is_remote=True)
    child = tracer.start_span("from-header", SpanKind.SERVER, None, remote)
    assert isinstance(child, Span)
    assert child.parent is remote
    assert child.context.trace_id == remote.trace_id
    assert child.context.span_id != remote.span_id
    assert not child.context.is_remote
    token = activate(child)
    try:
        # CURRENT: a child of the active span; None: a new trace even inside one.
        under = tracer.start_span("under", parent=CURRENT)
        fresh = tracer.start_span("fresh", parent=None)
    finally:
        deactivate(token)
    assert current_span() is INVALID_SPAN
    assert isinstance(under, Span)
    assert under.parent is child.context
    assert isinstance(fresh, Span)
    assert fresh.parent is None
    assert fresh.context.trace_id != remote.trace_id
    # CURRENT with nothing active: a root span.
    orphan = tracer.start_span("orphan", parent=CURRENT)
    assert isinstance(orphan, Span)
    assert orphan.parent is None


def test_trace_ids_are_xray_compatible(tracer: Tracer) -> None:
    before = int(time.time())
    ids = [tracer.start_span(f"s{i}").context.trace_id for i in range(50)]
    after = int(time.time())
    for trace_id in ids:
        # X-Ray: the first 32 bits are the epoch seconds of the trace start.
        assert before <= trace_id >> 96 <= after
    assert len(set(ids)) == 50  # 96 random bits after the time
    assert len({trace_id & (2**96 - 1) for trace_id in ids}) == 50


def test_an_unsampled_parent_makes_non_recording_children(
    tracer: Tracer, ended: list[Span]
) -> None:
    remote = SpanContext(0x5759E988BD862E3FE1BE46A994272793, 0x53995C3F42CD8AD8, sampled=False)
    invocation = tracer.start_span("invocation", SpanKind.SERVER, {"x": 1}, remote)
    assert isinstance(invocation, NonRecordingSpan)
    assert not invocation.is_recording()
    # It still carries the trace (log lines correlate), with an id of its own.
    assert invocation.get_span_context().trace_id == remote.trace_id
    assert invocation.get_span_context().span_id not in (0, remote.span_id)
    assert not invocation.get_span_context().sampled
    token = activate(invocation)
    try:
        with tracer.start_as_current_span("booking") as booking:
            assert current_span() is booking
            assert isinstance(booking, NonRecordingSpan)
            assert booking.context.trace_id == remote.trace_id
            assert booking.context.trace_flags == 0
            booking.set_attribute("k", "v")
            booking.add_event("e")
            booking.set_status(Status(StatusCode.ERROR, "x"))
            assert booking.attributes == {}
            assert list(booking.events) == []
            assert booking.status.status_code is StatusCode.UNSET
    finally:
        deactivate(token)
    invocation.end()
    assert ended == []


def test_without_a_sink_spans_do_not_record_but_keep_a_valid_context() -> None:
    tracer = Tracer()
    span = tracer.start_span("unconfigured")
    assert isinstance(span, NonRecordingSpan)
    assert span.get_span_context().is_valid
    assert span.get_span_context().sampled
    assert not INVALID_SPAN.get_span_context().is_valid


def test_an_exception_is_recorded_marked_error_and_reraised(
    tracer: Tracer, ended: list[Span]
) -> None:
    with (
        pytest.raises(ValueError, match="bad input"),
        tracer.start_as_current_span("failing") as span,
    ):
        raise ValueError("bad input")
    assert current_span() is INVALID_SPAN
    assert ended == [span]
    assert isinstance(span, Span)
    assert span.end_time is not None
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "ValueError: bad input"
    assert not span.status.is_ok
    (event,) = span.events
    assert event.name == "exception"
    assert event.attributes["exception.type"] == "ValueError"
    assert event.attributes["exception.message"] == "bad input"
    assert "Traceback" in event.attributes["exception.stacktrace"]
    assert 'raise ValueError("bad input")' in event.attributes["exception.stacktrace"]
    assert span.start_time <= event.timestamp <= span.end_time


def _code(span: Span) -> StatusCode:
    return span.status.status_code


def test_ok_is_final_and_unset_never_replaces_a_status(tracer: Tracer, ended: list[Span]) -> None:
    span = tracer.start_span("s")
    assert isinstance(span, Span)
    assert _code(span) is StatusCode.UNSET
    span.set_status(StatusCode.ERROR, "first")
    span.set_status(Status(StatusCode.UNSET))
    assert (span.status.status_code, span.status.description) == (StatusCode.ERROR, "first")
    span.set_status(Status(StatusCode.ERROR, "second"))
    assert span.status.description == "second"
    span.set_status(StatusCode.OK)
    span.set_status(StatusCode.ERROR, "after ok")
    span.set_status(StatusCode.UNSET)
    assert span.status.status_code is StatusCode.OK
    assert span.status.is_ok

    def ok_then_raise() -> None:
        with tracer.start_as_current_span("ok-then-raise") as span:
            span.set_status(StatusCode.OK)
            raise RuntimeError("late")

    with pytest.raises(RuntimeError, match="late"):
        ok_then_raise()
    (ok,) = [s for s in ended if s.name == "ok-then-raise"]
    assert ok.status.status_code is StatusCode.OK  # OK stays final
    assert [e.name for e in ok.events] == ["exception"]  # the exception is still recorded


def test_an_ended_span_is_frozen_and_reaches_the_sink_once(
    tracer: Tracer, ended: list[Span]
) -> None:
    span = tracer.start_span("s", attributes={"a": 1})
    assert isinstance(span, Span)
    assert span.is_recording()
    span.set_attribute("none", None)  # None values are dropped, as in the SDK
    span.set_attributes({"b": "x", "c": None})
    span.add_event("e1", {"k": "v"})
    span.end(end_time=span.start_time + 5)
    assert not span.is_recording()
    span.set_attribute("late", 1)
    span.add_event("late")
    span.set_status(StatusCode.ERROR, "late")
    span.record_exception(RuntimeError("late"))
    span.end()
    assert ended == [span]
    assert span.end_time == span.start_time + 5
    assert span.attributes == {"a": 1, "b": "x"}
    assert [(e.name, dict(e.attributes)) for e in span.events] == [("e1", {"k": "v"})]
    assert span.status.status_code is StatusCode.UNSET


def test_activate_and_deactivate_nest() -> None:
    outer = NonRecordingSpan(SpanContext(1, 1))
    inner = NonRecordingSpan(SpanContext(1, 2))
    token_outer = activate(outer)
    token_inner = activate(inner)
    assert current_span() is inner
    deactivate(token_inner)
    assert current_span() is outer
    deactivate(token_outer)
    assert current_span() is INVALID_SPAN


def test_span_context_flags_and_validity() -> None:
    assert SpanContext(1, 2).trace_flags == 1
    assert SpanContext(1, 2, sampled=False).trace_flags == 0
    assert SpanContext(1, 2).is_valid
    assert not SpanContext(0, 2).is_valid
    assert not SpanContext(1, 0).is_valid


def test_an_ok_status_carries_no_description(tracer: Tracer) -> None:
    """As the specification and the SDK: a description only goes with ERROR."""
    span = tracer.start_span("s")
    span.set_status(StatusCode.OK, "all good")
    assert (span.status.status_code, span.status.description) == (StatusCode.OK, None)


def test_attribute_values_are_what_opentelemetry_allows(tracer: Tracer) -> None:
    """Dicts and mixed lists are dropped (they could not be scrubbed reliably); a list of one
    scalar type is kept as a tuple."""
    span = tracer.start_span("s")
    assert isinstance(span, Span)
    span.set_attribute("nested", {"phone": "010-1234-5678"})
    span.set_attribute("mixed", [1, "01012345678"])
    span.set_attribute("objects", [object()])
    span.set_attribute("none", None)
    span.set_attribute("tables", ["a", "b"])
    span.set_attribute("codes", (200, 202))
    span.set_attribute("flag", True)
    assert span.attributes == {"tables": ("a", "b"), "codes": (200, 202), "flag": True}
