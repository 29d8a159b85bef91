"""Comparison mode in the Lambda: invocation outputs against line-aligned legacy lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from naver_sms.app.capture import BookingCapture
from naver_sms.comparison import live


def legacy_line(booking_id: str, sms_type: str, content: str) -> dict[str, Any]:
    return {
        "booking_id": booking_id,
        "store_id": "s1",
        "sms": [{"type": sms_type, "to": "01012345678", "content": content, "_sent_at": "x"}],
        "telegram": [{"chat_id": "-100", "text": f"{sms_type} SMS 발송: {booking_id}"}],
    }


def new_capture(booking_id: str, sms_type: str, content: str) -> BookingCapture:
    capture = BookingCapture(booking_id, "s1")
    capture.sms.append(
        {"type": sms_type, "to": "01012345678", "content": content, "_mode": "dry_run"}
    )
    capture.telegram.append({"chat_id": "-100", "text": f"{sms_type} SMS 발송: {booking_id}"})
    return capture


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    path = tmp_path / "legacy.jsonl"
    lines = [
        legacy_line("1", "confirm", "확정"),
        {"booking_id": "1", "store_id": "s1"},  # a run with no outputs is not a line to align
        legacy_line("2", "confirm", "확정"),
        legacy_line("1", "guide", "안내"),
    ]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    live._legacy.clear()
    return path


def test_lines_are_aligned_per_booking_across_invocations(legacy: Path) -> None:
    with capture_logs() as logs:
        first = live.compare_invocation(
            [new_capture("1", "confirm", "확정"), new_capture("2", "confirm", "확정")], legacy
        )
        second = live.compare_invocation([new_capture("1", "guide", "안내")], legacy)
    assert first["bookings_compared"] == 2
    assert first["discrepancies"] == 0
    assert second["bookings_compared"] == 1
    assert second["discrepancies"] == 0  # day-3 guide against the legacy's day-3 line
    summaries = [x for x in logs if x["event"] == "comparison_summary"]
    assert [x["scope"] for x in summaries] == ["invocation", "invocation"]


def test_a_difference_is_reported_with_its_first_index(legacy: Path) -> None:
    with capture_logs() as logs:
        result = live.compare_invocation([new_capture("1", "confirm", "확정 ")], legacy)
    assert result["discrepancies"] == 1
    assert result["match_percentage"] == 0.0
    record = next(x for x in logs if x["event"] == "comparison_discrepancy")
    assert record["identity"] == "confirm#0"
    assert record["first_diff_index"] == 2


def test_more_new_runs_than_legacy_lines_is_extra_in_new(legacy: Path) -> None:
    live.compare_invocation([new_capture("2", "confirm", "확정")], legacy)
    with capture_logs() as logs:
        result = live.compare_invocation([new_capture("2", "guide", "안내")], legacy)
    assert result["discrepancies"] == 2  # the SMS and the Telegram message
    kinds = {x["kind"] for x in logs if x["event"] == "comparison_discrepancy"}
    assert kinds == {"extra_in_new"}


def test_missing_or_broken_legacy_capture_is_reported_not_raised(tmp_path: Path) -> None:
    live._legacy.clear()
    assert live.compare_invocation([new_capture("1", "confirm", "x")], None) == {
        "error": "NAVER_SMS_LEGACY_CAPTURE is not set"
    }
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n")
    result = live.compare_invocation([new_capture("1", "confirm", "x")], broken)
    assert str(broken) in result["error"]
    assert ":1:" in result["error"]
