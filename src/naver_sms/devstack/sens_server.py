"""Local Naver Cloud SENS SMS v2 server: the wire contract, checked as strictly as the real one.

``POST /sms/v2/services/{serviceId}/messages`` with the API Gateway signature headers. Checks
run in the gateway's order: route, authentication (401), service id (404), body (400); an
accepted request gets the real 202 body. Error bodies follow the NCP API Gateway shape
``{"error": {"errorCode", "message", "details"}}`` and never echo a phone number or secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from naver_sms.devstack.faults import Fault
from naver_sms.devstack.loopback import IncomingRequest, LoopbackServer, Reply

REDACTED = "[REDACTED]"
MESSAGES_PATH = re.compile(r"^/sms/v2/services/(?P<service_id>[^/]+)/messages$")
TIMESTAMP_HEADER = "x-ncp-apigw-timestamp"
ACCESS_KEY_HEADER = "x-ncp-iam-access-key"
SIGNATURE_HEADER = "x-ncp-apigw-signature-v2"
SECRET_HEADERS = frozenset({ACCESS_KEY_HEADER, SIGNATURE_HEADER})

MESSAGE_TYPES = ("SMS", "LMS", "MMS")
CONTENT_TYPES = ("COMM", "AD")
SMS_MAX_BYTES = 90
LMS_MAX_BYTES = 2000
SUBJECT_MAX_BYTES = 40
MAX_RECIPIENTS = 100
MAX_CLOCK_SKEW_SECONDS = 300.0
_DIGITS = re.compile(r"^[0-9]+$")
_KST = timezone(timedelta(hours=9))

# API Gateway error codes by HTTP status (NCP API Gateway common errors).
_GATEWAY_ERRORS: dict[int, tuple[str, str]] = {
    400: ("100", "Bad Request Exception"),
    401: ("200", "Authentication Failed"),
    403: ("210", "Permission Denied"),
    404: ("300", "Not Found Exception"),
    405: ("310", "Method Not Allowed"),
    413: ("430", "Request Entity Too Large"),
    429: ("420", "Rate Limited"),
    500: ("900", "Unexpected Error"),
    502: ("500", "Endpoint Error"),
    503: ("500", "Endpoint Error"),
    504: ("510", "Endpoint Timeout"),
}


def sens_error(status: int, details: str) -> Reply:
    """A refusal with the gateway's error body; ``details`` is also the recorded reason."""
    code, message = _GATEWAY_ERRORS.get(status, (str(status), "Error"))
    return Reply(
        status, {"error": {"errorCode": code, "message": message, "details": details}}, details
    )


@dataclass(frozen=True)
class SensMessage:
    """One SMS the local SENS accepted, per recipient, with the request defaults applied."""

    request_id: str
    type: str
    content_type: str
    country_code: str
    from_number: str
    to: str
    content: str
    subject: str | None


class _Invalid(Exception):
    """A body that breaks the contract; the message is the 400's details."""


def _cp949_length(value: str, where: str) -> int:
    try:
        return len(value.encode("cp949"))
    except UnicodeEncodeError as exc:
        raise _Invalid(
            f"{where} has a character cp949 cannot encode at position {exc.start}"
        ) from exc


def _optional_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Invalid(f"{where}{key} must be a string")
    return value


def _check_content(text: str, msg_type: str, where: str) -> None:
    if not text:
        raise _Invalid(f"{where} must not be empty")
    limit = SMS_MAX_BYTES if msg_type == "SMS" else LMS_MAX_BYTES
    size = _cp949_length(text, where)
    if size > limit:
        raise _Invalid(f"{where} is {size} bytes in cp949, over the {msg_type} limit of {limit}")


def _check_subject(subject: str | None, msg_type: str, where: str) -> str | None:
    if subject is None or msg_type == "SMS":
        return None  # SENS ignores a subject on SMS
    size = _cp949_length(subject, where)
    if size > SUBJECT_MAX_BYTES:
        raise _Invalid(f"{where} is {size} bytes in cp949, over the limit of {SUBJECT_MAX_BYTES}")
    return subject


def _check_content_type_header(value: str | None) -> None:
    if value is None:
        raise _Invalid("Content-Type header is missing (expected application/json; charset=utf-8)")
    media, _, params = value.partition(";")
    if media.strip().lower() != "application/json":
        raise _Invalid(f"Content-Type must be application/json, got {media.strip()!r}")
    for param in params.split(";"):
        name, _, charset = param.partition("=")
        if name.strip().lower() == "charset" and charset.strip().strip('"').lower() != "utf-8":
            raise _Invalid(f"Content-Type charset must be utf-8, got {charset.strip()!r}")


class SensServer(LoopbackServer):
    """Local SENS SMS v2 endpoint checking the signature, the service id and the body."""

    name = "sens"

    def __init__(
        self,
        *,
        access_key: str,
        secret_key: str,
        service_id: str,
        caller_number: str | None = None,
        max_clock_skew: float = MAX_CLOCK_SKEW_SECONDS,
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host=host, port=port)
        self.access_key = access_key
        self._secret_key = secret_key
        self.service_id = service_id
        self.caller_number = caller_number
        """Registered caller id; when set, ``from`` must equal it (digits compared)."""
        self.max_clock_skew = max_clock_skew
        self._initial_skew = max_clock_skew
        self.clock = clock
        self._initial_clock = clock
        self._messages: list[SensMessage] = []
        self._messages_lock = threading.Lock()

    @property
    def messages(self) -> list[SensMessage]:
        """Every SMS accepted so far, one per recipient, in order (a copy)."""
        with self._messages_lock:
            return list(self._messages)

    def expected_signature(self, method: str, target: str, timestamp: str) -> str:
        """The signature the gateway expects for this request line and timestamp."""
        message = f"{method} {target}\n{timestamp}\n{self.access_key}"
        digest = hmac.new(self._secret_key.encode(), message.encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode("ascii")

    # -- judging -----------------------------------------------------------------------------

    def _handle(self, request: IncomingRequest) -> Reply:
        route = MESSAGES_PATH.match(request.path)
        if route is None:
            return sens_error(404, f"no SENS endpoint at {self._redact_path(request.path)}")
        if request.method != "POST":
            return sens_error(405, f"{request.method} is not allowed, use POST")
        refusal = self._authenticate(request)
        if refusal is not None:
            return refusal
        if route.group("service_id") != self.service_id:
            return sens_error(404, "unknown serviceId")
        try:
            _check_content_type_header(request.headers.get("content-type"))
            body = self._decode(request.body)
            messages = self._validate(body)
        except _Invalid as exc:
            reply = sens_error(400, str(exc))
            return Reply(
                reply.status, reply.body, reply.reason, request_body=self._safe_json(request)
            )
        request_time = datetime.now(_KST).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        request_id = f"VORSSA-{uuid.uuid4().hex[:24]}"
        with self._messages_lock:
            if self.is_current(request):  # else its reply is dropped too
                self._messages.extend(
                    SensMessage(request_id=request_id, **fields) for fields in messages
                )
        response = {
            "requestId": request_id,
            "requestTime": request_time,
            "statusCode": "202",
            "statusName": "success",
        }
        return Reply(202, response, request_body=body)

    def _authenticate(self, request: IncomingRequest) -> Reply | None:
        timestamp = request.headers.get(TIMESTAMP_HEADER)
        if not timestamp:
            return sens_error(401, f"{TIMESTAMP_HEADER} header is missing")
        if not _DIGITS.match(timestamp):
            return sens_error(401, f"{TIMESTAMP_HEADER} must be epoch milliseconds (digits)")
        now_ms = self.clock() * 1000
        skew = abs(int(timestamp) - now_ms) / 1000
        if skew > self.max_clock_skew:
            hint = ""
            if abs(int(timestamp) * 1000 - now_ms) / 1000 <= self.max_clock_skew:
                hint = " (it looks like seconds; the gateway wants milliseconds)"
            return sens_error(
                401,
                f"{TIMESTAMP_HEADER} is {skew:.0f} s away from server time, "
                f"limit {self.max_clock_skew:.0f} s{hint}",
            )
        access_key = request.headers.get(ACCESS_KEY_HEADER)
        if not access_key:
            return sens_error(401, f"{ACCESS_KEY_HEADER} header is missing")
        if not hmac.compare_digest(access_key.encode(), self.access_key.encode()):
            return sens_error(401, "unknown access key")
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return sens_error(401, f"{SIGNATURE_HEADER} header is missing")
        expected = self.expected_signature(request.method, request.target, timestamp)
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            return sens_error(
                401,
                "signature mismatch: expected base64(HMAC-SHA256(secret, "
                '"POST {path}\\n{timestamp}\\n{accessKey}"))',
            )
        return None

    @staticmethod
    def _decode(raw: bytes) -> dict[str, Any]:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Invalid(f"body is not valid UTF-8 at byte {exc.start}") from exc
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _Invalid(
                f"body is not JSON: {exc.msg} at line {exc.lineno} col {exc.colno}"
            ) from exc
        if not isinstance(body, dict):
            raise _Invalid("body must be a JSON object")
        return body

    @staticmethod
    def _safe_json(request: IncomingRequest) -> Any:
        try:
            return json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None

    def _validate(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """Check the body; returns the per-recipient fields of each message it would send."""
        msg_type = body.get("type")
        if not isinstance(msg_type, str) or msg_type.upper() not in MESSAGE_TYPES:
            raise _Invalid(f"type must be one of {', '.join(MESSAGE_TYPES)}")
        msg_type = msg_type.upper()
        content_type = body.get("contentType", "COMM")
        if content_type not in CONTENT_TYPES:
            raise _Invalid(f"contentType must be one of {', '.join(CONTENT_TYPES)}")
        country_code = body.get("countryCode", "82")
        if country_code != "82":
            raise _Invalid('countryCode must be the string "82" (domestic only)')
        sender = body.get("from")
        if not isinstance(sender, str) or not _DIGITS.match(sender):
            raise _Invalid("from must be a string of digits only (no hyphens)")
        if self.caller_number is not None and sender != re.sub(r"\D", "", self.caller_number):
            raise _Invalid("from is not a registered caller number")
        content = body.get("content")
        if not isinstance(content, str):
            raise _Invalid("content is required and must be a string")
        _check_content(content, msg_type, "content")
        subject = _check_subject(_optional_str(body, "subject", ""), msg_type, "subject")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _Invalid("messages must be a non-empty list")
        if len(messages) > MAX_RECIPIENTS:
            raise _Invalid(f"messages has {len(messages)} entries, limit {MAX_RECIPIENTS}")
        accepted: list[dict[str, Any]] = []
        for index, message in enumerate(messages):
            where = f"messages[{index}]."
            if not isinstance(message, dict):
                raise _Invalid(f"messages[{index}] must be an object")
            to = message.get("to")
            if not isinstance(to, str) or not _DIGITS.match(to):
                raise _Invalid(f"{where}to must be a string of digits only (no hyphens)")
            own_content = _optional_str(message, "content", where)
            if own_content is not None:
                _check_content(own_content, msg_type, f"{where}content")
            own_subject = _check_subject(
                _optional_str(message, "subject", where), msg_type, f"{where}subject"
            )
            accepted.append(
                {
                    "type": msg_type,
                    "content_type": content_type,
                    "country_code": country_code,
                    "from_number": sender,
                    "to": to,
                    "content": own_content if own_content is not None else content,
                    "subject": own_subject if own_subject is not None else subject,
                }
            )
        return accepted

    # -- hooks -------------------------------------------------------------------------------

    def _fault_reply(self, status: int, fault: Fault) -> Reply:
        reply = sens_error(status, f"injected {status}")
        headers = dict(fault.headers)
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        return Reply(reply.status, reply.body, reply.reason, headers)

    def reset(self) -> None:
        """Forget exchanges, queued faults and accepted messages (between tests)."""
        super().reset()
        self.clock = self._initial_clock
        self.max_clock_skew = self._initial_skew
        with self._messages_lock:
            self._messages.clear()

    def _redact_path(self, path: str) -> str:
        return MESSAGES_PATH.sub(f"/sms/v2/services/{REDACTED}/messages", path)

    def _redact_headers(self, headers: dict[str, str]) -> dict[str, str]:
        return {k: (REDACTED if k in SECRET_HEADERS else v) for k, v in headers.items()}
