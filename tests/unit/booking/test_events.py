from datetime import UTC, datetime

import pytest

from naver_sms.booking.events import EventError, parse_event


def test_scheduled_event_fetches_from_the_source_at_its_time() -> None:
    inv = parse_event(
        {
            "source": "aws.events",
            "detail-type": "Scheduled Event",
            "time": "2026-11-20T00:00:00Z",
            "detail": {},
        }
    )
    assert inv.trigger == "timer"
    assert inv.bookings is None
    assert inv.now == datetime(2026, 11, 20, tzinfo=UTC)


def test_direct_event_carries_bookings_and_optional_now() -> None:
    inv = parse_event({"bookings": [{"booking_id": "1"}], "now": "2026-11-20T09:00:00+09:00"})
    assert inv.trigger == "other"
    assert inv.bookings == [{"booking_id": "1"}]
    assert inv.now is not None
    assert inv.now.utcoffset() is not None
    assert inv.where == "event.bookings"


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ([], "expected a JSON object, got list"),
        ({}, "neither a scheduled event nor an object with 'bookings'"),
        ({"bookings": {"a": 1}}, "event.bookings: expected a list, got dict"),
        ({"bookings": [], "now": 5}, "event.now: expected an ISO-8601 string"),
        ({"bookings": [], "now": "noon"}, "event.now: not ISO-8601"),
        ({"bookings": [], "now": "2026-11-20T09:00:00"}, "event.now: needs a UTC offset"),
    ],
)
def test_unusable_events_say_what_and_where(event: object, message: str) -> None:
    with pytest.raises(EventError, match=message):
        parse_event(event)
