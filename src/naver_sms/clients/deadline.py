"""The wall-clock budget of one Lambda invocation.

Every retry loop and every HTTP timeout is cut to what is left of this budget, so a slow
dependency can delay the invocation but never make Lambda kill it mid-write.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any


class Deadline:
    """A point in time, measured on a monotonic clock, after which no new work starts."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        if math.isnan(seconds):  # NaN would make every comparison false
            raise ValueError("deadline seconds must be a number, got NaN")
        self._clock = clock
        self._ends_at = clock() + max(0.0, seconds)

    @classmethod
    def from_lambda_context(
        cls, context: Any, reserve_s: float = 1.0, default_s: float = 60.0
    ) -> Deadline:
        """Budget = Lambda's remaining time minus `reserve_s` (kept for flushing telemetry).

        Without a usable context (local runs, tests) the budget is `default_s`.
        """
        getter = getattr(context, "get_remaining_time_in_millis", None)
        if callable(getter):
            try:
                remaining_s = float(getter()) / 1000.0
            except (TypeError, ValueError):
                return cls(default_s)
            return cls(remaining_s - reserve_s)
        return cls(default_s)

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self._ends_at - self._clock())

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def __repr__(self) -> str:
        return f"Deadline(remaining={self.remaining():.3f}s)"
