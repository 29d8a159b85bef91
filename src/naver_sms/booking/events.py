"""What an invocation is asked to do, read from its event.

Two shapes are accepted:
- an EventBridge scheduled event (`"source": "aws.events"`, `"detail-type": "Scheduled Event"`):
  fetch the bookings from the configured booking source;
- a direct event `{"bookings": [...], "now": ISO-8601 (optional)}`: the bookings are in the event.
  `now` lets a replay run the rules at the time the bookings were captured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


class EventError(ValueError):
    """The event itself is unusable (as opposed to one bad booking inside it)."""


@dataclass(frozen=True)
class Invocation:
    trigger: str  # "timer" (scheduled) or "other"
    bookings: list[Any] | None  # None: fetch from the booking source
    now: datetime | None
    where: str  # how bad bookings are located in errors, e.g. "event.bookings"


def parse_event(event: Any) -> Invocation:
    if not isinstance(event, dict):
        raise EventError(f"event: expected a JSON object, got {type(event).__name__}")
    now = _parse_now(event.get("now"))
    if event.get("source") == "aws.events" or event.get("detail-type") == "Scheduled Event":
        when = event.get("time")
        if now is None and isinstance(when, str):
            now = _parse_now(when)
        return Invocation("timer", None, now, "booking-source")
    if "bookings" not in event:
        raise EventError("event: neither a scheduled event nor an object with 'bookings'")
    bookings = event["bookings"]
    if not isinstance(bookings, list):
        raise EventError(f"event.bookings: expected a list, got {type(bookings).__name__}")
    return Invocation("other", bookings, now, "event.bookings")


def _parse_now(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise EventError("event.now: expected an ISO-8601 string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EventError(f"event.now: not ISO-8601: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        raise EventError("event.now: needs a UTC offset")
    return parsed
