"""`instruments.record` remembers each call shape (validated, scrubbed attributes, the SDK
instrument): what that must not change (validation, scrubbing, one series per attribute set,
bounded memory)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from naver_sms import privacy as redaction
from naver_sms.telemetry import catalog, instruments, testing

SMS = catalog.SMS_SENT
SECRET = "shop-secret-0123456789"


@pytest.fixture
def captured() -> Iterator[testing.Captured]:
    with testing.capture() as captured:
        yield captured
    redaction.clear_secrets()


def test_repeated_calls_in_any_keyword_order_add_to_one_series(
    captured: testing.Captured,
) -> None:
    for _ in range(3):
        instruments.record(SMS, sms_type="confirm", store_id="s-1", mode="live")
        instruments.record(SMS, mode="live", store_id="s-1", sms_type="confirm")
    points = [p for p in captured.metric_points() if p[0] == SMS.name]
    assert points == [(SMS.name, {"sms_type": "confirm", "store_id": "s-1", "mode": "live"}, 6)]


def test_undeclared_attributes_raise_even_after_the_same_metric_was_recorded(
    captured: testing.Captured,
) -> None:
    instruments.record(SMS, sms_type="confirm", store_id="s-1", mode="live")
    with pytest.raises(ValueError, match="takes attributes"):
        instruments.record(SMS, sms_type="confirm", store_id="s-1", mode="live", phone="x")
    with pytest.raises(ValueError, match="takes attributes"):
        instruments.record(SMS, sms_type="confirm", store_id="s-1")


def test_a_value_that_becomes_secret_is_scrubbed_from_the_next_point_on(
    captured: testing.Captured,
) -> None:
    store_id = f"s-{SECRET}"
    instruments.record(SMS, sms_type="confirm", store_id=store_id, mode="live")
    assert captured.metric_points()[-1][1]["store_id"] == store_id
    redaction.register_secrets([SECRET])
    instruments.record(SMS, sms_type="confirm", store_id=store_id, mode="live")
    last = captured.metric_points()[-1]
    assert SECRET not in last[1]["store_id"]
    assert last[2] == 1


def test_phone_numbers_never_become_attribute_values(captured: testing.Captured) -> None:
    for _ in range(2):
        instruments.record(SMS, sms_type="confirm", store_id="01012345678", mode="live")
    (point,) = [p for p in captured.metric_points() if p[0] == SMS.name]
    assert point[1]["store_id"] == "010-****-5678"
    assert point[2] == 2


def test_disabled_records_nothing_even_for_a_known_call_shape(
    captured: testing.Captured,
) -> None:
    instruments.record(SMS, sms_type="confirm", store_id="s-1", mode="live")
    instruments.set_enabled(False)
    try:
        instruments.record(SMS, sms_type="confirm", store_id="s-1", mode="live")
        instruments.record(SMS, sms_type="guide", store_id="s-2", mode="live")
    finally:
        instruments.set_enabled(True)
    assert [p[2] for p in captured.metric_points() if p[0] == SMS.name] == [1]


def test_call_shapes_are_forgotten_past_the_bound(
    captured: testing.Captured, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a caller passing a high-cardinality value gets here: memory stays bounded and
    every point is still delivered once."""
    monkeypatch.setattr(instruments, "_MAX_ALIASES", 5)
    for index in range(8):
        instruments.record(SMS, sms_type="confirm", store_id=f"s-{index}", mode="live")
    assert len(instruments._aliases) <= 5
    assert len(captured.metric_points()) == 8
    instruments.record(SMS, sms_type="confirm", store_id="s-0", mode="live")
    assert captured.metric_points()[-1][1]["store_id"] == "s-0"
    assert captured.metric_points()[-1][2] == 1


def test_aliases_are_bounded_even_when_they_all_scrub_to_one_series(
    captured: testing.Captured, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Phone numbers passed by mistake as store ids all scrub to `010-****-5678`: one series,
    but one call shape per raw value; the facade forgets them past the bound."""
    monkeypatch.setattr(instruments, "_MAX_ALIASES", 5)
    for index in range(8):
        instruments.record(SMS, sms_type="confirm", store_id=f"010{index:04d}5678", mode="live")
    assert len(instruments._aliases) <= 5
    (point,) = [p for p in captured.metric_points() if p[0] == SMS.name]
    assert point[1]["store_id"] == "010-****-5678"
    assert point[2] == 8
