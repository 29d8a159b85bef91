"""The local SENS server enforces the SMS v2 wire contract: signature, clock, service, body."""

from __future__ import annotations

import http.client
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from naver_sms.devstack import SensServer
from support.http_calls import Response, call, post_json, sens_headers

pytestmark = pytest.mark.integration

ACCESS_KEY = "AKIDKNOWNANSWER"
SECRET_KEY = "known-answer-secret"
SERVICE_ID = "ncp:sms:kr:000000000001:kat"
CALLER = "0212345678"
PATH = f"/sms/v2/services/{SERVICE_ID}/messages"
NOW_MS = 1_700_000_000_000
# openssl: printf 'POST <PATH>\n1700000000000\nAKIDKNOWNANSWER' \
#   | openssl dgst -sha256 -hmac known-answer-secret -binary | base64
KNOWN_SIGNATURE = "tU3SISpcn6TErp/FdmKw6ged69Kc1O8eC85Ljh1onYw="
HANGUL = "가"  # 2 bytes in cp949


@pytest.fixture(scope="module")
def server() -> Iterator[SensServer]:
    with SensServer(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        service_id=SERVICE_ID,
        caller_number="02-1234-5678",
        clock=lambda: NOW_MS / 1000,
    ) as sens:
        yield sens


@pytest.fixture(autouse=True)
def _fresh(server: SensServer) -> None:
    server.reset()


def body(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "SMS",
        "contentType": "COMM",
        "countryCode": "82",
        "from": CALLER,
        "content": "예약이 확정되었습니다.",
        "messages": [{"to": "01012345678"}],
    }
    base.update(overrides)
    return base


def send(
    server: SensServer,
    payload: Any,
    *,
    path: str = PATH,
    timestamp_ms: int = NOW_MS,
    access_key: str = ACCESS_KEY,
    secret_key: str = SECRET_KEY,
    headers: dict[str, str] | None = None,
    **kw: Any,
) -> Response:
    signed = sens_headers(
        access_key=access_key, secret_key=secret_key, path=path, timestamp_ms=timestamp_ms
    )
    return post_json(server.base_url + path, payload, {**signed, **(headers or {})}, **kw)


# -- signature ---------------------------------------------------------------------------------


def test_known_answer_signature_is_expected_and_accepted(server: SensServer) -> None:
    assert server.expected_signature("POST", PATH, str(NOW_MS)) == KNOWN_SIGNATURE
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "x-ncp-apigw-timestamp": str(NOW_MS),
        "x-ncp-iam-access-key": ACCESS_KEY,
        "x-ncp-apigw-signature-v2": KNOWN_SIGNATURE,
    }
    reply = post_json(server.base_url + PATH, body(), headers)
    assert reply.status == 202
    assert reply.body["statusCode"] == "202"
    assert reply.body["statusName"] == "success"
    assert reply.body["requestId"]
    assert reply.body["requestTime"]


def test_signature_one_character_off_is_rejected(server: SensServer) -> None:
    tampered = KNOWN_SIGNATURE[:-2] + ("A=" if KNOWN_SIGNATURE[-2] != "A" else "B=")
    reply = send(server, body(), headers={"x-ncp-apigw-signature-v2": tampered})
    assert reply.status == 401
    assert reply.body["error"]["errorCode"] == "200"
    assert reply.body["error"]["message"] == "Authentication Failed"
    assert "signature" in reply.body["error"]["details"]
    assert server.messages == []
    assert server.rejected[-1].reason is not None
    assert "signature" in server.rejected[-1].reason


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"secret_key": "another-secret"}, "signature"),
        ({"access_key": "AKIDSOMEONEELSE"}, "unknown access key"),
    ],
)
def test_wrong_credentials_are_rejected(
    server: SensServer, change: dict[str, str], detail: str
) -> None:
    reply = send(server, body(), **change)
    assert reply.status == 401
    assert detail in reply.body["error"]["details"]


def test_signature_covers_the_path(server: SensServer) -> None:
    signed_for_other = sens_headers(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        path="/sms/v2/services/other/messages",
        timestamp_ms=NOW_MS,
    )
    reply = post_json(server.base_url + PATH, body(), signed_for_other)
    assert reply.status == 401


@pytest.mark.parametrize(
    "header", ["x-ncp-apigw-timestamp", "x-ncp-iam-access-key", "x-ncp-apigw-signature-v2"]
)
def test_each_auth_header_is_required(server: SensServer, header: str) -> None:
    signed = sens_headers(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, path=PATH, timestamp_ms=NOW_MS
    )
    del signed[header]
    reply = post_json(server.base_url + PATH, body(), signed)
    assert reply.status == 401
    assert f"{header} header is missing" in reply.body["error"]["details"]


# -- clock skew --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset_ms", "status"),
    [
        (-6 * 60_000, 401),
        (6 * 60_000, 401),
        (-4 * 60_000, 202),
        (4 * 60_000, 202),
    ],
)
def test_timestamp_more_than_five_minutes_off_is_rejected(
    server: SensServer, offset_ms: int, status: int
) -> None:
    reply = send(server, body(), timestamp_ms=NOW_MS + offset_ms)
    assert reply.status == status
    if status == 401:
        assert "away from server time" in reply.body["error"]["details"]


def test_timestamp_in_seconds_is_rejected_with_a_hint(server: SensServer) -> None:
    reply = send(server, body(), timestamp_ms=NOW_MS // 1000)
    assert reply.status == 401
    assert "looks like seconds" in reply.body["error"]["details"]


def test_real_clock_is_the_default() -> None:
    with SensServer(access_key=ACCESS_KEY, secret_key=SECRET_KEY, service_id=SERVICE_ID) as live:
        now = send(live, body(), timestamp_ms=int(time.time() * 1000))
        stale = send(live, body(), timestamp_ms=NOW_MS)
    assert now.status == 202
    assert stale.status == 401


# -- routing -----------------------------------------------------------------------------------


def test_unknown_service_id_is_404_after_authentication(server: SensServer) -> None:
    other = "/sms/v2/services/ncp:sms:kr:999:nope/messages"
    reply = send(server, body(), path=other)
    assert reply.status == 404
    assert reply.body["error"]["details"] == "unknown serviceId"


def test_unknown_path_is_404(server: SensServer) -> None:
    reply = send(server, body(), path="/sms/v1/messages")
    assert reply.status == 404


# -- body validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "detail"),
    [
        ({"type": "XMS"}, "type must be one of SMS, LMS, MMS"),
        ({"contentType": "INFO"}, "contentType must be one of COMM, AD"),
        ({"countryCode": "1"}, "countryCode"),
        ({"countryCode": 82}, "countryCode"),
        ({"from": "02-1234-5678"}, "from must be a string of digits"),
        ({"from": "0299999999"}, "from is not a registered caller number"),
        ({"content": None}, "content is required"),
        ({"content": ""}, "content must not be empty"),
        ({"content": HANGUL * 45 + "a"}, "content is 91 bytes in cp949, over the SMS limit of 90"),
        (
            {"type": "LMS", "content": HANGUL * 1000 + "a"},
            "content is 2001 bytes in cp949, over the LMS limit of 2000",
        ),
        (
            {"type": "LMS", "subject": HANGUL * 20 + "a"},
            "subject is 41 bytes in cp949, over the limit of 40",
        ),
        ({"content": "확정 😀"}, "content has a character cp949 cannot encode at position 3"),
        ({"messages": []}, "messages must be a non-empty list"),
        ({"messages": "01012345678"}, "messages must be a non-empty list"),
        ({"messages": [{"to": "010-1234-5678"}]}, "messages[0].to must be a string of digits"),
        ({"messages": [{"to": "01012345678"}, {}]}, "messages[1].to must be a string of digits"),
        (
            {"messages": [{"to": "01012345678", "content": "x" * 91}]},
            "messages[0].content is 91 bytes",
        ),
        ({"messages": [{"to": "0101234567"}] * 101}, "messages has 101 entries, limit 100"),
    ],
)
def test_invalid_bodies_are_400_with_the_reason(
    server: SensServer, overrides: dict[str, Any], detail: str
) -> None:
    payload = {k: v for k, v in body(**overrides).items() if v is not None}
    reply = send(server, payload)
    assert reply.status == 400
    assert detail in reply.body["error"]["details"]
    assert "01012345678" not in str(reply.body)  # never echoes a phone number
    assert server.messages == []
    rejected = server.rejected[-1]
    assert rejected.status == 400
    assert rejected.body == payload


@pytest.mark.parametrize(
    ("raw", "content_type", "detail"),
    [
        (b"{not json", "application/json; charset=utf-8", "body is not JSON"),
        (b"[1, 2]", "application/json; charset=utf-8", "body must be a JSON object"),
        (b"\xff\xfe", "application/json; charset=utf-8", "not valid UTF-8"),
        (b"{}", "text/plain", "Content-Type must be application/json"),
        (b"{}", "application/json; charset=euc-kr", "charset must be utf-8"),
    ],
)
def test_undecodable_bodies_are_400(
    server: SensServer, raw: bytes, content_type: str, detail: str
) -> None:
    headers = sens_headers(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, path=PATH, timestamp_ms=NOW_MS
    )
    reply = call(
        server.base_url + PATH, data=raw, headers={**headers, "Content-Type": content_type}
    )
    assert reply.status == 400
    assert detail in reply.body["error"]["details"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"content": HANGUL * 45},  # exactly 90 bytes
        {"type": "LMS", "content": HANGUL * 1000, "subject": HANGUL * 20},  # 2000 / 40 bytes
        {"type": "sms"},  # SENS documents lower case as accepted
        {"contentType": "AD"},
    ],
)
def test_limits_are_inclusive(server: SensServer, overrides: dict[str, Any]) -> None:
    assert send(server, body(**overrides)).status == 202


def test_optional_fields_default_like_sens(server: SensServer) -> None:
    payload = body()
    del payload["contentType"], payload["countryCode"]
    assert send(server, payload).status == 202
    [message] = server.messages
    assert (message.content_type, message.country_code) == ("COMM", "82")


# -- recording ---------------------------------------------------------------------------------


def test_accepted_request_is_recorded_per_recipient_without_secrets(server: SensServer) -> None:
    payload = body(
        type="LMS",
        subject="예약 안내",
        content="기본 내용",
        messages=[
            {"to": "01011112222"},
            {"to": "01033334444", "content": "개별 내용", "subject": "개별 제목"},
        ],
    )
    reply = send(server, payload)
    assert reply.status == 202
    assert [(m.to, m.content, m.subject) for m in server.messages] == [
        ("01011112222", "기본 내용", "예약 안내"),
        ("01033334444", "개별 내용", "개별 제목"),
    ]
    assert {m.request_id for m in server.messages} == {reply.body["requestId"]}
    [exchange] = server.accepted
    assert exchange.body == payload
    assert exchange.status == 202
    assert exchange.response == reply.body
    assert SERVICE_ID not in exchange.path
    recorded = str(exchange.headers)
    assert ACCESS_KEY not in recorded
    assert KNOWN_SIGNATURE not in recorded
    assert exchange.headers["x-ncp-apigw-signature-v2"] == "[REDACTED]"


def test_reset_forgets_everything(server: SensServer) -> None:
    send(server, body())
    server.inject(500, times=3)
    server.reset()
    assert server.exchanges == []
    assert server.messages == []
    assert send(server, body()).status == 202


# -- fault injection ---------------------------------------------------------------------------


def test_injected_429_twice_then_success(server: SensServer) -> None:
    server.inject(429, times=2, retry_after=3)
    statuses = [send(server, body()) for _ in range(3)]
    assert [r.status for r in statuses] == [429, 429, 202]
    assert statuses[0].body["error"]["message"] == "Rate Limited"
    assert statuses[0].headers["Retry-After"] == "3"
    assert [e.injected for e in server.exchanges] == [True, True, False]
    assert len(server.messages) == 1


def test_injected_faults_run_in_order(server: SensServer) -> None:
    server.inject(503)
    server.inject(500)
    assert [send(server, body()).status for _ in range(3)] == [503, 500, 202]


def test_injected_hang_times_the_client_out_then_recovers(server: SensServer) -> None:
    server.inject(delay=2.0)
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout)):
        send(server, body(), timeout=0.3)
    assert time.monotonic() - started < 1.5
    server.reset()  # wakes the hung handler, which then drops its request
    assert send(server, body()).status == 202
    assert [e.status for e in server.exchanges] == [202]  # only the request sent after reset
    assert len(server.messages) == 1


def test_injected_disconnect_drops_the_connection(server: SensServer) -> None:
    server.inject(disconnect=True)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        send(server, body())
    assert server.exchanges[0].reason == "injected disconnect"
    assert send(server, body()).status == 202
