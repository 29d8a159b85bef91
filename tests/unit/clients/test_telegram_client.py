from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode
from structlog.testing import capture_logs

from naver_sms.clients.deadline import Deadline
from naver_sms.clients.telegram import (
    TelegramAuthError,
    TelegramBadRequestError,
    TelegramClient,
    TelegramDeadlineExceeded,
    TelegramError,
    TelegramNetworkError,
    TelegramServerError,
    TelegramThrottledError,
)

from .conftest import Telemetry
from .scripted_server import FakeClock, Reply, ScriptedServer, closed_port_url

TOKEN = "7714:canary-BOT-token_x9"
CHAT = "-1001234567890"


def ok(message_id: int) -> Reply:
    return Reply(200, {"ok": True, "result": {"message_id": message_id, "chat": {"id": CHAT}}})


def failure(status: int, description: str, **extra: Any) -> Reply:
    return Reply(status, {"ok": False, "error_code": status, "description": description, **extra})


def make_client(url: str, clock: FakeClock, **kwargs: Any) -> TelegramClient:
    options: dict[str, Any] = {"timeout_s": 2.0, "max_attempts": 3, "rng": lambda: 0.5}
    options.update(kwargs)
    return TelegramClient(api_url=url, bot_token=TOKEN, chat_id=CHAT, sleep=clock.sleep, **options)


def assert_no_token(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text, f"bot token leaked into {text!r}"
        assert "canary-BOT" not in text


def test_sends_escaped_html_to_the_bot_endpoint(
    server: ScriptedServer, clock: FakeClock, telemetry: Telemetry
) -> None:
    server.answer(ok(41))
    client = make_client(server.url, clock)
    result = client.send("<확정> 홍대점 & 잠실점", deadline=Deadline(10, clock))
    assert (result.message_ids, result.attempts) == ([41], 1)
    (received,) = server.received
    assert received.path == f"/bot{TOKEN}/sendMessage"
    assert received.json() == {
        "chat_id": CHAT,
        "text": "&lt;확정&gt; 홍대점 &amp; 잠실점",
        "parse_mode": "HTML",
    }
    (span,) = telemetry.spans
    assert (span.name, span.kind) == ("POST", SpanKind.CLIENT)
    attrs = dict(span.attributes or {})
    assert attrs["peer.service"] == "telegram"
    assert attrs["url.full"] == f"{server.url}/botREDACTED/sendMessage"
    assert attrs["http.response.status_code"] == 200
    assert client.redacted_url == attrs["url.full"]
    assert_no_token(repr(attrs), repr(client))
    assert telemetry.counter("telegram_notifications") == {(("outcome", "success"),): 1}


def test_long_text_goes_out_as_several_messages_in_order(
    server: ScriptedServer, clock: FakeClock
) -> None:
    server.answer(ok(1), ok(2))
    text = "\n".join(f"{i:04d} " + "가" * 94 for i in range(50))  # 4999 characters
    result = make_client(server.url, clock).send(text, deadline=Deadline(10, clock))
    assert result.message_ids == [1, 2]
    sent = [r.json()["text"] for r in server.received]
    assert all(len(t) <= 4096 for t in sent)
    assert "\n".join(sent) == text


def test_429_waits_exactly_retry_after(
    server: ScriptedServer, clock: FakeClock, telemetry: Telemetry
) -> None:
    server.answer(
        failure(429, "Too Many Requests: retry after 3", parameters={"retry_after": 3}), ok(7)
    )
    with capture_logs() as logs:
        result = make_client(server.url, clock).send("hi", deadline=Deadline(10, clock))
    assert (result.message_ids, result.attempts) == ([7], 2)
    assert clock.sleeps == [3.0]
    assert logs == [
        {
            "event": "telegram_retry",
            "log_level": "warning",
            "attempt": 1,
            "status": 429,
            "sleep_s": 3.0,
        }
    ]
    spans = telemetry.spans
    assert [s.attributes.get("http.request.resend_count") for s in spans] == [None, 1]
    assert telemetry.counter("telegram_notifications") == {
        (("outcome", "throttled"),): 1,
        (("outcome", "success"),): 1,
    }


def test_429_beyond_the_deadline_raises_without_waiting(
    server: ScriptedServer, clock: FakeClock
) -> None:
    server.answer(
        failure(429, "Too Many Requests: retry after 30", parameters={"retry_after": 30}), ok(7)
    )
    with pytest.raises(TelegramThrottledError) as info:
        make_client(server.url, clock).send("hi", deadline=Deadline(10, clock))
    assert clock.sleeps == []
    assert len(server.received) == 1
    assert info.value.retry_after == 30
    assert info.value.status == 429


def test_server_errors_are_retried_with_backoff(server: ScriptedServer, clock: FakeClock) -> None:
    server.answer(failure(502, "Bad Gateway"), Reply(500, b"oops"), ok(9))
    result = make_client(server.url, clock).send("hi", deadline=Deadline(10, clock))
    assert (result.message_ids, result.attempts) == ([9], 3)
    assert clock.sleeps == pytest.approx([0.25, 0.5])  # rng 0.5 x ceilings 0.5, 1.0


def test_server_errors_stop_at_max_attempts(server: ScriptedServer, clock: FakeClock) -> None:
    server.answer(*[failure(503, "busy")] * 5)
    with pytest.raises(TelegramServerError) as info:
        make_client(server.url, clock, max_attempts=3).send("hi", deadline=Deadline(10, clock))
    assert len(server.received) == 3
    assert info.value.attempts == 3


@pytest.mark.parametrize(
    ("status", "description", "error"),
    [
        (401, "Unauthorized", TelegramAuthError),
        (403, "Forbidden: bot was kicked from the supergroup chat", TelegramAuthError),
        (400, "Bad Request: chat not found", TelegramBadRequestError),
        (404, "Not Found", TelegramError),
    ],
)
def test_client_errors_are_not_retried(
    server: ScriptedServer,
    clock: FakeClock,
    telemetry: Telemetry,
    status: int,
    description: str,
    error: type[TelegramError],
) -> None:
    server.answer(failure(status, f"{description} (token {TOKEN})"), ok(1))
    with pytest.raises(error) as info:
        make_client(server.url, clock).send("hi", deadline=Deadline(10, clock))
    assert type(info.value) is error
    assert len(server.received) == 1
    assert clock.sleeps == []
    assert (info.value.status, info.value.attempts) == (status, 1)
    assert info.value.description.startswith(description)
    assert "token REDACTED" in info.value.description
    assert_no_token(str(info.value), repr(info.value))
    (span,) = telemetry.spans
    assert span.status.status_code is StatusCode.ERROR
    assert_no_token(repr(dict(span.attributes or {})), repr([e.attributes for e in span.events]))


def test_a_failure_after_a_sent_part_reports_what_was_sent(
    server: ScriptedServer, clock: FakeClock
) -> None:
    server.answer(ok(11), failure(400, "Bad Request: message is too long"))
    with pytest.raises(TelegramBadRequestError) as info:
        make_client(server.url, clock).send("x" * 5000, deadline=Deadline(10, clock))
    assert info.value.message_ids == [11]
    assert info.value.attempts == 2


def test_unreachable_telegram(clock: FakeClock) -> None:
    with pytest.raises(TelegramNetworkError) as info:
        make_client(closed_port_url(), clock).send("hi", deadline=Deadline(10, clock))
    assert info.value.attempts == 3
    assert info.value.retryable
    assert_no_token(str(info.value))


def test_a_lost_answer_is_not_resent(server: ScriptedServer, clock: FakeClock) -> None:
    server.answer(Reply(200, {"ok": True, "result": {"message_id": 1}}, delay_s=1.0), ok(2))
    with pytest.raises(TelegramNetworkError, match="not retrying") as info:
        make_client(server.url, clock, timeout_s=0.2).send("hi", deadline=Deadline(10, clock))
    assert len(server.received) == 1
    assert not info.value.retryable


def test_expired_deadline_sends_nothing(server: ScriptedServer, clock: FakeClock) -> None:
    with pytest.raises(TelegramDeadlineExceeded):
        make_client(server.url, clock).send("hi", deadline=Deadline(0, clock))
    assert server.received == []


def test_empty_text_is_refused(server: ScriptedServer, clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="empty"):
        make_client(server.url, clock).send(" \n ", deadline=Deadline(10, clock))
    assert server.received == []


@pytest.mark.parametrize("token", ["", "has space", "a/b"])
def test_malformed_tokens_are_refused_without_echo(token: str) -> None:
    with pytest.raises(ValueError, match="bot token") as info:
        TelegramClient(api_url="https://api.telegram.org", bot_token=token, chat_id=CHAT)
    if token:
        assert token not in str(info.value)
