"""Fault injection for the local HTTP servers: queued responses that replace normal handling.

Tests of retry, backoff and timeout behaviour need a server that misbehaves on demand, in a
known order, for a known number of requests; a FIFO of counted faults gives exactly that.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fault:
    """What the next ``times`` requests get instead of (or before) normal handling.

    ``status`` None with a ``delay`` means "hang for ``delay`` seconds, then answer normally";
    ``disconnect`` closes the connection without any response (after ``delay``).
    """

    status: int | None = None
    times: int = 1
    delay: float = 0.0
    body: Any = None
    retry_after: int | None = None
    disconnect: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.times < 1:
            raise ValueError(f"Fault.times must be >= 1, got {self.times}")
        if self.delay < 0:
            raise ValueError(f"Fault.delay must be >= 0, got {self.delay}")
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"Fault.status must be an HTTP status, got {self.status}")
        if self.status is None and self.delay == 0 and not self.disconnect:
            raise ValueError("a Fault needs a status, a delay or disconnect=True")


class FaultQueue:
    """Thread-safe FIFO of faults; each request consumes one use of the head fault."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._remaining: list[int] = []

    def push(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)
            self._remaining.append(fault.times)

    def take(self) -> Fault | None:
        """The fault for the request being handled now, or None for normal handling."""
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            self._remaining[0] -= 1
            if self._remaining[0] == 0:
                del self._faults[0]
                del self._remaining[0]
            return fault

    def pending(self) -> int:
        """How many requests are still going to be faulted."""
        with self._lock:
            return sum(self._remaining)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._remaining.clear()
