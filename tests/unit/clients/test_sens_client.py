from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import count
from typing import Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode
from structlog.testing import capture_logs

from naver_sms.clients.deadline import Deadline
from naver_sms.clients.sens import (
    ACCESS_KEY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SensAuthError,
    SensClient,
    SensClientError,
    SensDeadlineExceeded,
    SensError,
    SensNetworkError,
    SensProtocolError,
    SensServerError,
    SensThrottledError,
    sign,
)
from naver_sms.clients.sms import compose_sms

from .conftest import Telemetry
from .scripted_server import FakeClock, Received, Reply, ScriptedServer, closed_port_url

ACCESS = "canary-access-KEY-4f1c"
SECRET = "canary-secret-KEY-9d7e"
SERVICE = "ncp:sms:kr:2611:canary-svc"
PHONE = "010-2468-1357"
ACCEPTED = {
    "requestId": "VORSSA-1",
    "requestTime": "2026-11-27T06:00:00.000",
    "statusCode": "202",
    "statusName": "success",
}


def make_client(
    base_url: str, clock: FakeClock, *, rng: Callable[[], float] = lambda: 0.5, **kwargs: Any
) -> SensClient:
    ticks: Iterator[int] = count(1764225000000, 1000)
    options: dict[str, Any] = {
        "timeout_s": 2.0,
        "max_attempts": 4,
        "backoff_base_s": 0.2,
        "backoff_cap_s": 2.0,
    }
    options.update(kwargs)
    return SensClient(
        base_url=base_url,
        access_key=ACCESS,
        secret_key=SECRET,
        service_id=SERVICE,
        caller_number="02-1588-1234",
        clock_ms=lambda: next(ticks),
        sleep=clock.sleep,
        rng=rng,
        **options,
    )


def send(client: SensClient, clock: FakeClock, budget: float = 30.0, **kwargs: Any) -> Any:
    message = kwargs.pop("message", None) or compose_sms(PHONE, "[강남점] 예약이 확정되었습니다.")
    return client.send(
        message, sms_type="confirm", store_id="gangnam-01", deadline=Deadline(budget, clock)
    )


def assert_signed(received: Received) -> None:
    """Verify the request as the SENS gateway does."""
    timestamp = int(received.headers[TIMESTAMP_HEADER])
    assert received.headers[ACCESS_KEY_HEADER] == ACCESS
    assert received.headers[SIGNATURE_HEADER] == sign(
        SECRET, "POST", received.path, timestamp, ACCESS
    )


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        for secret in (ACCESS, SECRET, SERVICE, "24681357", "2468-1357"):
            assert secret not in text, f"{secret!r} leaked into {text!r}"


def test_prepare_builds_the_documented_request(clock: FakeClock) -> None:
    client = make_client("https://sens.example", clock)
    request = client.prepare(compose_sms(PHONE, "안녕하세요"))
    assert request.path == f"/sms/v2/services/{SERVICE}/messages"
    assert request.url == "https://sens.example" + request.path
    assert request.body == {
        "type": "SMS",
        "contentType": "COMM",
        "countryCode": "82",
        "from": "0215881234",
        "content": "안녕하세요",
        "messages": [{"to": "01024681357", "content": "안녕하세요"}],
    }
    assert request.headers[TIMESTAMP_HEADER] == "1764225000000"
    assert request.headers[SIGNATURE_HEADER] == sign(
        SECRET, "POST", request.path, 1764225000000, ACCESS
    )


def test_lms_carries_its_subject(clock: FakeClock) -> None:
    client = make_client("https://sens.example", clock)
    body = client.prepare(compose_sms(PHONE, "본문", subject="방문 안내")).body
    assert body["type"] == "LMS"
    assert body["messages"] == [{"to": "01024681357", "content": "본문", "subject": "방문 안내"}]


def test_prepare_timestamps_afresh_and_redacts_for_capture(clock: FakeClock) -> None:
    client = make_client("https://sens.example", clock)
    message = compose_sms(PHONE, "안녕하세요")
    first, second = client.prepare(message), client.prepare(message)
    assert first.headers[TIMESTAMP_HEADER] != second.headers[TIMESTAMP_HEADER]
    assert first.headers[SIGNATURE_HEADER] != second.headers[SIGNATURE_HEADER]
    redacted = first.redacted()
    assert redacted["headers"][ACCESS_KEY_HEADER] == "REDACTED"
    assert redacted["headers"][SIGNATURE_HEADER] == "REDACTED"
    assert redacted["headers"][TIMESTAMP_HEADER] == first.headers[TIMESTAMP_HEADER]
    assert redacted["url"] == "https://sens.example/sms/v2/services/REDACTED/messages"
    assert redacted["body"] == first.body
    assert_no_secrets(repr(first), repr(client), str(redacted["headers"]), redacted["url"])


def test_accepted_message(server: ScriptedServer, clock: FakeClock, telemetry: Telemetry) -> None:
    server.answer(Reply(202, ACCEPTED))
    result = send(make_client(server.url, clock), clock)
    assert (result.request_id, result.status_code, result.http_status, result.attempts) == (
        "VORSSA-1",
        "202",
        202,
        1,
    )
    assert len(server.received) == 1
    assert_signed(server.received[0])
    assert server.received[0].json()["messages"][0]["to"] == "01024681357"
    (span,) = telemetry.spans
    assert (span.name, span.kind) == ("POST", SpanKind.CLIENT)
    attrs = dict(span.attributes or {})
    assert attrs["peer.service"] == "naver-sens"
    assert attrs["server.address"] == "127.0.0.1"
    assert attrs["http.response.status_code"] == 202
    assert attrs["sens.request_id"] == "VORSSA-1"
    assert attrs["sms.type"] == "confirm"
    assert attrs["store.id"] == "gangnam-01"
    assert attrs["url.full"] == server.url + "/sms/v2/services/REDACTED/messages"
    assert "http.request.resend_count" not in attrs
    assert telemetry.counter("sens_requests") == {(("outcome", "success"),): 1}


def test_server_errors_are_retried_with_a_fresh_signature(
    server: ScriptedServer, clock: FakeClock, telemetry: Telemetry
) -> None:
    server.answer(Reply(503, {"error": "busy"}), Reply(500, None), Reply(202, ACCEPTED))
    with capture_logs() as logs:
        result = send(make_client(server.url, clock), clock)
    assert result.attempts == 3
    stamps = [r.headers[TIMESTAMP_HEADER] for r in server.received]
    assert len(set(stamps)) == 3
    for received in server.received:
        assert_signed(received)
    assert clock.sleeps == pytest.approx([0.1, 0.2])  # rng 0.5 x ceilings 0.2, 0.4
    attempts = [e for e in logs if e["event"] == "sens_attempt"]
    assert [(e["attempt"], e["outcome"], e["status"]) for e in attempts] == [
        (1, "server_error", 503),
        (2, "server_error", 500),
        (3, "success", 202),
    ]
    assert all(e["latency_ms"] >= 0 for e in attempts)
    logs = [e for e in logs if e["event"] != "sens_attempt"]
    assert [e["event"] for e in logs] == ["sens_retry", "sens_retry"]
    assert logs[0]["attempt"] == 1
    assert logs[0]["status"] == 503
    assert logs[0]["sleep_s"] == 0.1
    assert logs[0]["phone"] == "010-****-1357"
    assert_no_secrets(repr(logs))
    spans = telemetry.spans
    assert [s.attributes.get("http.request.resend_count") for s in spans] == [None, 1, 2]
    assert [s.status.status_code for s in spans] == [
        StatusCode.ERROR,
        StatusCode.ERROR,
        StatusCode.UNSET,
    ]
    assert [len(s.events) for s in spans] == [1, 1, 0]  # exception recorded per failed attempt
    assert telemetry.counter("sens_requests") == {
        (("outcome", "server_error"),): 2,
        (("outcome", "success"),): 1,
    }


def test_throttling_is_retried_up_to_max_attempts(
    server: ScriptedServer, clock: FakeClock, telemetry: Telemetry
) -> None:
    server.answer(*[Reply(429, {"error": {"errorCode": "429", "message": "Too Many"}})] * 5)
    with pytest.raises(SensThrottledError) as info:
        send(make_client(server.url, clock, max_attempts=4), clock)
    assert len(server.received) == 4
    assert info.value.attempts == 4
    assert info.value.status == 429
    assert info.value.retryable
    assert clock.sleeps == pytest.approx([0.1, 0.2, 0.4])
    assert telemetry.counter("sens_requests") == {(("outcome", "throttled"),): 4}


def test_jittered_waits_stay_under_the_exponential_ceilings(
    server: ScriptedServer, clock: FakeClock
) -> None:
    server.answer(*[Reply(500)] * 6)
    with pytest.raises(SensServerError):
        send(make_client(server.url, clock, rng=lambda: 0.999, max_attempts=6), clock)
    ceilings = [0.2, 0.4, 0.8, 1.6, 2.0]
    assert len(clock.sleeps) == 5
    for slept, ceiling in zip(clock.sleeps, ceilings, strict=True):
        assert 0.99 * ceiling <= slept <= ceiling


def test_retry_after_header_is_honoured(server: ScriptedServer, clock: FakeClock) -> None:
    server.answer(Reply(429, None, {"Retry-After": "1.5"}), Reply(202, ACCEPTED))
    assert send(make_client(server.url, clock), clock).attempts == 2
    assert clock.sleeps == [1.5]


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, SensAuthError), (403, SensAuthError), (400, SensClientError), (404, SensClientError)],
)
def test_client_and_auth_errors_are_not_retried(
    server: ScriptedServer,
    clock: FakeClock,
    telemetry: Telemetry,
    status: int,
    error: type[SensError],
) -> None:
    server.answer(
        Reply(
            status,
            {
                "error": {
                    "errorCode": str(status),
                    "message": "rejected",
                    "details": f"bad key {ACCESS} for to=01024681357",
                }
            },
        ),
        Reply(202, ACCEPTED),
    )
    with pytest.raises(error) as info:
        send(make_client(server.url, clock), clock)
    assert len(server.received) == 1
    assert clock.sleeps == []
    assert info.value.retryable is False
    assert (info.value.status, info.value.attempts) == (status, 1)
    assert "rejected" in str(info.value)
    assert "010-****-1357" in str(info.value)  # the server's echo of the number is masked
    assert_no_secrets(str(info.value), repr(info.value))
    outcome = "auth_error" if error is SensAuthError else "client_error"
    assert telemetry.counter("sens_requests") == {(("outcome", outcome),): 1}
    (span,) = telemetry.spans
    assert span.status.status_code is StatusCode.ERROR
    assert_no_secrets(repr(dict(span.attributes or {})), repr([e.attributes for e in span.events]))


def test_accepted_without_request_id_is_not_resent(
    server: ScriptedServer, clock: FakeClock
) -> None:
    server.answer(Reply(202, b"not json"), Reply(202, ACCEPTED))
    with pytest.raises(SensProtocolError) as info:
        send(make_client(server.url, clock), clock)
    assert len(server.received) == 1
    assert not info.value.retryable


def test_backoff_never_sleeps_past_the_deadline(server: ScriptedServer, clock: FakeClock) -> None:
    server.answer(*[Reply(503)] * 4)
    client = make_client(server.url, clock, rng=lambda: 0.9, backoff_base_s=1.0, backoff_cap_s=8)
    with pytest.raises(SensDeadlineExceeded) as info:
        send(client, clock, budget=2.5)
    # waits: 0.9 (fits 2.5), then 1.8 (does not fit the 1.6 left) -> give up after 2 attempts
    assert clock.sleeps == pytest.approx([0.9])
    assert len(server.received) == 2
    assert info.value.attempts == 2
    assert info.value.status == 503
    assert info.value.retryable


def test_an_expired_deadline_sends_nothing(server: ScriptedServer, clock: FakeClock) -> None:
    with pytest.raises(SensDeadlineExceeded) as info:
        send(make_client(server.url, clock), clock, budget=0)
    assert server.received == []
    assert info.value.attempts == 0


def test_unreachable_sens_is_retried_then_reported(clock: FakeClock, telemetry: Telemetry) -> None:
    with pytest.raises(SensNetworkError) as info:
        send(make_client(closed_port_url(), clock, max_attempts=3), clock)
    assert info.value.attempts == 3
    assert info.value.retryable
    assert not info.value.maybe_delivered
    assert len(clock.sleeps) == 2
    assert telemetry.counter("sens_requests") == {(("outcome", "network_error"),): 3}


def test_a_lost_answer_is_not_retried(server: ScriptedServer, clock: FakeClock) -> None:
    server.answer(Reply(202, ACCEPTED, delay_s=1.0), Reply(202, ACCEPTED))
    with pytest.raises(SensNetworkError) as info:
        send(make_client(server.url, clock, timeout_s=0.2), clock)
    assert len(server.received) == 1
    assert info.value.maybe_delivered
    assert not info.value.retryable
    assert "may have been delivered" in str(info.value)


def test_attempt_timeout_is_cut_to_the_deadline(server: ScriptedServer) -> None:
    """A 5 s client timeout inside a 0.3 s budget: the answer (due after 2 s) is never awaited."""
    server.answer(Reply(202, ACCEPTED, delay_s=2.0))
    client = SensClient(
        base_url=server.url,
        access_key=ACCESS,
        secret_key=SECRET,
        service_id=SERVICE,
        caller_number="0215881234",
        timeout_s=5.0,
    )
    with pytest.raises(SensNetworkError, match="timed out"):
        client.send(
            compose_sms(PHONE, "안녕"), sms_type="confirm", store_id="s", deadline=Deadline(0.3)
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"service_id": "a/b"}, "service id"),
        ({"service_id": ""}, "service id"),
        ({"access_key": ""}, "access key"),
        ({"base_url": "sens.example"}, "base URL"),
    ],
)
def test_bad_configuration_fails_early_without_echoing_secrets(
    kwargs: dict[str, str], match: str
) -> None:
    options = {
        "base_url": "https://sens.example",
        "access_key": ACCESS,
        "secret_key": SECRET,
        "service_id": SERVICE,
        "caller_number": "0215881234",
    }
    options.update(kwargs)
    with pytest.raises(ValueError, match=match) as info:
        SensClient(**options)  # type: ignore[arg-type]
    assert_no_secrets(str(info.value))


def test_request_body_is_the_body_prepare_signs_without_signing() -> None:
    client = SensClient(
        base_url="http://127.0.0.1:9",
        access_key="AK-test-123456",
        secret_key="SK-test-654321",
        service_id="ncp:sms:kr:1:svc",
        caller_number="0215881234",
        clock_ms=lambda: 1_700_000_000_000,
    )
    message = compose_sms("010-1234-5678", "안내 " * 60, "방문 안내")
    assert client.request_body(message) == client.prepare(message).body
    assert client.request_body(message)["messages"][0]["subject"] == "방문 안내"
