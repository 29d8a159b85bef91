"""Naver Cloud SENS SMS v2 client: `POST /sms/v2/services/{serviceId}/messages`.

Every attempt is signed afresh (the gateway rejects timestamps more than 5 minutes old) and
observed through :func:`naver_sms.telemetry.instruments.sens_request`. Throttling (429), server
errors (5xx) and connection failures are retried with jittered backoff inside the invocation's
:class:`Deadline`; everything else fails at once with a typed :class:`SensError`.

A lost answer (timeout or reset *after* the request was written) is not retried: SENS has no
idempotency key, so a retry could deliver the SMS twice. It raises :class:`SensNetworkError`
with ``retryable=False`` and ``maybe_delivered=True`` so the caller can hold the booking for
review instead of resending blindly.

Credentials never leave this module in text form: exceptions, logs, span attributes and
:meth:`SensRequest.redacted` carry ``REDACTED`` instead, and the service id is redacted from
URLs as well.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
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
from naver_sms.clients.retry import RetryPolicy, wait_before_retry
from naver_sms.clients.sms import SmsMessage, mask_phone, mask_phones_in_text, normalize_phone
from naver_sms.telemetry import instruments

log = structlog.get_logger(__name__)

REDACTED = "REDACTED"
TIMESTAMP_HEADER = "x-ncp-apigw-timestamp"
ACCESS_KEY_HEADER = "x-ncp-iam-access-key"
SIGNATURE_HEADER = "x-ncp-apigw-signature-v2"
_SECRET_HEADERS = frozenset({ACCESS_KEY_HEADER, SIGNATURE_HEADER})
_SERVICE_ID = re.compile(r"[A-Za-z0-9:_.\-]+")


def sign(secret_key: str, method: str, path: str, timestamp_ms: int, access_key: str) -> str:
    """The `x-ncp-apigw-signature-v2` value: base64(HMAC-SHA256(secret, string-to-sign))."""
    message = f"{method} {path}\n{timestamp_ms}\n{access_key}"
    digest = hmac.new(secret_key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode("ascii")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class SensRequest:
    """The exact HTTP request for one attempt. Its repr is the redacted form."""

    url: str = field(repr=False)
    path: str = field(repr=False)
    headers: dict[str, str] = field(repr=False)
    body: dict[str, Any] = field(repr=False)
    redacted_url: str = field(default="", repr=False, compare=False)

    def redacted(self) -> dict[str, Any]:
        """Method, URL, headers and body with the credentials replaced by ``REDACTED``.

        Only credentials are removed: the body still holds the recipient number and the text
        (the capture needs them); mask them before logging.
        """
        headers = {
            name: (REDACTED if name.lower() in _SECRET_HEADERS else value)
            for name, value in self.headers.items()
        }
        return {
            "method": "POST",
            "url": self.redacted_url or REDACTED,
            "headers": headers,
            "body": self.body,
        }

    def __repr__(self) -> str:
        messages = self.body.get("messages") or [{}]
        to = str(messages[0].get("to", ""))
        return (
            f"SensRequest(url={self.redacted_url!r}, type={self.body.get('type')!r}, "
            f"to={mask_phone(to)!r})"
        )


@dataclass(frozen=True)
class SensResult:
    request_id: str
    status_code: str
    http_status: int
    attempts: int


class SensError(DeliveryError):
    """SENS did not accept the message. `retryable`: a later run may try again."""


class SensAuthError(SensError):
    """401/403: wrong access key, secret or signature, or a clock more than 5 min off."""


class SensClientError(SensError):
    """Another 4xx: the request itself is wrong (bad number, bad body, unknown service)."""


class SensThrottledError(SensError):
    """429 on every attempt we could afford."""

    retryable = True


class SensServerError(SensError):
    """5xx on every attempt we could afford."""

    retryable = True


class SensProtocolError(SensError):
    """A 2xx answer without a `requestId`: SENS may have accepted the message; do not resend."""


class SensNetworkError(SensError):
    """No answer. `maybe_delivered` when the request was written before the failure."""

    def __init__(self, message: str, *, attempts: int, maybe_delivered: bool) -> None:
        super().__init__(message, status=None, attempts=attempts, retryable=not maybe_delivered)
        self.maybe_delivered = maybe_delivered


class SensDeadlineExceeded(SensError):
    """The invocation's time budget ran out before SENS accepted the message."""

    retryable = True


_OUTCOME_BY_ERROR: dict[type[SensError], str] = {
    SensAuthError: "auth_error",
    SensClientError: "client_error",
    SensThrottledError: "throttled",
    SensServerError: "server_error",
    SensProtocolError: "server_error",
    SensNetworkError: "network_error",
}


class SensClient:
    """Sends one :class:`SmsMessage` per call through the SENS SMS v2 API."""

    def __init__(
        self,
        *,
        base_url: str,
        access_key: str,
        secret_key: str,
        service_id: str,
        caller_number: str,
        timeout_s: float = 5.0,
        max_attempts: int = 4,
        backoff_base_s: float = 0.2,
        backoff_cap_s: float = 2.0,
        clock_ms: Callable[[], int] = _now_ms,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if not access_key or not secret_key:
            raise ValueError("SENS access key and secret key are required")
        if not _SERVICE_ID.fullmatch(service_id or ""):
            raise ValueError(
                "SENS service id must be non-empty and contain only letters, digits and ':_.-'"
            )
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("SENS base URL must start with http:// or https://")
        self._access_key = access_key
        self._secret_key = secret_key
        self._caller = normalize_phone(caller_number)
        self._path = f"/sms/v2/services/{service_id}/messages"
        self._url = base_url.rstrip("/") + self._path
        self.redacted_url = f"{base_url.rstrip('/')}/sms/v2/services/{REDACTED}/messages"
        self._secrets = tuple(s for s in (access_key, secret_key, service_id) if len(s) >= 4)
        self._timeout_s = timeout_s
        self._policy = RetryPolicy(max_attempts, backoff_base_s, backoff_cap_s)
        self._clock_ms = clock_ms
        self._sleep = sleep
        self._rng = rng

    def __repr__(self) -> str:
        return f"SensClient(url={self.redacted_url!r})"

    def prepare(self, message: SmsMessage) -> SensRequest:
        """The exact request that `send` would make now (fresh timestamp and signature)."""
        timestamp = self._clock_ms()
        headers = {
            TIMESTAMP_HEADER: str(timestamp),
            ACCESS_KEY_HEADER: self._access_key,
            SIGNATURE_HEADER: sign(
                self._secret_key, "POST", self._path, timestamp, self._access_key
            ),
        }
        return SensRequest(
            self._url, self._path, headers, self.request_body(message), self.redacted_url
        )

    def request_body(self, message: SmsMessage) -> dict[str, Any]:
        """The JSON body SENS receives for `message`: what a capture records (no signing)."""
        entry: dict[str, Any] = {"to": message.to, "content": message.content}
        if message.msg_type == "LMS" and message.subject:
            entry["subject"] = message.subject
        return {
            "type": message.msg_type,
            "contentType": "COMM",
            "countryCode": "82",
            "from": self._caller,
            "content": message.content,
            "messages": [entry],
        }

    def send(
        self, message: SmsMessage, *, sms_type: str, store_id: str, deadline: Deadline
    ) -> SensResult:
        """Send, retrying throttling/5xx/connection failures while the deadline allows."""
        attempt = 0
        while True:
            if deadline.expired():
                raise SensDeadlineExceeded(
                    "no time left in the invocation to call SENS", attempts=attempt
                )
            attempt += 1
            result, error, retry_after = self._attempt(
                message, sms_type, store_id, attempt, deadline
            )
            if result is not None:
                return result
            assert error is not None
            if not error.retryable:
                raise error
            waited = wait_before_retry(
                self._policy,
                attempt,
                deadline,
                rng=self._rng,
                sleep=self._sleep,
                retry_after_s=retry_after,
            )
            if waited is None:
                if attempt < self._policy.max_attempts:
                    raise SensDeadlineExceeded(
                        f"gave up retrying: the next backoff does not fit the "
                        f"{deadline.remaining():.2f}s left; last error: {error.args[0]}",
                        status=error.status,
                        attempts=attempt,
                    ) from None
                raise error
            log.warning(
                "sens_retry",
                attempt=attempt,
                status=error.status,
                sleep_s=round(waited, 3),
                outcome=_OUTCOME_BY_ERROR.get(type(error), "error"),
                sms_type=sms_type,
                store_id=store_id,
                phone=mask_phone(message.to),
            )

    def _attempt(
        self,
        message: SmsMessage,
        sms_type: str,
        store_id: str,
        attempt: int,
        deadline: Deadline,
    ) -> tuple[SensResult | None, SensError | None, float | None]:
        request = self.prepare(message)
        timeout_s = min(self._timeout_s, deadline.remaining())
        with instruments.sens_request(self.redacted_url, sms_type, store_id, attempt) as call:
            started = time.perf_counter()
            try:
                response = http.post_json(
                    request.url, request.body, headers=request.headers, timeout_s=timeout_s
                )
            except http.HttpNetworkError as exc:
                lost = self._network_error(exc, attempt)
                call.span.record_exception(lost)
                call.finish("network_error")
                _log_attempt("network_error", None, started, attempt, sms_type, store_id)
                return None, lost, None
            outcome, result, error, retry_after = self._classify(response, attempt)
            if error is not None:
                call.span.record_exception(error)
            call.finish(
                outcome,
                response.status,
                **{"sens.request_id": result.request_id if result else None},
            )
            _log_attempt(outcome, response.status, started, attempt, sms_type, store_id)
            return result, error, retry_after

    def _network_error(self, exc: http.HttpNetworkError, attempt: int) -> SensNetworkError:
        if exc.request_sent:
            return SensNetworkError(
                f"SENS answer lost after the request was sent ({self._scrub(exc.reason)}); "
                "the SMS may have been delivered, not retrying",
                attempts=attempt,
                maybe_delivered=True,
            )
        return SensNetworkError(
            f"cannot reach SENS ({self._scrub(exc.reason)})",
            attempts=attempt,
            maybe_delivered=False,
        )

    def _classify(
        self, response: http.HttpResponse, attempt: int
    ) -> tuple[str, SensResult | None, SensError | None, float | None]:
        status = response.status
        payload = response.json()
        data: dict[str, Any] = payload if isinstance(payload, dict) else {}
        if 200 <= status < 300:
            request_id = data.get("requestId")
            if isinstance(request_id, str) and request_id:
                status_code = str(data.get("statusCode", status))
                return "success", SensResult(request_id, status_code, status, attempt), None, None
            return (
                "server_error",
                None,
                SensProtocolError(
                    "SENS answered 2xx without a requestId; the SMS may have been accepted",
                    status=status,
                    attempts=attempt,
                ),
                None,
            )
        detail = self._detail(data, response.body)
        if status in (401, 403):
            return (
                "auth_error",
                None,
                SensAuthError(
                    f"SENS rejected the credentials or signature: {detail}",
                    status=status,
                    attempts=attempt,
                ),
                None,
            )
        if status == 429:
            return (
                "throttled",
                None,
                SensThrottledError(
                    f"SENS throttled the request: {detail}", status=status, attempts=attempt
                ),
                _retry_after(response),
            )
        if status >= 500:
            return (
                "server_error",
                None,
                SensServerError(f"SENS server error: {detail}", status=status, attempts=attempt),
                None,
            )
        return (
            "client_error",
            None,
            SensClientError(
                f"SENS rejected the request: {detail}", status=status, attempts=attempt
            ),
            None,
        )

    def _detail(self, data: dict[str, Any], body: bytes) -> str:
        error = data.get("error") if isinstance(data.get("error"), dict) else data
        assert isinstance(error, dict)
        parts = [
            str(error[key])
            for key in ("errorCode", "statusName", "message", "details", "errorMessage")
            if error.get(key)
        ]
        text = "; ".join(parts) if parts else body[:200].decode("utf-8", "replace").strip()
        return self._scrub(text)[:300] or "no details"

    def _scrub(self, text: str) -> str:
        """Server text may echo what we sent: drop credentials and mask phone numbers."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return mask_phones_in_text(text)


def _log_attempt(
    outcome: str, status: int | None, started: float, attempt: int, sms_type: str, store_id: str
) -> None:
    """One line per HTTP attempt (Logs Insights: SENS errors and latency percentiles)."""
    log.info(
        "sens_attempt",
        outcome=outcome,
        status=status,
        latency_ms=round((time.perf_counter() - started) * 1000, 3),
        attempt=attempt,
        sms_type=sms_type,
        store_id=store_id,
    )


def _retry_after(response: http.HttpResponse) -> float | None:
    for name, value in response.headers.items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None
