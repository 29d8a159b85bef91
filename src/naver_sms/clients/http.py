"""A tiny JSON-over-HTTP POST on urllib: no third-party HTTP client to import at cold start.

Non-2xx answers are returned as responses, not raised, so each client classifies them its own
way. Failures without an answer raise :class:`HttpNetworkError`, which says whether the request
may already have reached the server (what decides if a retry could deliver a message twice).
Redirects are not followed: urllib would turn a redirected POST into a GET without body.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_RESPONSE_BYTES = 1 << 20  # an API answer larger than 1 MiB is not an answer we can use


class RedactedUrl(str):
    """A URL carrying a credential (e.g. the Telegram bot token in its path).

    Behaves as the real URL for urllib, but its repr is the redacted form, so a traceback that
    renders local variables never shows the credential.
    """

    redacted: str

    def __new__(cls, url: str, redacted: str) -> RedactedUrl:
        obj = super().__new__(cls, url)
        obj.redacted = redacted
        return obj

    def __repr__(self) -> str:
        return repr(self.redacted)


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


class HttpNetworkError(Exception):
    """No HTTP answer: connection refused, DNS failure, timeout, connection reset."""

    def __init__(self, reason: str, *, request_sent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        # False: the failure happened before the request was written (safe to retry).
        # True: the request may have been received and acted on; only the answer was lost.
        self.request_sent = request_sent


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


_opener = urllib.request.build_opener(_NoRedirect())


def _reason(exc: BaseException) -> str:
    inner = getattr(exc, "reason", None)
    if isinstance(inner, BaseException):
        exc = inner
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:200]


def _read(resp: Any) -> bytes:
    data: bytes = resp.read(MAX_RESPONSE_BYTES + 1)
    return data[:MAX_RESPONSE_BYTES]


def post_json(
    url: str, payload: Mapping[str, Any], *, headers: Mapping[str, str], timeout_s: float
) -> HttpResponse:
    """POST `payload` as UTF-8 JSON and return the answer, whatever its status."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310 - http(s) only
    request.add_header("Content-Type", "application/json; charset=utf-8")
    request.add_header("Accept", "application/json")
    for name, value in headers.items():
        request.add_header(name, value)
    if request.type not in ("http", "https"):
        raise ValueError(f"only http(s) URLs are supported, got scheme {request.type!r}")
    try:
        with _opener.open(request, timeout=max(timeout_s, 0.001)) as resp:
            return HttpResponse(resp.status, dict(resp.headers.items()), _read(resp))
    except urllib.error.HTTPError as exc:
        try:
            body = _read(exc)
        except (OSError, http.client.HTTPException):
            body = b""
        finally:
            exc.close()
        return HttpResponse(exc.code, dict(exc.headers.items()) if exc.headers else {}, body)
    except urllib.error.URLError as exc:
        # urllib wraps failures of connect + send in URLError; the request never completed.
        raise HttpNetworkError(_reason(exc), request_sent=False) from None
    except (OSError, http.client.HTTPException) as exc:
        # Raised while waiting for or reading the answer: the server may have acted on it.
        raise HttpNetworkError(_reason(exc), request_sent=True) from None
