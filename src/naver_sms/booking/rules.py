"""Which SMS a booking needs now. Pure: same booking, state and time, same answer.

- `confirm`: the booking is confirmed, no confirm was sent yet, and the visit is still ahead.
- `guide` (visit reminder): the booking is confirmed, the visit is within the guide window
  (`GUIDE_WINDOW_HOURS`, default 3 h) and still ahead, and no guide was sent yet. A booking made
  inside the window gets confirm and guide in the same run, confirm first.
- `cancel`: the booking is cancelled, a confirm was sent (the customer was told it stands), and
  no cancel was sent yet. A booking cancelled before its confirm went out needs no SMS.
- `completed` bookings need nothing.
Never the same type twice: the store records what was sent and the rules consult it.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import datetime, timedelta

from naver_sms.booking.models import Booking, BookingStatus, SmsType


def decide(
    booking: Booking, sent: Container[SmsType], now: datetime, guide_window: timedelta
) -> list[SmsType]:
    """The SMS types to send for `booking` at `now`, given the types already `sent`."""
    needed: list[SmsType] = []
    ahead = booking.visit_at > now
    if booking.status is BookingStatus.CONFIRMED and ahead:
        if SmsType.CONFIRM not in sent:
            needed.append(SmsType.CONFIRM)
        if SmsType.GUIDE not in sent and booking.visit_at - now <= guide_window:
            needed.append(SmsType.GUIDE)
    elif (
        booking.status is BookingStatus.CANCELLED
        and SmsType.CONFIRM in sent
        and SmsType.CANCEL not in sent
    ):
        needed.append(SmsType.CANCEL)
    return needed
