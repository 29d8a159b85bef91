"""Local Slack incoming-webhook server: the webhook path secret, then the JSON body, checked.

Like Slack it answers ``200 ok`` in plain words and errors as short bodies (``invalid_token``,
``no_text``, ``invalid_payload``); an injected 429 carries ``Retry-After``. The webhook path
is the secret, so it is redacted from every recorded exchange.
"""

from __future__ import annotations

import hmac
import json
import threading
from dataclasses import dataclass
from typing import Any

from naver_sms.devstack.faults import Fault
from naver_sms.devstack.loopback import IncomingRequest, LoopbackServer, Reply

REDACTED = "[REDACTED]"
WEBHOOK_PREFIX = "/services/"


@dataclass(frozen=True)
class SlackMessage:
    """One message the local webhook accepted."""

    text: str | None
    blocks: list[Any] | None
    payload: dict[str, Any]


class SlackServer(LoopbackServer):
    """Local incoming webhook at ``/services/<secret>``."""

    name = "slack"

    def __init__(self, *, secret: str, host: str = "127.0.0.1", port: int = 0) -> None:
        if not secret.strip("/") or any(ch.isspace() for ch in secret):
            raise ValueError("webhook secret is empty or contains whitespace")
        super().__init__(host=host, port=port)
        self._secret = secret.strip("/")
        self._messages: list[SlackMessage] = []
        self._messages_lock = threading.Lock()

    @property
    def webhook_url(self) -> str:
        """The full webhook URL (a secret, like Slack's)."""
        return f"{self.base_url}{WEBHOOK_PREFIX}{self._secret}"

    @property
    def messages(self) -> list[SlackMessage]:
        with self._messages_lock:
            return list(self._messages)

    def _handle(self, request: IncomingRequest) -> Reply:
        if request.method != "POST":
            return Reply(405, b"invalid_method", "only POST")
        if not request.path.startswith(WEBHOOK_PREFIX):
            return Reply(404, b"no_service", "not a webhook path")
        given = request.path[len(WEBHOOK_PREFIX) :].encode()
        if not hmac.compare_digest(given, self._secret.encode()):
            return Reply(403, b"invalid_token", "wrong webhook secret")
        media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media != "application/json":
            return Reply(400, b"invalid_payload", f"Content-Type {media!r} is not JSON")
        try:
            payload = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return Reply(400, b"invalid_payload", f"body is not JSON: {exc}")
        if not isinstance(payload, dict):
            return Reply(400, b"invalid_payload", "body is not a JSON object", request_body=payload)
        text, blocks = payload.get("text"), payload.get("blocks")
        if text is not None and not isinstance(text, str):
            return Reply(400, b"invalid_payload", "text must be a string", request_body=payload)
        if blocks is not None and not (
            isinstance(blocks, list) and all(_is_block(b) for b in blocks)
        ):
            return Reply(
                400, b"invalid_blocks", "blocks must be typed objects", request_body=payload
            )
        if not (text and text.strip()) and not blocks:
            return Reply(400, b"no_text", "neither text nor blocks", request_body=payload)
        with self._messages_lock:
            if self.is_current(request):  # else its reply is dropped too
                self._messages.append(SlackMessage(text, blocks, payload))
        return Reply(200, b"ok", request_body=payload)

    def _fault_reply(self, status: int, fault: Fault) -> Reply:
        if status == 429:
            retry_after = fault.retry_after if fault.retry_after is not None else 1
            return Reply(429, b"rate_limited", "injected 429", {"Retry-After": str(retry_after)})
        return Reply(
            status, b"service_unavailable" if status >= 500 else b"error", f"injected {status}"
        )

    def reset(self) -> None:
        super().reset()
        with self._messages_lock:
            self._messages.clear()

    def _redact_path(self, path: str) -> str:
        if path.startswith(WEBHOOK_PREFIX):
            return WEBHOOK_PREFIX + REDACTED
        return path


def _is_block(block: Any) -> bool:
    return isinstance(block, dict) and isinstance(block.get("type"), str)
