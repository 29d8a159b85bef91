"""The booking domain: what a booking is, which SMS it needs, and what they say."""

from naver_sms.booking.models import Booking, BookingError, BookingStatus, SmsType, parse_booking
from naver_sms.booking.rules import decide

__all__ = ["Booking", "BookingError", "BookingStatus", "SmsType", "decide", "parse_booking"]
