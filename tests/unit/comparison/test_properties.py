"""Property-based tests of the comparison over generated captures."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from naver_sms.comparison.capture import load_capture
from naver_sms.comparison.engine import (
    ComparisonResult,
    DiscrepancyRecord,
    compare_bookings,
    compare_captures,
    compare_outputs,
    percentage,
)

_text = st.text(alphabet=st.sampled_from(list('ab 가나\n\r\u1100_"\\')), max_size=8)
_meta = st.dictionaries(
    st.sampled_from(["_sent_at", "_request_id", "_audit"]),
    st.one_of(_text, st.integers(0, 3), st.just({"n": 1})),
    max_size=2,
)
_sms = st.builds(
    lambda t, c, m: {"type": t, "content": c, **m},
    st.sampled_from(["confirm", "guide", "cancel"]),
    _text,
    _meta,
)
_write = st.builds(
    lambda b, status, people, m: {
        "table": "t",
        "key": {"booking_id": b},
        "op": "PutItem",
        "item": {"status": status, "people": people, **m},
    },
    st.sampled_from(["1", "2"]),
    st.sampled_from(["confirmed", "pending"]),
    st.sampled_from([1, 2, 2.0]),
    _meta,
)
_note = st.builds(
    lambda chat, text: {"chat_id": chat, "text": text}, st.sampled_from(["-100", -100, "7"]), _text
)
_line = st.builds(
    lambda b, store, s, w, n: {
        "booking_id": b,
        "store_id": store,
        "sms": s,
        "dynamodb": w,
        "telegram": n,
    },
    st.sampled_from(["b1", "b2", "b3", "b4"]),
    st.sampled_from([None, "s1", "s2"]),
    st.lists(_sms, max_size=3),
    st.lists(_write, max_size=2),
    st.lists(_note, max_size=2),
)
_capture = st.lists(_line, min_size=1, max_size=6)

SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

Compare = Callable[[list[dict[str, Any]], list[dict[str, Any]]], ComparisonResult]


@pytest.fixture
def compare(tmp_path_factory: pytest.TempPathFactory) -> Compare:
    def run(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> ComparisonResult:
        folder = tmp_path_factory.mktemp("cap")
        paths = []
        for name, lines in (("old.jsonl", old), ("new.jsonl", new)):
            path = folder / name
            path.write_text(
                "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8"
            )
            paths.append(path)
        return compare_captures(paths[0], paths[1])

    return run


def _flip(record: DiscrepancyRecord) -> tuple[str, str, str, str]:
    kind = {"missing_in_new": "extra_in_new", "extra_in_new": "missing_in_new"}.get(
        record.kind, record.kind
    )
    return (record.booking_id, record.channel, record.key, kind)


@SETTINGS
@given(_capture)
def test_a_capture_compared_with_itself_has_no_record(compare: Compare, x: list[Any]) -> None:
    result = compare(x, x)
    assert result.records == []
    assert result.match_percentage == 100.0


@SETTINGS
@given(_capture, _capture)
def test_swapping_sides_swaps_missing_and_extra(
    compare: Compare, a: list[Any], b: list[Any]
) -> None:
    forward = compare(a, b)
    backward = compare(b, a)
    assert sorted(_flip(r) for r in forward.records) == sorted(
        (r.booking_id, r.channel, r.key, r.kind) for r in backward.records
    )
    assert [r.fields for r in sorted(forward.records, key=_flip)] == [
        r.fields
        for r in sorted(backward.records, key=lambda r: (r.booking_id, r.channel, r.key, r.kind))
    ]
    assert (forward.sms_sent_old, forward.sms_sent_new) == (
        backward.sms_sent_new,
        backward.sms_sent_old,
    )
    assert forward.bookings_matched == backward.bookings_matched


@SETTINGS
@given(_capture, _capture)
def test_summary_numbers_agree_with_the_records(
    compare: Compare, a: list[Any], b: list[Any]
) -> None:
    result = compare(a, b)
    report = result.to_report()
    bad = {r["booking_id"] for r in report["records"]}
    assert report["discrepancies"] == len(report["records"])
    assert report["bookings_matched"] == report["bookings_compared"] - len(bad)
    assert report["match_percentage"] == percentage(
        report["bookings_matched"], report["bookings_compared"]
    )
    assert report["bookings_compared"] == len({x["booking_id"] for x in a + b})
    assert report["sms_sent_old"] == sum(len(x["sms"]) for x in a)
    assert report["telegram_new"] == sum(len(x["telegram"]) for x in b)
    keys = [(r["booking_id"], r["channel"], r["key"]) for r in report["records"]]
    assert len(keys) == len(set(keys))  # at most one record per identity key


@SETTINGS
@given(_capture, _capture)
def test_streaming_engine_equals_the_plain_rule_book(
    compare: Compare, tmp_path_factory: pytest.TempPathFactory, a: list[Any], b: list[Any]
) -> None:
    """Fingerprint fast path + chunked re-reading give what compare_bookings gives on all."""
    result = compare(a, b)
    folder = tmp_path_factory.mktemp("ref")
    old, new = Path(folder / "o.jsonl"), Path(folder / "n.jsonl")
    old.write_text("".join(json.dumps(x) + "\n" for x in a), encoding="utf-8")
    new.write_text("".join(json.dumps(x) + "\n" for x in b), encoding="utf-8")
    old_all, new_all = load_capture(old), load_capture(new)
    expected = [
        r.to_json()
        for booking_id in sorted(old_all.keys() | new_all.keys())
        for r in compare_bookings(old_all.get(booking_id), new_all.get(booking_id))
    ]
    assert [r.to_json() for r in result.records] == expected
    in_memory = compare_outputs(old_all, new_all)
    assert in_memory.to_report() == result.to_report()
    assert in_memory.booking_stores == result.booking_stores
    assert in_memory.sms_old_by_store_type == result.sms_old_by_store_type
    assert in_memory.sms_new_by_store_type == result.sms_new_by_store_type
    chunked = compare_captures(old, new, chunk_size=1)  # one booking per re-read pass
    assert [r.to_json() for r in chunked.records] == expected
