"""One test (at least) per rule of spec/capture-format.md, through compare_captures()."""

from __future__ import annotations

import json

import pytest
from capture_builders import SPEC_EXAMPLES, WriteCapture, booking, sms, write

from naver_sms.comparison.engine import (
    ComparisonResult,
    EmptyComparison,
    compare_captures,
)

TABLE = "naver-sms-bookings"


def run(write_capture: WriteCapture, old: list[object], new: list[object]) -> ComparisonResult:
    return compare_captures(write_capture("old.jsonl", old), write_capture("new.jsonl", new))


def records(result: ComparisonResult) -> list[dict[str, object]]:
    return [r.to_json() for r in result.records]


def test_spec_example_produces_the_expected_report() -> None:
    result = compare_captures(SPEC_EXAMPLES / "old.jsonl", SPEC_EXAMPLES / "new.jsonl")
    expected = json.loads((SPEC_EXAMPLES / "expected-report.json").read_text(encoding="utf-8"))
    assert result.to_report() == expected
    assert list(result.to_report()) == list(expected)  # exactly the spec's keys


def test_lines_of_one_booking_merge_in_file_order_and_store_is_first_non_null(
    write_capture: WriteCapture,
) -> None:
    old = [
        booking("1", None, sms=[sms("confirm", "a")]),
        booking("2", "s2", sms=[sms("confirm", "x")]),
        booking("1", "s1", sms=[sms("guide", "b")]),
        booking("1", "s9", sms=[sms("confirm", "c")]),
    ]
    # Same entries on one line in the same order: merged semantics make them equal.
    new = [
        booking("1", "s1", sms=[sms("confirm", "a"), sms("guide", "b"), sms("confirm", "c")]),
        booking("2", "s2", sms=[sms("confirm", "x")]),
    ]
    result = run(write_capture, old, new)
    assert result.records == []
    assert result.booking_stores["1"] == "s1"
    # Order matters: swapping the two confirms on the new side makes confirm#0/#1 differ.
    new[0]["sms"] = [sms("confirm", "c"), sms("guide", "b"), sms("confirm", "a")]
    result = run(write_capture, old, new)
    assert [(r["key"], r["kind"], r["store_id"]) for r in records(result)] == [
        ("confirm#0", "mismatch", "s1"),
        ("confirm#1", "mismatch", "s1"),
    ]


def test_metadata_keys_are_ignored_at_any_depth(write_capture: WriteCapture) -> None:
    old = [
        booking(
            "1",
            sms=[sms("confirm", "a", _sent_at="t1")],
            dynamodb=[write(TABLE, "1", status="ok", meta={"_x": 1, "y": [{"_z": 2}]})],
        )
    ]
    new = [
        booking(
            "1",
            sms=[sms("confirm", "a", _sent_at="t2", _request_id="r")],
            dynamodb=[
                write(
                    TABLE,
                    "1",
                    status="ok",
                    _audit={"n": 3},
                    meta={"y": [{"_z": 9}], "_x": {"deep": True}},
                )
            ],
        )
    ]
    assert run(write_capture, old, new).records == []


def test_metadata_inside_arrays_is_ignored_but_array_order_is_not(
    write_capture: WriteCapture,
) -> None:
    old = [booking("1", dynamodb=[write(TABLE, "1", tags=[{"a": 1, "_t": 1}, {"b": 2}])])]
    new = [booking("1", dynamodb=[write(TABLE, "1", tags=[{"b": 2}, {"a": 1, "_t": 5}])])]
    assert [r["fields"] for r in records(run(write_capture, old, new))] == [["item.tags"]]


def test_sms_identity_is_type_and_occurrence(write_capture: WriteCapture) -> None:
    old = [booking("1", sms=[sms("confirm", "a"), sms("guide", "g"), sms("confirm", "b")])]
    new = [booking("1", sms=[sms("guide", "g"), sms("confirm", "a")])]
    assert [(r["key"], r["kind"]) for r in records(run(write_capture, old, new))] == [
        ("confirm#1", "missing_in_new"),
    ]


def test_dynamodb_identity_is_table_and_key_by_value(write_capture: WriteCapture) -> None:
    old = [
        booking(
            "1",
            dynamodb=[
                {
                    "table": TABLE,
                    "key": {"booking_id": "1", "n": 4},
                    "op": "PutItem",
                    "item": {"s": 1},
                },
                {"table": "other", "key": {"booking_id": "1"}, "op": "PutItem", "item": {"s": 1}},
            ],
        )
    ]
    new = [
        booking(
            "1",
            dynamodb=[
                # same key: other key order, 4.0 for 4, metadata inside the key
                {
                    "table": TABLE,
                    "key": {"n": 4.0, "booking_id": "1", "_v": 1},
                    "op": "PutItem",
                    "item": {"s": 1},
                },
                {"table": "other", "key": {"booking_id": "2"}, "op": "PutItem", "item": {"s": 1}},
            ],
        )
    ]
    got = [(r["key"], r["kind"]) for r in records(run(write_capture, old, new))]
    assert got == [
        ('other#{"booking_id":"1"}', "missing_in_new"),
        ('other#{"booking_id":"2"}', "extra_in_new"),
    ]


def test_dynamodb_key_text_is_compact_sorted_json(write_capture: WriteCapture) -> None:
    old = [
        booking(
            "1",
            dynamodb=[
                {"table": TABLE, "key": {"sk": "b", "booking_id": "1"}, "op": "PutItem", "item": {}}
            ],
        )
    ]
    result = run(write_capture, old, [])
    assert records(result)[0]["key"] == 'naver-sms-bookings#{"booking_id":"1","sk":"b"}'


def test_repeated_dynamodb_writes_pair_up_in_order(write_capture: WriteCapture) -> None:
    """Decision (docs/comparison.md): the n-th write of a key pairs with the n-th on the other
    side; repeats after the first are keyed `table#key#n`."""
    first = write(TABLE, "1", status="confirmed")
    second = write(TABLE, "1", status="completed")
    old = [booking("1", dynamodb=[first]), booking("1", dynamodb=[second])]
    same = run(write_capture, old, [booking("1", dynamodb=[first, second])])
    assert same.records == []
    swapped = run(write_capture, old, [booking("1", dynamodb=[second, first])])
    assert [(r["key"], r["fields"]) for r in records(swapped)] == [
        ('naver-sms-bookings#{"booking_id":"1"}', ["item.status"]),
        ('naver-sms-bookings#{"booking_id":"1"}#1', ["item.status"]),
    ]
    fewer = run(write_capture, old, [booking("1", dynamodb=[first])])
    assert [(r["key"], r["kind"]) for r in records(fewer)] == [
        ('naver-sms-bookings#{"booking_id":"1"}#1', "missing_in_new"),
    ]


def test_telegram_identity_is_chat_id_as_string_and_occurrence(
    write_capture: WriteCapture,
) -> None:
    old = [
        booking(
            "1", telegram=[{"chat_id": -100123, "text": "a"}, {"chat_id": "-100123", "text": "b"}]
        )
    ]
    new = [
        booking(
            "1", telegram=[{"chat_id": "-100123", "text": "a"}, {"chat_id": -100123, "text": "c"}]
        )
    ]
    assert [
        (r["key"], r["fields"], r["first_diff_index"])
        for r in records(run(write_capture, old, new))
    ] == [("-100123#1", ["text"], 0)]


def test_objects_compare_regardless_of_key_order_and_numbers_by_value(
    write_capture: WriteCapture,
) -> None:
    old = [booking("1", dynamodb=[write(TABLE, "1", people=4, price=1.5, m={"a": 1, "b": 2})])]
    new = [
        booking(
            "1",
            dynamodb=[
                {
                    "item": {
                        "m": {"b": 2, "a": 1},
                        "price": 1.50,
                        "people": 4.0,
                        "booking_id": "1",
                    },
                    "op": "PutItem",
                    "key": {"booking_id": "1"},
                    "table": TABLE,
                }
            ],
        )
    ]
    assert run(write_capture, old, new).records == []


def test_true_is_not_one_and_null_is_not_missing(write_capture: WriteCapture) -> None:
    old = [booking("1", dynamodb=[write(TABLE, "1", flag=True, note=None)])]
    new = [booking("1", dynamodb=[write(TABLE, "1", flag=1)])]
    assert records(run(write_capture, old, new))[0]["fields"] == ["item.flag", "item.note"]


@pytest.mark.parametrize(
    ("old_text", "new_text", "index"),
    [
        ("예약이 확정되었습니다.", "예약이 확정되었습니다. ", 12),  # trailing space
        ("줄1\n줄2", "줄1\r\n줄2", 2),  # CRLF vs LF
        ("[강남점] 홍길동님", "[강남점] 홍길동님".replace("홍", "\u1112\u1169\u11bc"), 6),  # NFD
        ("🙂 ok", "🙂 OK", 2),  # code points, not UTF-16 units or bytes
    ],
)
def test_strings_compare_code_point_by_code_point(
    write_capture: WriteCapture, old_text: str, new_text: str, index: int
) -> None:
    result = run(
        write_capture,
        [booking("1", sms=[sms("confirm", old_text)])],
        [booking("1", sms=[sms("confirm", new_text)])],
    )
    assert [(r["fields"], r["first_diff_index"]) for r in records(result)] == [(["content"], index)]


def test_fields_are_sorted_dotted_paths_and_one_sided_keys_count(
    write_capture: WriteCapture,
) -> None:
    old = [
        booking(
            "1",
            sms=[sms("guide", "x", subject="s", msg_type="LMS")],
            dynamodb=[write(TABLE, "1", meta={"tier": "a", "src": "n"}, z=1)],
        )
    ]
    new = [
        booking(
            "1",
            sms=[sms("guide", "x", msg_type="SMS")],
            dynamodb=[write(TABLE, "1", meta={"tier": "b"}, z=1, extra=0)],
        )
    ]
    got = [
        (r["channel"], r["fields"], r["first_diff_index"])
        for r in records(run(write_capture, old, new))
    ]
    assert got == [
        ("sms", ["msg_type", "subject"], None),  # content equal -> no first_diff_index
        ("dynamodb", ["item.extra", "item.meta.src", "item.meta.tier"], None),
    ]


def test_a_booking_absent_from_one_side_produced_nothing_there(
    write_capture: WriteCapture,
) -> None:
    old = [
        booking("1", sms=[sms("confirm", "a")], telegram=[{"chat_id": "c", "text": "t"}]),
        booking("2"),
    ]
    new = [booking("3", "s3", dynamodb=[write(TABLE, "3")])]
    result = run(write_capture, old, new)
    assert [(r["booking_id"], r["channel"], r["kind"], r["store_id"]) for r in records(result)] == [
        ("1", "sms", "missing_in_new", "gangnam-01"),
        ("1", "telegram", "missing_in_new", "gangnam-01"),
        ("3", "dynamodb", "extra_in_new", "s3"),
    ]
    assert (result.bookings_compared, result.bookings_matched) == (3, 1)  # "2" has no outputs


def test_summary_counts_and_rounding(write_capture: WriteCapture) -> None:
    old = [
        booking(
            str(i),
            sms=[sms("confirm", "a")],
            telegram=[{"chat_id": 1, "text": "t"}],
            dynamodb=[write(TABLE, str(i))],
        )
        for i in range(3)
    ]
    new = [
        booking(
            "0",
            sms=[sms("confirm", "a")],
            telegram=[{"chat_id": 1, "text": "t"}],
            dynamodb=[write(TABLE, "0")],
        ),
        booking("1", sms=[sms("confirm", "b"), sms("guide", "g")]),
        booking(
            "2",
            sms=[sms("confirm", "a")],
            telegram=[{"chat_id": 1, "text": "t"}],
            dynamodb=[write(TABLE, "2")],
        ),
    ]
    report = run(write_capture, old, new).to_report()
    assert report["bookings_compared"] == 3
    assert report["bookings_matched"] == 2
    assert report["match_percentage"] == 66.67  # 100 * 2 / 3 rounded to 2 decimals
    assert (report["sms_sent_old"], report["sms_sent_new"]) == (3, 4)
    assert (report["dynamodb_writes_old"], report["dynamodb_writes_new"]) == (3, 2)
    assert (report["telegram_old"], report["telegram_new"]) == (3, 2)
    assert report["discrepancies"] == len(report["records"]) == 4


def test_records_are_ordered_by_booking_then_channel_then_old_side_order(
    write_capture: WriteCapture,
) -> None:
    old = [
        booking("b", telegram=[{"chat_id": "c", "text": "x"}], sms=[sms("guide", "g")]),
        booking("a", sms=[sms("guide", "g"), sms("confirm", "c")]),
    ]
    new = [booking("b", sms=[sms("cancel", "k")]), booking("a", sms=[sms("reminder", "r")])]
    got = [
        (r["booking_id"], r["channel"], r["key"], r["kind"])
        for r in records(run(write_capture, old, new))
    ]
    assert got == [
        ("a", "sms", "guide#0", "missing_in_new"),
        ("a", "sms", "confirm#0", "missing_in_new"),
        ("a", "sms", "reminder#0", "extra_in_new"),
        ("b", "sms", "guide#0", "missing_in_new"),
        ("b", "sms", "cancel#0", "extra_in_new"),
        ("b", "telegram", "c#0", "missing_in_new"),
    ]


def test_two_files_without_any_booking_are_an_error(write_capture: WriteCapture) -> None:
    with pytest.raises(EmptyComparison):
        run(write_capture, ["", "   "], [])


def test_fast_and_full_paths_agree_when_fingerprints_cannot_be_used(
    write_capture: WriteCapture,
) -> None:
    """Escaped quotes before `_` disable the fingerprint; the full comparison still runs."""
    line = booking("1", sms=[sms("confirm", 'say \\"_x\\"', _sent_at="1")])
    other = booking("1", sms=[sms("confirm", 'say \\"_x\\"', _sent_at="2")])
    assert run(write_capture, [line], [other]).records == []
    changed = booking("1", sms=[sms("confirm", 'say \\"_y\\"')])
    assert [r["fields"] for r in records(run(write_capture, [line], [changed]))] == [["content"]]
