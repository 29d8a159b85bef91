"""Slack webhook client against the local webhook server: retries, Retry-After, deadline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from structlog.testing import capture_logs

from naver_sms.alerts.slack import SlackClient, SlackError
from naver_sms.clients.deadline import Deadline
from naver_sms.devstack.slack_server import SlackServer

SECRET = "T0001/B0002/canarySLACKsecret"
PAYLOAD = {
    "text": "hello",
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
}


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    server = SlackServer(secret=SECRET).start()
    try:
        yield server
    finally:
        server.stop()


def client(url: str, sleeps: list[float], **kwargs: float) -> SlackClient:
    options = {"timeout_s": 2.0, "max_attempts": 3, "rng": lambda: 0.5, "sleep": sleeps.append}
    options.update(kwargs)
    return SlackClient(webhook_url=url, **options)  # type: ignore[arg-type]


def test_posts_the_payload(slack: SlackServer) -> None:
    sleeps: list[float] = []
    result = client(slack.webhook_url, sleeps).send(PAYLOAD, deadline=Deadline(10))
    assert result.attempts == 1
    [message] = slack.messages
    assert message.payload == PAYLOAD
    assert slack.exchanges[0].response == b"ok"
    assert sleeps == []


def test_429_waits_the_retry_after_then_succeeds(slack: SlackServer) -> None:
    slack.inject(429, retry_after=3)
    sleeps: list[float] = []
    with capture_logs() as logs:
        result = client(slack.webhook_url, sleeps).send(PAYLOAD, deadline=Deadline(10))
    assert result.attempts == 2
    assert sleeps == [3.0]  # what Slack asked for, above the 0.25 s jittered backoff
    assert len(slack.messages) == 1
    assert [entry["event"] for entry in logs] == ["slack_retry"]
    assert logs[0]["status"] == 429


def test_429_asking_past_the_deadline_is_not_waited(slack: SlackServer) -> None:
    slack.inject(429, retry_after=30)
    sleeps: list[float] = []
    with pytest.raises(SlackError) as caught:
        client(slack.webhook_url, sleeps).send(PAYLOAD, deadline=Deadline(5))
    assert caught.value.status == 429
    assert caught.value.attempts == 1
    assert sleeps == []
    assert slack.messages == []


def test_5xx_is_retried_with_backoff_up_to_max_attempts(slack: SlackServer) -> None:
    slack.inject(503, times=3)
    sleeps: list[float] = []
    with pytest.raises(SlackError) as caught:
        client(slack.webhook_url, sleeps).send(PAYLOAD, deadline=Deadline(10))
    assert caught.value.status == 503
    assert caught.value.attempts == 3
    assert sleeps == [0.25, 0.5]  # rng 0.5 x ceilings 0.5 and 1.0
    assert len(slack.exchanges) == 3


def test_5xx_then_success(slack: SlackServer) -> None:
    slack.inject(500)
    sleeps: list[float] = []
    assert client(slack.webhook_url, sleeps).send(PAYLOAD, deadline=Deadline(10)).attempts == 2
    assert len(slack.messages) == 1


def test_4xx_is_not_retried_and_the_secret_is_not_in_the_error(slack: SlackServer) -> None:
    wrong = slack.webhook_url.replace("canarySLACKsecret", "wrongSECRET")
    with pytest.raises(SlackError) as caught:
        client(wrong, []).send(PAYLOAD, deadline=Deadline(10))
    assert caught.value.status == 403
    assert caught.value.attempts == 1
    assert "invalid_token" in str(caught.value)
    assert "wrongSECRET" not in str(caught.value)
    assert "canarySLACKsecret" not in repr(client(slack.webhook_url, []))


def test_a_lost_answer_is_not_retried(slack: SlackServer) -> None:
    slack.inject(delay=1.0, status=None)
    with pytest.raises(SlackError) as caught:
        client(slack.webhook_url, [], timeout_s=0.2).send(PAYLOAD, deadline=Deadline(10))
    assert "not retrying" in str(caught.value)
    assert caught.value.retryable is False
    assert "canarySLACKsecret" not in str(caught.value)


def test_an_expired_deadline_sends_nothing(slack: SlackServer) -> None:
    with pytest.raises(SlackError, match="no time left"):
        client(slack.webhook_url, []).send(PAYLOAD, deadline=Deadline(0))
    assert slack.exchanges == []


@pytest.mark.parametrize(
    "url", ["ftp://x/y", "https://hooks.slack.com", "https://hooks.slack.com/"]
)
def test_bad_webhook_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="Slack webhook URL"):
        SlackClient(webhook_url=url)
