from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import structlog
from opentelemetry import trace

from naver_sms.privacy import REDACTED, register_secrets
from naver_sms.telemetry import logging as tlog
from naver_sms.telemetry.exporters.memory import MemoryExporters


def _lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _run(processor: Any, **event: Any) -> dict[str, Any]:
    return dict(processor(None, "info", dict(event)))


def test_add_lambda_context_uses_the_bound_invocation() -> None:
    tlog.bind_invocation("fn", "req-9", cold_start=True)
    try:
        out = _run(tlog.add_lambda_context, event="x")
    finally:
        tlog.clear_invocation()
    assert out == {
        "event": "x",
        "function_name": "fn",
        "function_request_id": "req-9",
        "cold_start": True,
    }
    assert _run(tlog.add_lambda_context, event="x") == {"event": "x"}


def test_add_trace_ids_from_the_current_span(mem: MemoryExporters) -> None:
    with trace.get_tracer("any.code").start_as_current_span("s") as span:
        out = _run(tlog.add_trace_ids, event="x")
        ctx = span.get_span_context()
    trace_id = format(ctx.trace_id, "032x")
    assert out["trace_id"] == trace_id
    assert out["xray_trace_id"] == f"1-{trace_id[:8]}-{trace_id[8:]}"
    assert out["span_id"] == format(ctx.span_id, "016x")


def test_add_trace_ids_falls_back_to_lambda_trace_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8"
    )
    out = _run(tlog.add_trace_ids, event="x")
    assert out["trace_id"] == "5759e988bd862e3fe1be46a994272793"
    assert out["xray_trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"
    assert "span_id" not in out


def test_add_trace_ids_without_any_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("_X_AMZN_TRACE_ID", raising=False)
    assert _run(tlog.add_trace_ids, event="x") == {"event": "x"}


def test_mask_phone_numbers_anywhere() -> None:
    out = _run(
        tlog.mask_phone_numbers,
        event="sent to 01012345678",
        phone="010-2222-3333",
        nested={"to": ["01044445555"]},
        count=3,
    )
    assert out == {
        "event": "sent to 010-****-5678",
        "phone": "010-****-3333",
        "nested": {"to": ["010-****-5555"]},
        "count": 3,
    }


def test_mask_customer_names_top_level_and_nested() -> None:
    out = _run(
        tlog.mask_customer_names,
        event="x",
        customer_name="홍길동",
        booking={"name": "김영희", "store": "s"},
    )
    assert out == {
        "event": "x",
        "customer_name": "홍*동",
        "booking": {"name": "김*희", "store": "s"},
    }


def test_drop_secrets_by_key_and_by_registered_value() -> None:
    register_secrets(["logging-canary-secret"])
    out = _run(
        tlog.drop_secrets,
        event="token is logging-canary-secret",
        bot_token="x",
        headers={"Authorization": "Bearer abc", "Accept": "json"},
        items=["logging-canary-secret"],
    )
    assert out == {
        "event": f"token is {REDACTED}",
        "bot_token": REDACTED,
        "headers": {"Authorization": REDACTED, "Accept": "json"},
        "items": [REDACTED],
    }


@pytest.mark.parametrize(
    ("env", "level"),
    [
        ({}, logging.INFO),
        ({"LOG_LEVEL": "debug"}, logging.DEBUG),
        ({"AWS_LAMBDA_LOG_LEVEL": "WARN", "LOG_LEVEL": "DEBUG"}, logging.WARNING),
        ({"AWS_LAMBDA_LOG_LEVEL": "TRACE"}, logging.DEBUG),
        ({"AWS_LAMBDA_LOG_LEVEL": "FATAL"}, logging.CRITICAL),
    ],
)
def test_log_level_from_environment(env: dict[str, str], level: int) -> None:
    assert tlog.log_level(env) == level


def test_bad_log_level_names_the_variable() -> None:
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        tlog.log_level({"LOG_LEVEL": "loud"})


def test_structlog_and_stdlib_lines_share_the_chain(
    mem: MemoryExporters, capsys: pytest.CaptureFixture[str]
) -> None:
    register_secrets(["stdlib-canary-token"])
    tlog.bind_invocation("fn", "req-1", cold_start=False)
    try:
        structlog.get_logger("t").info("booking_sent", phone="01012345678", store_id="s1")
        logging.getLogger("botocore.test").warning(
            "call %s with stdlib-canary-token", "010-1111-2222"
        )
        try:
            raise RuntimeError("boom for 01099998888")
        except RuntimeError:
            logging.getLogger("urllib3.test").exception("failed")
    finally:
        tlog.clear_invocation()
    first, second, third = _lines(capsys.readouterr().out)
    for line in (first, second, third):
        assert line["service"] == "naver-sms"
        assert line["function_name"] == "fn"
        assert line["function_request_id"] == "req-1"
        assert line["cold_start"] is False
        assert line["timestamp"].endswith("Z")
    assert first["event"] == "booking_sent"
    assert first["level"] == "info"
    assert first["phone"] == "010-****-5678"
    assert second == {**second, "level": "warning", "logger": "botocore.test"}
    assert second["event"] == f"call 010-****-2222 with {REDACTED}"
    assert third["level"] == "error"
    assert "RuntimeError: boom for 010-****-8888" in third["exception"]
    assert "01099998888" not in json.dumps(third)


def test_levels_below_the_configured_one_are_dropped(
    mem: MemoryExporters, capsys: pytest.CaptureFixture[str]
) -> None:
    tlog.configure_logging({"LOG_LEVEL": "WARNING"})
    try:
        logger = structlog.get_logger("fresh-level-test")
        logger.info("hidden")
        logger.warning("shown")
        logging.getLogger("lib").info("hidden too")
    finally:
        tlog.configure_logging({})
    events = [line["event"] for line in _lines(capsys.readouterr().out)]
    assert events == ["shown"]


def test_each_line_is_one_json_object_with_unicode_kept(
    mem: MemoryExporters, capsys: pytest.CaptureFixture[str]
) -> None:
    structlog.get_logger("t").info("안내 문자", detail="줄\n바꿈")
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert _lines(out)[0]["event"] == "안내 문자"
