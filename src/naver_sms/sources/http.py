"""Bookings from the Naver booking endpoint (or anything speaking the same JSON).

`GET {base_url}/bookings?store_id=...` per store, answering `{"bookings": [...]}` or a bare
list. Timeouts are short and 5xx / network failures retry with jittered backoff inside the
invocation's deadline; a store that still fails is reported and the other stores go on.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog

from naver_sms.clients.deadline import Deadline
from naver_sms.clients.retry import RetryPolicy, wait_before_retry

log = structlog.get_logger("naver_sms.sources")


@dataclass
class FetchResult:
    bookings: list[Any] = field(default_factory=list)
    failed_stores: list[str] = field(default_factory=list)


class HttpBookingSource:
    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 5.0,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._timeout = timeout_s
        self._policy = policy or RetryPolicy(max_attempts=3, base_s=0.2, cap_s=2.0)
        self._sleep = sleep
        self._rng = rng

    def fetch(self, store_ids: Sequence[str], deadline: Deadline) -> FetchResult:
        result = FetchResult()
        for store_id in store_ids:
            try:
                result.bookings.extend(self._fetch_store(store_id, deadline))
            except SourceFetchError as exc:
                result.failed_stores.append(store_id)
                log.error("booking_source_failed", store_id=store_id, reason=exc.reason)
        return result

    def _fetch_store(self, store_id: str, deadline: Deadline) -> list[Any]:
        url = f"{self._base}/bookings?{urllib.parse.urlencode({'store_id': store_id})}"
        attempt = 0
        while True:
            attempt += 1
            reason, retryable = self._attempt(url, deadline)
            if isinstance(reason, list):
                return reason
            if (
                not retryable
                or wait_before_retry(
                    self._policy, attempt, deadline, rng=self._rng, sleep=self._sleep
                )
                is None
            ):
                raise SourceFetchError(f"{reason} after {attempt} attempt(s)")

    def _attempt(self, url: str, deadline: Deadline) -> tuple[Any, bool]:
        timeout = max(0.1, min(self._timeout, deadline.remaining()))
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            return f"HTTP {exc.code}", exc.code >= 500 or exc.code == 429
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return f"network error ({type(exc).__name__})", True
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return "response is not JSON", False
        if isinstance(data, dict) and isinstance(data.get("bookings"), list):
            return data["bookings"], False
        if isinstance(data, list):
            return data, False
        return "response has no 'bookings' list", False


class SourceFetchError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
