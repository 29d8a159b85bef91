"""Slack incoming-webhook client on urllib: POST one JSON message, bounded retries.

429 is retried after the ``Retry-After`` Slack sends when that fits the deadline; 5xx and
connection failures before the request was written are retried with jittered backoff. An
answer lost after the request was written is not retried (the channel would get the alarm
twice). The webhook URL is the credential: only :attr:`SlackClient.redacted_url` is ever shown.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import structlog

from naver_sms.clients import http
from naver_sms.clients.deadline import Deadline
from naver_sms.clients.errors import DeliveryError
from naver_sms.clients.retry import RetryPolicy, retry_or_raise

log = structlog.get_logger(__name__)

REDACTED = "REDACTED"


class SlackError(DeliveryError):
    """Slack did not take the message. `retry_after`: seconds Slack asked to wait (429)."""

    def _summary(self) -> str:
        return f"Slack: {self.args[0]}"


@dataclass(frozen=True)
class SlackResult:
    attempts: int


def _retry_after(headers: Mapping[str, str]) -> float | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                seconds = float(value)
            except ValueError:
                return None
            return seconds if seconds >= 0 else None
    return None


class SlackClient:
    """Posts messages to one incoming webhook."""

    def __init__(
        self,
        *,
        webhook_url: str,
        timeout_s: float = 5.0,
        max_attempts: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 4.0,
    ) -> None:
        parts = urlsplit(webhook_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("Slack webhook URL must be an http(s) URL")
        if parts.path.strip("/") == "":
            raise ValueError("Slack webhook URL has no path (the path is the webhook secret)")
        self.redacted_url = f"{parts.scheme}://{parts.netloc}/{REDACTED}"
        self._url = http.RedactedUrl(webhook_url, self.redacted_url)
        self._secret = parts.path
        self._timeout_s = timeout_s
        self._policy = RetryPolicy(max_attempts, backoff_base_s, backoff_cap_s)
        self._sleep = sleep
        self._rng = rng

    def __repr__(self) -> str:
        return f"SlackClient(url={self.redacted_url!r})"

    def send(self, payload: Mapping[str, Any], *, deadline: Deadline) -> SlackResult:
        """Post `payload` (``text`` and/or ``blocks``); raises SlackError when not delivered."""
        attempt = 0
        while True:
            if deadline.expired():
                raise SlackError(
                    "no time left in the invocation to call Slack",
                    attempts=attempt,
                    retryable=True,
                )
            attempt += 1
            error = self._attempt(payload, deadline)
            if error is None:
                return SlackResult(attempt)
            error.attempts = attempt
            retry_or_raise(
                error,
                self._policy,
                attempt,
                deadline,
                rng=self._rng,
                sleep=self._sleep,
                log=log,
                event="slack_retry",
            )

    def _attempt(self, payload: Mapping[str, Any], deadline: Deadline) -> SlackError | None:
        timeout_s = min(self._timeout_s, deadline.remaining())
        try:
            response = http.post_json(self._url, payload, headers={}, timeout_s=timeout_s)
        except http.HttpNetworkError as exc:
            reason = exc.reason.replace(self._secret, "/" + REDACTED)
            if exc.request_sent:
                return SlackError(
                    f"answer lost after the request was sent ({reason}); not retrying",
                    retryable=False,
                )
            return SlackError(f"cannot reach Slack ({reason})", retryable=True)
        if 200 <= response.status < 300:
            return None
        body = response.body.decode("utf-8", errors="replace").strip()
        detail = body.replace(self._secret, "/" + REDACTED)[:200] or f"HTTP {response.status}"
        if response.status == 429:
            return SlackError(
                detail,
                status=429,
                retryable=True,
                retry_after=_retry_after(response.headers),
            )
        return SlackError(detail, status=response.status, retryable=response.status >= 500)
