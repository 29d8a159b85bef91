from datetime import datetime, timedelta

import pytest

from naver_sms.booking.models import KST, Booking, BookingStatus, SmsType
from naver_sms.booking.rules import decide

WINDOW = timedelta(hours=3)
VISIT = datetime(2026, 11, 20, 19, 0, tzinfo=KST)


def booking(status: BookingStatus = BookingStatus.CONFIRMED) -> Booking:
    return Booking("1", "gangnam-01", "홍길동", "01012345678", VISIT, 2, status, "코스")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 20, hour, minute, tzinfo=KST)


@pytest.mark.parametrize(
    ("status", "sent", "now", "expected"),
    [
        (BookingStatus.CONFIRMED, set(), at(9), [SmsType.CONFIRM]),
        (BookingStatus.CONFIRMED, {SmsType.CONFIRM}, at(9), []),
        (BookingStatus.CONFIRMED, {SmsType.CONFIRM}, at(16), [SmsType.GUIDE]),
        (BookingStatus.CONFIRMED, {SmsType.CONFIRM}, at(15, 59), []),
        # booked inside the window: both, confirm first
        (BookingStatus.CONFIRMED, set(), at(17), [SmsType.CONFIRM, SmsType.GUIDE]),
        (BookingStatus.CONFIRMED, {SmsType.CONFIRM, SmsType.GUIDE}, at(18), []),
        # the visit has passed: nothing
        (BookingStatus.CONFIRMED, set(), at(19), []),
        (BookingStatus.CANCELLED, {SmsType.CONFIRM}, at(10), [SmsType.CANCEL]),
        (BookingStatus.CANCELLED, {SmsType.CONFIRM, SmsType.CANCEL}, at(10), []),
        # never told it was confirmed: no cancel SMS
        (BookingStatus.CANCELLED, set(), at(10), []),
        (BookingStatus.COMPLETED, set(), at(20), []),
    ],
)
def test_decide(
    status: BookingStatus, sent: set[SmsType], now: datetime, expected: list[SmsType]
) -> None:
    assert decide(booking(status), sent, now, WINDOW) == expected


def test_window_is_configurable() -> None:
    assert decide(booking(), {SmsType.CONFIRM}, at(9), timedelta(hours=10)) == [SmsType.GUIDE]
