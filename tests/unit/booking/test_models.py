from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from naver_sms.booking.models import KST, BookingError, BookingStatus, parse_booking


def raw(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "booking_id": "1102345",
        "store_id": "gangnam-01",
        "customer_name": "홍길동",
        "phone": "010-1234-5678",
        "visit_at": "2026-11-20T19:00:00+09:00",
        "party_size": 4,
        "status": "confirmed",
        "product": "디너 코스",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def test_parses_a_complete_booking() -> None:
    booking = parse_booking(raw(option="창가석"), "event.bookings[0]")
    assert booking.booking_id == "1102345"
    assert booking.visit_at == datetime(2026, 11, 20, 19, 0, tzinfo=KST)
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.party_size == 4
    assert booking.option == "창가석"


def test_naver_field_names_and_status_codes_are_accepted() -> None:
    booking = parse_booking(
        {
            "bookingId": 99,
            "businessId": "hongdae-02",
            "name": "김민준",
            "phoneNumber": "01011112222",
            "startDateTime": "2026-11-20T11:00:00",
            "people": "2",
            "bookingStatus": "RC04",
            "bizItemName": "런치",
        },
        "x",
    )
    assert booking.booking_id == "99"
    assert booking.status is BookingStatus.CANCELLED
    assert booking.visit_at.tzinfo is KST  # naive Naver times are Korean local time
    assert booking.party_size == 2


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"phone": None}, "phone", "missing"),
        ({"customer_name": "  "}, "customer_name", "must be a non-empty string"),
        ({"visit_at": "tomorrow 7pm"}, "visit_at", "not ISO-8601"),
        ({"visit_at": 20261120}, "visit_at", "missing or not an ISO-8601 string"),
        ({"party_size": 0}, "party_size", "between 1 and"),
        ({"party_size": True}, "party_size", "not an integer"),
        ({"status": "pending"}, "status", "confirmed, cancelled or completed"),
        ({"product": None}, "product", "missing"),
    ],
)
def test_bad_fields_name_the_booking_field_and_reason(
    overrides: dict[str, object], field: str, reason: str
) -> None:
    with pytest.raises(BookingError) as info:
        parse_booking(raw(**overrides), "event.bookings[3]")
    err = info.value
    assert err.field == field
    assert reason in err.reason
    assert err.booking_id == "1102345"
    assert str(err).startswith("event.bookings[3]: booking 1102345: " + field)


def test_a_booking_without_id_or_not_an_object_is_rejected() -> None:
    with pytest.raises(BookingError, match="booking_id"):
        parse_booking(raw(booking_id=None), "w")
    with pytest.raises(BookingError, match="expected an object, got list"):
        parse_booking([1, 2], "w")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=20,
)
field_names = st.sampled_from(
    [
        "booking_id",
        "store_id",
        "customer_name",
        "phone",
        "visit_at",
        "party_size",
        "status",
        "product",
        "option",
        "bookingId",
        "people",
        "startDateTime",
    ]
)


@given(st.dictionaries(field_names, json_values, max_size=10) | json_values)
def test_no_input_crashes_the_parser(value: object) -> None:
    try:
        parse_booking(value, "fuzz")
    except BookingError as exc:
        error: BookingError | None = exc
    else:
        error = None
    if error is not None:
        assert error.where == "fuzz"
        assert error.reason


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "party_size": json_values,
            "visit_at": json_values,
            "status": json_values,
            "phone": json_values,
        },
    )
)
def test_mutations_of_a_valid_booking_either_parse_or_fail_cleanly(
    changes: dict[str, object],
) -> None:
    candidate = {**raw(), **changes}
    try:
        booking = parse_booking(candidate, "fuzz")
    except BookingError:
        return
    assert 1 <= booking.party_size <= 1000
    assert booking.visit_at.tzinfo is not None
