"""Local Telegram Bot API server: ``sendMessage`` with the token, chat and text checks.

Parameters come from the query string, a JSON body or a form body, as with the real Bot API.
Errors use the Bot API shape ``{"ok": false, "error_code", "description"}``; the token is
redacted from every recorded path because it is a secret that lives in the URL.
"""

from __future__ import annotations

import hmac
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from naver_sms.devstack.faults import Fault
from naver_sms.devstack.loopback import IncomingRequest, LoopbackServer, Reply
from naver_sms.devstack.telegram_html import TelegramHtmlError, parse_html

REDACTED = "[REDACTED]"
BOT_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")
MAX_TEXT_LENGTH = 4096
_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def telegram_error(
    status: int, description: str, parameters: dict[str, Any] | None = None
) -> Reply:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters is not None:
        body["parameters"] = parameters
    return Reply(status, body, description)


@dataclass(frozen=True)
class TelegramMessage:
    """One message the local Bot API accepted."""

    message_id: int
    chat_id: str
    text: str
    """As sent (HTML markup included)."""
    plain_text: str
    """After entity parsing: what the chat shows."""
    parse_mode: str | None
    date: int
    params: dict[str, Any]


class _BadRequest(Exception):
    """Becomes a 400 whose description is ``Bad Request: <message>``."""


class TelegramServer(LoopbackServer):
    """Local Bot API checking the bot token, the chat id and the message text."""

    name = "telegram"

    def __init__(
        self,
        *,
        token: str,
        chat_id: str,
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host=host, port=port)
        self._token = token
        self.chat_id = str(chat_id)
        self.clock = clock
        self._initial_clock = clock
        self._messages: list[TelegramMessage] = []
        self._messages_lock = threading.Lock()
        self._next_id = 1

    @property
    def messages(self) -> list[TelegramMessage]:
        """Every message accepted so far, in order (a copy)."""
        with self._messages_lock:
            return list(self._messages)

    # -- judging -----------------------------------------------------------------------------

    def _handle(self, request: IncomingRequest) -> Reply:
        route = BOT_PATH.match(request.path)
        if route is None:
            return telegram_error(404, "Not Found")
        if not hmac.compare_digest(route.group("token").encode(), self._token.encode()):
            return telegram_error(401, "Unauthorized")
        method = route.group("method").lower()
        try:
            params = self._params(request)
        except _BadRequest as exc:
            return telegram_error(400, f"Bad Request: {exc}")
        if method == "getme":
            return Reply(200, {"ok": True, "result": self._bot()}, request_body=params)
        if method != "sendmessage":
            return telegram_error(404, "Not Found: method not found")
        try:
            message = self._send_message(request, params)
        except _BadRequest as exc:
            reply = telegram_error(400, f"Bad Request: {exc}")
            return Reply(reply.status, reply.body, reply.reason, request_body=params)
        result = {
            "message_id": message.message_id,
            "from": self._bot(),
            "chat": {"id": _chat_id_value(message.chat_id), "type": _chat_type(message.chat_id)},
            "date": message.date,
            "text": message.plain_text,
        }
        return Reply(200, {"ok": True, "result": result}, request_body=params)

    @staticmethod
    def _params(request: IncomingRequest) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if not request.body:
            return params
        media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _BadRequest(f"body is not valid UTF-8 at byte {exc.start}") from exc
        if media == "application/json":
            try:
                body = json.loads(text)
            except json.JSONDecodeError as exc:
                raise _BadRequest(f"can't parse JSON object: {exc.msg}") from exc
            if not isinstance(body, dict):
                raise _BadRequest("can't parse JSON object: not an object")
            params.update(body)
        elif media == "application/x-www-form-urlencoded":
            params.update(parse_qsl(text, keep_blank_values=True))
        else:
            raise _BadRequest(
                f"unsupported Content-Type {media!r} (use application/json or a form body)"
            )
        return params

    def _send_message(self, request: IncomingRequest, params: dict[str, Any]) -> TelegramMessage:
        chat_id = params.get("chat_id")
        if chat_id is None or str(chat_id) == "":
            raise _BadRequest("chat_id is empty")
        if str(chat_id) != self.chat_id:
            raise _BadRequest("chat not found")
        text = params.get("text")
        if text is None or text == "":
            raise _BadRequest("message text is empty")
        if not isinstance(text, str):
            raise _BadRequest('field "text" must be of type String')
        parse_mode = params.get("parse_mode") or None
        if parse_mode is None:
            plain = text
        elif isinstance(parse_mode, str) and parse_mode.lower() == "html":
            try:
                plain = parse_html(text).plain_text
            except TelegramHtmlError as exc:
                raise _BadRequest(f"can't parse entities: {exc}") from exc
        else:
            raise _BadRequest("unsupported parse_mode (the local server checks HTML only)")
        if not plain.strip():
            raise _BadRequest("message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise _BadRequest("message is too long")
        with self._messages_lock:
            message = TelegramMessage(
                message_id=self._next_id,
                chat_id=self.chat_id,
                text=text,
                plain_text=plain,
                parse_mode=parse_mode,
                date=int(self.clock()),
                params=dict(params),
            )
            if self.is_current(request):  # else its reply is dropped too
                self._next_id += 1
                self._messages.append(message)
        return message

    @staticmethod
    def _bot() -> dict[str, Any]:
        return {"id": 1, "is_bot": True, "first_name": "naver-sms local", "username": "local_bot"}

    # -- hooks -------------------------------------------------------------------------------

    def _fault_reply(self, status: int, fault: Fault) -> Reply:
        if status == 429:
            retry_after = fault.retry_after if fault.retry_after is not None else 1
            return telegram_error(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        return telegram_error(status, _DESCRIPTIONS.get(status, "Error"))

    def reset(self) -> None:
        """Forget exchanges, queued faults and accepted messages (between tests)."""
        super().reset()
        self.clock = self._initial_clock
        with self._messages_lock:
            self._messages.clear()
            self._next_id = 1

    def _redact_path(self, path: str) -> str:
        return BOT_PATH.sub(lambda m: f"/bot{REDACTED}/{m.group('method')}", path)


def _chat_id_value(chat_id: str) -> int | str:
    return int(chat_id) if re.fullmatch(r"-?[0-9]+", chat_id) else chat_id


def _chat_type(chat_id: str) -> str:
    if chat_id.startswith("-100"):
        return "supergroup"
    return "group" if chat_id.startswith("-") else "private"
