"""Comparison telemetry: the two structlog events and the naver-sms/comparison metrics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from capture_builders import SPEC_EXAMPLES

from naver_sms.comparison.engine import ComparisonResult, compare_captures
from naver_sms.comparison.telemetry import emit_comparison
from naver_sms.telemetry import catalog
from naver_sms.telemetry import logging as telemetry_logging
from naver_sms.telemetry.testing import Captured, capture


@pytest.fixture
def captured() -> Iterator[Captured]:
    """The real instruments.record(), its points kept in memory (store emptied afterwards)."""
    with capture() as telemetry:
        yield telemetry


@pytest.fixture
def result() -> ComparisonResult:
    return compare_captures(SPEC_EXAMPLES / "old.jsonl", SPEC_EXAMPLES / "new.jsonl")


def points(captured: Captured) -> dict[str, dict[tuple[tuple[str, str], ...], Any]]:
    out: dict[str, dict[tuple[tuple[str, str], ...], Any]] = {}
    for name, attributes, value in captured.metric_points():
        key = tuple(sorted((k, str(v)) for k, v in attributes.items()))
        assert key not in out.get(name, {}), f"{name} {key} recorded as two points"
        out.setdefault(name, {})[key] = value
    return out


def test_metrics_follow_the_catalog(captured: Captured, result: ComparisonResult) -> None:
    emit_comparison(result)
    got = points(captured)
    sms_old = got[catalog.COMPARISON_SMS_SENT_OLD.name]
    sms_new = got[catalog.COMPARISON_SMS_SENT_NEW.name]
    assert sum(sms_old.values()) == result.sms_sent_old == 18
    assert sum(sms_new.values()) == result.sms_sent_new == 17
    # the guide SMS that went missing for 1100002 shows up per store and type
    assert sms_old[(("sms_type", "guide"), ("store_id", "hongdae-02"))] == 3
    assert sms_new[(("sms_type", "guide"), ("store_id", "hongdae-02"))] == 2
    match = got[catalog.COMPARISON_MATCH_PERCENTAGE.name]
    assert match[(("store_id", "all"),)] == 50.0
    assert match[(("store_id", "gangnam-01"),)] == 0.0
    assert match[(("store_id", "busan-04"),)] == 75.0  # 1100004 mismatched, 3 of 4 match
    discrepancies = got[catalog.COMPARISON_DISCREPANCIES.name]
    assert len(discrepancies) == 9  # every channel x kind, zeros included
    assert discrepancies[(("channel", "sms"), ("kind", "mismatch"))] == 2
    assert discrepancies[(("channel", "telegram"), ("kind", "extra_in_new"))] == 1
    assert sum(discrepancies.values()) == result.discrepancies
    for name, series in got.items():
        spec = catalog.METRICS_BY_NAME[name]
        assert spec.namespace == catalog.COMPARISON_NAMESPACE
        for attributes in series:
            assert {k for k, _ in attributes} == set(spec.attributes)


def test_log_lines(captured: Captured, result: ComparisonResult) -> None:
    with structlog.testing.capture_logs() as logs:
        emit_comparison(result, source="test")
    summary = [e for e in logs if e["event"] == "comparison_summary"]
    lines = [e for e in logs if e["event"] == "comparison_discrepancy"]
    assert len(summary) == 1
    assert len(lines) == result.discrepancies == 11
    s = summary[0]
    assert s["source"] == "test"
    assert (s["bookings_compared"], s["bookings_matched"], s["match_percentage"]) == (14, 7, 50.0)
    assert s["sms_sent_old_by_type"] == {"confirm": 12, "guide": 6}
    assert s["sms_sent_new_by_type"] == {"confirm": 12, "guide": 5}
    assert (s["dynamodb_writes_old"], s["telegram_new"], s["discrepancies"]) == (12, 18, 11)
    first = lines[0]
    assert first["booking_id"] == "1100001"
    assert first["kind"] == "mismatch"
    assert first["fields"] == ["content"]
    assert first["first_diff_index"] == 31
    assert first["old_excerpt"].endswith("확정되었습니다.")
    assert first["new_excerpt"].endswith("확정됐습니다.")
    documented = {f.name for f in catalog.LOG_FIELDS} | {"event", "log_level", "source"}
    for entry in logs:
        assert set(entry) <= documented, set(entry) - documented


def test_excerpts_are_masked(captured: Captured, tmp_path: Any) -> None:
    old = tmp_path / "o.jsonl"
    new = tmp_path / "n.jsonl"
    old.write_text(
        '{"booking_id": "1", "sms": [{"type": "confirm", "content": '
        '"홍길동님 문의 010-1234-5678 또는 01098765432"}]}\n',
        encoding="utf-8",
    )
    new.write_text(
        '{"booking_id": "1", "sms": [{"type": "confirm", "content": '
        '"홍길동님 문의 010-1234-5678 또는 01098765439"}]}\n',
        encoding="utf-8",
    )
    with structlog.testing.capture_logs() as logs:
        emit_comparison(compare_captures(old, new))
    text = repr(logs)
    for secret in ("1234", "9876", "길동"):
        assert secret not in text
    assert "010-****-5678" in text
    assert "010-****-5432" in text
    assert "010-****-5439" in text


def test_emission_never_raises(monkeypatch: pytest.MonkeyPatch, result: ComparisonResult) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("exporter down")

    monkeypatch.setattr("naver_sms.comparison.telemetry.record", broken)
    emit_comparison(result)  # no exception


def test_lines_survive_the_project_log_pipeline(
    captured: Captured, result: ComparisonResult, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through naver_sms.telemetry.logging (redaction included): fields arrive intact."""
    telemetry_logging.configure_logging({"LOG_LEVEL": "INFO"})
    try:
        emit_comparison(result, source="test")
    finally:
        structlog.reset_defaults()
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    events = [x for x in lines if x.get("event") == "comparison_discrepancy"]
    assert len(events) == result.discrepancies
    assert events[0]["identity"] == "confirm#0"
    assert events[2]["identity"] == 'naver-sms-bookings#{"booking_id":"1100003"}'
    assert events[0]["old_excerpt"].endswith("확정되었습니다.")
    summary = next(x for x in lines if x.get("event") == "comparison_summary")
    assert summary["sms_sent_old_by_type"] == {"confirm": 12, "guide": 6}
