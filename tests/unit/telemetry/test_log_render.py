"""One chain. Lines of scalar fields skip the processors that have nothing to do on them
(:data:`ONLY_FOR_STRUCTURED_LINES`, left out of the very same chain): what is written must be
what the whole chain writes, field for field, whatever the line holds."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from naver_sms import privacy as redaction
from naver_sms.telemetry import logging as tlog
from naver_sms.telemetry.logging import processors

SECRET = "sk-live-0123456789abcdef"
KEYS = ["event", "store_id", "customer_name", "name", "api_key", "password", "detail",
        "trace_id", "level", "service", "count", "to"]  # fmt: skip
PHONE_OR_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["010-1234-5678", "01098765432", f"token={SECRET}", "홍길동", "gangnam-01"]),
)
SCALARS = st.one_of(PHONE_OR_TEXT, st.integers(), st.booleans(), st.none(), st.floats(width=32))


@pytest.fixture(autouse=True)
def _context() -> Iterator[None]:
    redaction.register_secrets([SECRET])
    tlog.bind_invocation("naver-sms", "req-1", False)
    yield
    tlog.clear_invocation()
    redaction.clear_secrets()


def _whole_chain(method: str, event: dict[str, Any]) -> str:
    for processor in processors.PROCESSORS:
        event = processor(None, method, event)  # type: ignore[assignment]
    return str(processors.RENDERER(None, method, event))


def _both(method: str, event: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    fused = json.loads(tlog.render_line(None, method, dict(event)))
    chain = json.loads(_whole_chain(method, dict(event)))
    return fused, chain


def test_the_fast_path_is_the_chain_minus_processors_named_for_structured_lines() -> None:
    skipped = [p for p in processors.PROCESSORS if p not in processors.SCALAR_LINE_PROCESSORS]
    assert skipped == [
        p for p in processors.PROCESSORS if p in processors.ONLY_FOR_STRUCTURED_LINES
    ]
    assert [p for p in processors.PROCESSORS if p in processors.SCALAR_LINE_PROCESSORS] == list(
        processors.SCALAR_LINE_PROCESSORS
    )


def _same(fused: dict[str, Any], chain: dict[str, Any]) -> None:
    assert list(fused) == list(chain)  # same fields, same order
    assert {k: v for k, v in fused.items() if k != "timestamp"} == {
        k: v for k, v in chain.items() if k != "timestamp"
    }
    stamp = datetime.fromisoformat(fused["timestamp"].replace("Z", "+00:00"))
    assert abs((stamp - datetime.now(UTC)).total_seconds()) < 5
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z", fused["timestamp"])


@settings(max_examples=300, deadline=None)
@given(
    method=st.sampled_from(["debug", "info", "warning", "warn", "error", "exception"]),
    fields=st.dictionaries(st.sampled_from(KEYS), SCALARS, max_size=8),
)
def test_scalar_lines_are_written_as_the_whole_chain_writes_them(
    method: str, fields: dict[str, Any]
) -> None:
    event = {"event": "something_happened", **fields}
    _same(*_both(method, event))


def test_masking_happens_on_the_fast_path() -> None:
    fused, chain = _both(
        "info",
        {
            "event": "sms_sent",
            "to": "010-1234-5678",
            "customer_name": "홍길동",
            "api_key": "x",
            "detail": f"token={SECRET}",
        },
    )
    _same(fused, chain)
    assert fused["to"] == "010-****-5678"
    assert fused["customer_name"] == "홍*동"
    assert fused["api_key"] == redaction.REDACTED
    assert SECRET not in json.dumps(fused)


def test_trace_ids_of_the_current_span() -> None:
    remote = SpanContext(
        0x6759E988BD862E3FE1BE46A994272793,
        0x1111111111111111,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    tracer = TracerProvider().get_tracer("t")
    parent = trace.set_span_in_context(NonRecordingSpan(remote))
    with tracer.start_as_current_span("invocation", context=parent) as span:
        fused, chain = _both("info", {"event": "inside"})
    _same(fused, chain)
    assert fused["trace_id"] == "6759e988bd862e3fe1be46a994272793"
    assert fused["xray_trace_id"] == "1-6759e988-bd862e3fe1be46a994272793"
    assert fused["span_id"] == format(span.get_span_context().span_id, "016x")


@pytest.mark.parametrize(
    "event",
    [
        {"event": "nested", "booking": {"customer_name": "홍길동", "phone": "01012345678"}},
        {"event": "listed", "phones": ["010-1234-5678"]},
        {"event": "failed", "exc_info": ValueError("boom 010-1234-5678")},
        {"event": "odd", "value": object()},
    ],
    ids=["nested dict", "list", "exc_info", "unknown object"],
)
def test_other_events_take_the_whole_chain(event: dict[str, Any]) -> None:
    fused, chain = _both("error", event)
    _same(fused, chain)
    assert "01012345678" not in json.dumps(fused)
    assert "1234-5678" not in json.dumps(fused)
