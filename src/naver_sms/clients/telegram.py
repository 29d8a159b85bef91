"""Telegram Bot API client for owner notifications: `sendMessage` in HTML parse mode.

Plain text goes in; it is HTML-escaped (only `&`, `<`, `>` are special to Telegram), split into
messages of at most 4096 characters, and sent in order. A 429 is retried after exactly the
`parameters.retry_after` Telegram asks for when that fits the deadline; 5xx and connection
failures are retried with jittered backoff. As for SENS, an answer lost after the request was
written is not retried (the owner would get the message twice).

The bot token sits in the URL path (`/bot<token>/sendMessage`); spans, logs, exceptions and
reprs only ever see :attr:`TelegramClient.redacted_url`.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog

from naver_sms.clients import http
from naver_sms.clients.deadline import Deadline
from naver_sms.clients.errors import DeliveryError
from naver_sms.clients.retry import RetryPolicy, retry_or_raise
from naver_sms.clients.sms import mask_phones_in_text
from naver_sms.telemetry import instruments

log = structlog.get_logger(__name__)

REDACTED = "REDACTED"
MESSAGE_LIMIT = 4096
_MIN_LIMIT = 16  # room for the longest entity plus a surrogate pair
_TOKEN = re.compile(r"[A-Za-z0-9:_\-]+")


def escape_html(text: str) -> str:
    """Escape the three characters Telegram's HTML mode treats as markup; nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _fit(text: str, limit: int) -> int:
    """Largest index i such that text[:i] is at most `limit` units."""
    used = 0
    for index, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def _split_line(line: str, limit: int) -> list[str]:
    pieces: list[str] = []
    rest = line
    while _units(rest) > limit:
        cut = _fit(rest, limit)
        space = rest.rfind(" ", 0, cut)
        if space >= cut // 2:
            cut = space + 1  # the space ends the piece; entities never contain spaces
        else:
            amp = rest.rfind("&", 0, cut)
            if amp > 0 and rest.find(";", amp, cut) == -1:
                cut = amp  # an entity would straddle the cut: move it whole to the next piece
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split already-escaped HTML text into messages of at most `limit` UTF-16 units.

    Splits fall on line breaks where possible (the newline at a split is dropped), else on a
    space, else anywhere except inside an HTML entity such as `&amp;`. Whitespace-only
    pieces are dropped: Telegram rejects empty messages.
    """
    if limit < _MIN_LIMIT:
        raise ValueError(f"limit must be at least {_MIN_LIMIT}, got {limit}")
    segments: list[tuple[str, str]] = []  # (separator before it, segment)
    for line_no, line in enumerate(text.split("\n")):
        for piece_no, piece in enumerate(_split_line(line, limit)):
            separator = "\n" if line_no > 0 and piece_no == 0 else ""
            segments.append((separator, piece))
    chunks: list[str] = []
    current: str | None = None
    for separator, segment in segments:
        if current is None:
            current = segment
        elif _units(current) + _units(separator) + _units(segment) <= limit:
            current += separator + segment
        else:
            chunks.append(current)
            current = segment
    if current is not None:
        chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()]


@dataclass(frozen=True)
class TelegramResult:
    message_ids: list[int]
    attempts: int


class TelegramError(DeliveryError):
    """Telegram did not take the message. `message_ids`: parts already sent before failing."""

    def __init__(
        self,
        description: str,
        *,
        status: int | None = None,
        attempts: int = 1,
        retry_after: float | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(
            description,
            status=status,
            attempts=attempts,
            retryable=retryable,
            retry_after=retry_after,
        )
        self.description = description
        self.message_ids: list[int] = []

    def _summary(self) -> str:
        return f"Telegram: {self.description}"


class TelegramAuthError(TelegramError):
    """401/403: wrong bot token, or the bot was removed from the chat."""


class TelegramBadRequestError(TelegramError):
    """400: e.g. unknown chat id."""


class TelegramThrottledError(TelegramError):
    """429 that could not be waited out within the deadline or attempts."""

    retryable = True


class TelegramServerError(TelegramError):
    retryable = True


class TelegramNetworkError(TelegramError):
    """No answer; not retryable when the request may already have been delivered."""


class TelegramDeadlineExceeded(TelegramError):
    retryable = True


@dataclass
class _Progress:
    message_ids: list[int] = field(default_factory=list)
    attempts: int = 0


class TelegramClient:
    """Sends plain-text notifications to one chat."""

    def __init__(
        self,
        *,
        api_url: str,
        bot_token: str,
        chat_id: str,
        timeout_s: float = 5.0,
        max_attempts: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 4.0,
    ) -> None:
        if not bot_token or not _TOKEN.fullmatch(bot_token):
            raise ValueError("Telegram bot token is empty or has characters a token cannot have")
        if not str(chat_id).strip():
            raise ValueError("Telegram chat id is empty")
        if not api_url.startswith(("http://", "https://")):
            raise ValueError("Telegram API URL must start with http:// or https://")
        base = api_url.rstrip("/")
        self.redacted_url = f"{base}/bot{REDACTED}/sendMessage"
        self._url = http.RedactedUrl(f"{base}/bot{bot_token}/sendMessage", self.redacted_url)
        self._token = bot_token
        self._chat_id = str(chat_id)
        self._timeout_s = timeout_s
        self._policy = RetryPolicy(max_attempts, backoff_base_s, backoff_cap_s)
        self._sleep = sleep
        self._rng = rng

    def __repr__(self) -> str:
        return f"TelegramClient(url={self.redacted_url!r})"

    def send(self, text: str, *, deadline: Deadline) -> TelegramResult:
        """Escape, split and send `text`; returns the ids of the messages Telegram created."""
        if not text or not text.strip():
            raise ValueError("Telegram message text is empty")
        progress = _Progress()
        for chunk in split_message(escape_html(text)):
            try:
                progress.message_ids.append(self._send_chunk(chunk, deadline, progress))
            except TelegramError as exc:
                exc.message_ids = list(progress.message_ids)
                exc.attempts = progress.attempts
                raise
        return TelegramResult(progress.message_ids, progress.attempts)

    def _send_chunk(self, chunk: str, deadline: Deadline, progress: _Progress) -> int:
        attempt = 0
        while True:
            if deadline.expired():
                raise TelegramDeadlineExceeded(
                    "no time left in the invocation to call Telegram", attempts=progress.attempts
                )
            attempt += 1
            progress.attempts += 1
            message_id, error = self._attempt(chunk, attempt, deadline)
            if message_id is not None:
                return message_id
            assert error is not None
            error.attempts = progress.attempts
            retry_or_raise(
                error,
                self._policy,
                attempt,
                deadline,
                rng=self._rng,
                sleep=self._sleep,
                log=log,
                event="telegram_retry",
            )

    def _attempt(
        self, chunk: str, attempt: int, deadline: Deadline
    ) -> tuple[int | None, TelegramError | None]:
        payload = {"chat_id": self._chat_id, "text": chunk, "parse_mode": "HTML"}
        timeout_s = min(self._timeout_s, deadline.remaining())
        with instruments.telegram_request(self.redacted_url, attempt) as call:
            try:
                response = http.post_json(self._url, payload, headers={}, timeout_s=timeout_s)
            except http.HttpNetworkError as exc:
                reason = self._scrub(exc.reason)
                error: TelegramError = TelegramNetworkError(
                    f"answer lost after the request was sent ({reason}); not retrying"
                    if exc.request_sent
                    else f"cannot reach Telegram ({reason})",
                    retryable=not exc.request_sent,
                )
                call.span.record_exception(error)
                call.finish("network_error")
                return None, error
            outcome, message_id, error_or_none = self._classify(response)
            if error_or_none is not None:
                call.span.record_exception(error_or_none)
            call.finish(outcome, response.status)
            return message_id, error_or_none

    def _classify(
        self, response: http.HttpResponse
    ) -> tuple[str, int | None, TelegramError | None]:
        status = response.status
        payload = response.json()
        data: dict[str, Any] = payload if isinstance(payload, dict) else {}
        result = data.get("result")
        if 200 <= status < 300 and data.get("ok") is True:
            message_id = result.get("message_id") if isinstance(result, dict) else None
            if isinstance(message_id, int):
                return "success", message_id, None
            return (
                "server_error",
                None,
                TelegramError("answer has no result.message_id", status=status),
            )
        description = self._scrub(str(data.get("description") or f"HTTP {status}"))[:300]
        if status in (401, 403):
            return "auth_error", None, TelegramAuthError(description, status=status)
        if status == 400:
            return "client_error", None, TelegramBadRequestError(description, status=status)
        if status == 429:
            parameters = data.get("parameters")
            retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
            return (
                "throttled",
                None,
                TelegramThrottledError(
                    description,
                    status=status,
                    retry_after=float(retry_after)
                    if isinstance(retry_after, int | float)
                    else None,
                ),
            )
        if status >= 500:
            return "server_error", None, TelegramServerError(description, status=status)
        return "client_error", None, TelegramError(description, status=status)

    def _scrub(self, text: str) -> str:
        return mask_phones_in_text(text.replace(self._token, REDACTED))
