"""Bounded, jittered exponential backoff that never sleeps past the invocation's deadline.

"Full jitter" (a uniform draw between 0 and the exponential ceiling) spreads the retries of
concurrent invocations apart, so a throttled API is not hit again by all of them at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from naver_sms.clients.deadline import Deadline
from naver_sms.clients.errors import DeliveryError


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts, and how long to wait before each retry."""

    max_attempts: int
    base_s: float
    cap_s: float

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")
        if self.base_s < 0 or self.cap_s < 0:
            raise ValueError("backoff base and cap must be >= 0")

    def ceiling(self, attempt: int) -> float:
        """Upper bound of the wait after failed attempt number `attempt` (1-based)."""
        exponent = min(max(attempt - 1, 0), 32)  # 2**32 * base is past any cap
        return min(self.cap_s, self.base_s * (2.0**exponent))

    def delay(
        self, attempt: int, rng: Callable[[], float], retry_after_s: float | None = None
    ) -> float:
        """Jittered wait after failed attempt `attempt`; at least what the server asked for."""
        jittered = self.ceiling(attempt) * min(max(rng(), 0.0), 1.0)
        if retry_after_s is not None and retry_after_s > jittered:
            return retry_after_s
        return jittered


def wait_before_retry(
    policy: RetryPolicy,
    attempt: int,
    deadline: Deadline,
    *,
    rng: Callable[[], float],
    sleep: Callable[[float], None],
    retry_after_s: float | None = None,
) -> float | None:
    """Sleep before attempt `attempt + 1` and return the seconds slept.

    Returns None, without sleeping, when no retry is allowed: the attempts are used up, or
    the wait would leave no time before the deadline for the next attempt.
    """
    if attempt >= policy.max_attempts:
        return None
    wait_s = policy.delay(attempt, rng, retry_after_s)
    if wait_s >= deadline.remaining():
        return None
    if wait_s > 0:
        sleep(wait_s)
    return wait_s


def retry_or_raise(
    error: DeliveryError,
    policy: RetryPolicy,
    attempt: int,
    deadline: Deadline,
    *,
    rng: Callable[[], float],
    sleep: Callable[[float], None],
    log: Any,
    event: str,
) -> None:
    """After failed attempt `attempt`: raise `error` when it must not or cannot be retried
    (not retryable, attempts used up, no time left), else wait (at least the service's
    `retry_after`) and log `event` with the attempt, status and wait."""
    if not error.retryable:
        raise error
    waited = wait_before_retry(
        policy, attempt, deadline, rng=rng, sleep=sleep, retry_after_s=error.retry_after
    )
    if waited is None:
        raise error
    log.warning(event, attempt=attempt, status=error.status, sleep_s=round(waited, 3))
