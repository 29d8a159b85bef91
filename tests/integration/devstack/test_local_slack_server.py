"""The local Slack incoming webhook judges requests like Slack: secret path, JSON body."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from naver_sms.devstack.slack_server import SlackServer

pytestmark = pytest.mark.integration

SECRET = "T1/B2/canaryHOOK"


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    server = SlackServer(secret=SECRET).start()
    try:
        yield server
    finally:
        server.stop()


def post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, str, str]:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode(), response.headers["Content-Type"]
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), exc.headers["Content-Type"]


def test_accepts_text_and_answers_plain_ok(slack: SlackServer) -> None:
    status, body, content_type = post(slack.webhook_url, b'{"text": "hi"}')
    assert (status, body) == (200, "ok")
    assert content_type.startswith("text/plain")
    assert [m.text for m in slack.messages] == ["hi"]
    assert slack.exchanges[0].path == "/services/[REDACTED]"


@pytest.mark.parametrize(
    ("path", "body", "content_type", "status", "answer"),
    [
        ("/services/T1/B2/wrong", b'{"text": "hi"}', "application/json", 403, "invalid_token"),
        ("/other", b'{"text": "hi"}', "application/json", 404, "no_service"),
        (
            f"/services/{SECRET}",
            b"text=hi",
            "application/x-www-form-urlencoded",
            400,
            "invalid_payload",
        ),
        (f"/services/{SECRET}", b"{oops", "application/json", 400, "invalid_payload"),
        (f"/services/{SECRET}", b'{"text": " "}', "application/json", 400, "no_text"),
        (f"/services/{SECRET}", b'{"blocks": [{}]}', "application/json", 400, "invalid_blocks"),
    ],
)
def test_refuses_what_slack_refuses(
    slack: SlackServer, path: str, body: bytes, content_type: str, status: int, answer: str
) -> None:
    assert post(slack.base_url + path, body, content_type)[:2] == (status, answer)
    assert slack.messages == []
    assert "canaryHOOK" not in slack.exchanges[0].path


def test_injected_429_carries_retry_after(slack: SlackServer) -> None:
    slack.inject(429, retry_after=7)
    request = urllib.request.Request(slack.webhook_url, data=b'{"text": "hi"}', method="POST")
    request.add_header("Content-Type", "application/json")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 429
    assert caught.value.headers["Retry-After"] == "7"
    assert slack.messages == []
