"""The booking as the rules see it, and its strict parser.

A booking that fails to parse is never guessed at: `BookingError` names the booking (when its id
is readable), the field and the reason, and the caller skips it while processing the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

KST = timezone(timedelta(hours=9), "KST")


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class SmsType(StrEnum):
    CONFIRM = "confirm"
    GUIDE = "guide"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Booking:
    booking_id: str
    store_id: str
    customer_name: str
    phone: str
    visit_at: datetime  # timezone-aware
    party_size: int
    status: BookingStatus
    product: str
    option: str | None = None


class BookingError(ValueError):
    """A booking that cannot be processed as given."""

    def __init__(self, where: str, field: str, reason: str, booking_id: str | None = None) -> None:
        ident = f"booking {booking_id}" if booking_id else "booking"
        super().__init__(f"{where}: {ident}: {field}: {reason}")
        self.where = where
        self.field = field
        self.reason = reason
        self.booking_id = booking_id


# Naver field names seen in the wild are accepted as aliases of ours.
_ALIASES: dict[str, tuple[str, ...]] = {
    "booking_id": ("booking_id", "bookingId", "id"),
    "store_id": ("store_id", "storeId", "businessId"),
    "customer_name": ("customer_name", "name", "customerName"),
    "phone": ("phone", "phoneNumber", "customerPhone"),
    "visit_at": ("visit_at", "visitAt", "startDateTime"),
    "party_size": ("party_size", "people", "partySize", "count"),
    "status": ("status", "bookingStatus"),
    "product": ("product", "bizItemName", "productName"),
    "option": ("option", "optionName"),
}
_STATUS_ALIASES = {
    "confirmed": BookingStatus.CONFIRMED,
    "rc03": BookingStatus.CONFIRMED,
    "cancelled": BookingStatus.CANCELLED,
    "canceled": BookingStatus.CANCELLED,
    "rc04": BookingStatus.CANCELLED,
    "completed": BookingStatus.COMPLETED,
    "rc08": BookingStatus.COMPLETED,
}
MAX_PARTY_SIZE = 1000


def _field(raw: dict[str, Any], name: str) -> Any:
    for key in _ALIASES[name]:
        if key in raw and raw[key] is not None:
            return raw[key]
    return None


def parse_booking(raw: Any, where: str) -> Booking:
    """Validate one raw booking (a dict from an event, file or the booking API)."""
    if not isinstance(raw, dict):
        raise BookingError(where, "booking", f"expected an object, got {type(raw).__name__}")
    booking_id = _field(raw, "booking_id")
    if isinstance(booking_id, int) and not isinstance(booking_id, bool):
        booking_id = str(booking_id)
    if not isinstance(booking_id, str) or not booking_id.strip():
        raise BookingError(where, "booking_id", "missing or not a non-empty string")
    booking_id = booking_id.strip()

    def fail(field: str, reason: str) -> BookingError:
        return BookingError(where, field, reason, booking_id)

    def text(name: str, *, required: bool = True) -> str | None:
        value = _field(raw, name)
        if value is None:
            if required:
                raise fail(name, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            raise fail(name, "must be a non-empty string")
        return value.strip()

    store_id = text("store_id")
    customer_name = text("customer_name")
    phone = text("phone")
    product = text("product")
    option = text("option", required=False)

    visit_raw = _field(raw, "visit_at")
    if not isinstance(visit_raw, str):
        raise fail("visit_at", "missing or not an ISO-8601 string")
    try:
        visit_at = datetime.fromisoformat(visit_raw.replace("Z", "+00:00"))
    except ValueError:
        raise fail("visit_at", f"not ISO-8601: {visit_raw[:40]!r}") from None
    if visit_at.tzinfo is None:
        visit_at = visit_at.replace(tzinfo=KST)  # Naver times are Korean local time

    size = _field(raw, "party_size")
    if isinstance(size, str) and size.strip().isdigit():
        size = int(size.strip())
    if isinstance(size, bool) or not isinstance(size, int):
        raise fail("party_size", "missing or not an integer")
    if not 1 <= size <= MAX_PARTY_SIZE:
        raise fail("party_size", f"must be between 1 and {MAX_PARTY_SIZE}, got {size}")

    status_raw = _field(raw, "status")
    status = (
        _STATUS_ALIASES.get(status_raw.strip().lower()) if isinstance(status_raw, str) else None
    )
    if status is None:
        raise fail("status", "must be confirmed, cancelled or completed")

    assert store_id
    assert customer_name
    assert phone
    assert product
    return Booking(
        booking_id, store_id, customer_name, phone, visit_at, size, status, product, option
    )
