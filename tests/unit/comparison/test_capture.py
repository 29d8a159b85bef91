"""Capture reading: invalid lines named `file:line: reason`, --skip-invalid, merging, index."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from capture_builders import WriteCapture, booking, sms
from hypothesis import given, settings
from hypothesis import strategies as st

from naver_sms.comparison import engine
from naver_sms.comparison.capture import (
    CaptureError,
    InvalidLine,
    index_capture,
    load_capture,
    metadata_free_text,
)
from naver_sms.comparison.engine import compare_captures, index_pair
from naver_sms.comparison.values import strip_metadata

GOOD = json.dumps(booking("1", sms=[sms("confirm", "a")]))


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            '{"booking_id": "1", ',
            "not valid JSON (Expecting property name enclosed in double quotes at column 21)",
        ),
        ('{"booking_id": "1"} x', "not valid JSON (Extra data at column 21)"),
        ('{"booking_id": NaN}', "not valid JSON (NaN is not a JSON value)"),
        ("[1, 2]", "not a JSON object"),
        ('"text"', "not a JSON object"),
        ('{"store_id": "s"}', "missing booking_id"),
        ('{"booking_id": ""}', "booking_id must be a non-empty string"),
        ('{"booking_id": 7}', "booking_id must be a non-empty string"),
        ('{"booking_id": "1", "store_id": 3}', "store_id must be a string or null"),
        ('{"booking_id": "1", "sms": {}}', "sms must be an array"),
        ('{"booking_id": "1", "sms": [{"type": "confirm"}, 5]}', "sms[1] must be an object"),
        ('{"booking_id": "1", "sms": [{"content": "x"}]}', "sms[0].type must be a string"),
        ('{"booking_id": "1", "sms": [{"type": null}]}', "sms[0].type must be a string"),
        ('{"booking_id": "1", "dynamodb": [{"key": {}}]}', "dynamodb[0].table must be a string"),
        (
            '{"booking_id": "1", "dynamodb": [{"table": "t", "key": "1"}]}',
            "dynamodb[0].key must be an object",
        ),
        ('{"booking_id": "1", "dynamodb": "x"}', "dynamodb must be an array"),
        ('{"booking_id": "1", "sms": null}', "sms must be an array"),
        ('{"booking_id": "1", "dynamodb": null}', "dynamodb must be an array"),
        ('{"booking_id": "1", "telegram": null}', "telegram must be an array"),
        (
            '{"booking_id": "1", "telegram": [{"text": "x"}]}',
            "telegram[0].chat_id must be a string or an integer",
        ),
        (
            '{"booking_id": "1", "telegram": [{"chat_id": true}]}',
            "telegram[0].chat_id must be a string or an integer",
        ),
        (
            '{"booking_id": "1", "telegram": [{"chat_id": 1.5}]}',
            "telegram[0].chat_id must be a string or an integer",
        ),
    ],
)
def test_invalid_line_is_named_with_file_line_and_reason(
    write_capture: WriteCapture, line: str, reason: str
) -> None:
    path = write_capture("cap.jsonl", [GOOD, "", line, GOOD])
    with pytest.raises(CaptureError) as caught:
        index_capture(path)
    assert str(caught.value) == f"{path}:3: {reason}"
    assert (caught.value.line, caught.value.reason) == (3, reason)
    with pytest.raises(CaptureError, match=re.escape(f"{path}:3: {reason}")):
        load_capture(path)


def test_invalid_utf8_is_named_even_after_a_large_valid_prefix(tmp_path: Path) -> None:
    path = tmp_path / "cap.jsonl"
    good = (GOOD + "\n").encode()
    # Far enough that text mode has delivered many lines before the decoder fails.
    path.write_bytes(good * 3000 + b'{"booking_id": "\xff"}\n' + good)
    with pytest.raises(CaptureError, match=re.escape(f"{path}:3001: not valid UTF-8")):
        index_capture(path)
    index = index_capture(path, skip_invalid=True)
    assert [str(i) for i in index.invalid] == [f"{path}:3001: not valid UTF-8"]
    assert index.sms_total == 3001


def test_skip_invalid_counts_lines_from_both_files(write_capture: WriteCapture) -> None:
    old = write_capture("old.jsonl", [GOOD, "{oops", '{"booking_id": 1}'])
    new = write_capture("new.jsonl", ["[]", GOOD])
    with pytest.raises(CaptureError, match=re.escape(f"{old}:2: not valid JSON")):
        compare_captures(old, new)
    result = compare_captures(old, new, skip_invalid=True)
    assert result.invalid_lines == 3
    assert result.to_report()["invalid_lines"] == 3
    assert result.invalid == [
        InvalidLine(
            str(old),
            2,
            "not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        ),
        InvalidLine(str(old), 3, "booking_id must be a non-empty string"),
        InvalidLine(str(new), 1, "not a JSON object"),
    ]
    assert result.bookings_matched == result.bookings_compared == 1


def test_blank_lines_and_crlf_line_endings_are_fine(write_capture: WriteCapture) -> None:
    path = write_capture("cap.jsonl", ["", GOOD + "\r", "   ", GOOD.replace('"1"', '"2"', 1)])
    assert sorted(load_capture(path)) == ["1", "2"]


def test_load_capture_merges_lines(write_capture: WriteCapture) -> None:
    path = write_capture(
        "cap.jsonl",
        [
            booking("1", None, sms=[sms("confirm", "a")]),
            booking("1", "s1", telegram=[{"chat_id": 1, "text": "t"}]),
            booking("1", "s2", sms=[sms("guide", "b")]),
        ],
    )
    merged = load_capture(path)["1"]
    assert merged.store_id == "s1"
    assert [e["type"] for e in merged.sms] == ["confirm", "guide"]
    assert merged.telegram == [{"chat_id": 1, "text": "t"}]


def test_index_keeps_totals_and_marks_multi_line_bookings(write_capture: WriteCapture) -> None:
    path = write_capture(
        "cap.jsonl",
        [
            booking("1", sms=[sms("confirm", "a")]),
            booking("2", sms=[sms("confirm", "a"), sms("guide", "b")], telegram=[{"chat_id": 1}]),
            booking("1", sms=[sms("cancel", "c")]),
        ],
    )
    index = index_capture(path)
    assert (index.sms_total, index.dynamodb_total, index.telegram_total) == (4, 0, 1)
    fingerprint, _store, offsets, types, _others = index.bookings["1"]
    assert fingerprint is None
    lines = path.read_bytes().splitlines(keepends=True)
    assert offsets == (0, len(lines[0]) + len(lines[1]))  # byte offsets of lines 1 and 3
    assert types == ("confirm", "cancel")
    assert index.bookings["2"][0] is not None
    assert index.bookings["2"][4] == 1


def test_parallel_indexing_matches_sequential_and_reports_old_errors_first(
    write_capture: WriteCapture,
) -> None:
    old = write_capture(
        "old.jsonl", [booking(str(i), sms=[sms("confirm", f"{i}", _t=i)]) for i in range(50)]
    )
    new = write_capture(
        "new.jsonl", [booking(str(i), sms=[sms("confirm", f"{i}", _t=-i)]) for i in range(50)]
    )
    seq = compare_captures(old, new, parallel=False)
    par = compare_captures(old, new, parallel=True)
    assert par.to_report() == seq.to_report()
    assert par.bookings_matched == 50  # fingerprints comparable across the two workers
    a, b = index_pair(old, new, parallel=True)
    assert a.bookings.keys() == b.bookings.keys()
    bad_old = write_capture("bad_old.jsonl", ["{"])
    bad_new = write_capture("bad_new.jsonl", ["[]"])
    with pytest.raises(CaptureError, match=re.escape(f"{bad_old}:1:")):
        index_pair(bad_old, bad_new, parallel=True)
    with pytest.raises(CaptureError, match=re.escape(f"{bad_new}:1: not a JSON object")):
        index_pair(old, bad_new, parallel=True)


# --- the fingerprint fast path is exact ----------------------------------------------------

_keys = st.sampled_from(["a", "b", "_m", "_n", "content", "_", 'q"', "_\\", "x_"])
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from([1.0, 4.0, 0.5, -2.5]),
    st.text(alphabet=st.sampled_from(list('ab_"\\, {}:[]\n\r가\u1100')), max_size=6),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=3)),
    max_leaves=8,
)
_entries = st.dictionaries(_keys, _values, max_size=4).map(lambda d: {**d, "type": "confirm"})


def _line(entry: dict[str, object], separators: tuple[str, str]) -> str:
    return json.dumps(
        {"booking_id": "1", "sms": [entry]}, ensure_ascii=False, separators=separators
    )


@settings(max_examples=300, deadline=None)
@given(_entries, _entries, st.sampled_from([(", ", ": "), (",", ":")]))
def test_equal_fingerprints_imply_equal_values(
    tmp_path_factory: pytest.TempPathFactory,
    a: dict[str, object],
    b: dict[str, object],
    separators: tuple[str, str],
) -> None:
    folder = tmp_path_factory.mktemp("fp")
    pa, pb = folder / "a.jsonl", folder / "b.jsonl"
    pa.write_text(_line(a, separators) + "\n", encoding="utf-8")
    pb.write_text(_line(b, separators) + "\n", encoding="utf-8")
    fa = index_capture(pa).bookings["1"][0]
    fb = index_capture(pb).bookings["1"][0]
    if fa is not None and fa == fb:
        assert strip_metadata(a) == strip_metadata(b)
        assert compare_captures(pa, pb).records == []


@pytest.mark.parametrize(
    ("line", "cut"),
    [
        ('{"a": 1, "_t": "x", "b": {"c": 2, "_u": {"n": 1, "s": "y"}}}', '{"a": 1, "b": {"c": 2}}'),
        ('{"a":1,"_t":"x","_n":-1.5e3}', '{"a":1}'),  # compact separators
        ('{"_t": "x", "a": 1}', '{"_t": "x", "a": 1}'),  # first member: left, full comparison
        ('{"a": 1, "_t": {"deep": {"x": 1}}}', '{"a": 1, "_t": {"deep": {"x": 1}}}'),  # nested
        ('{"a": "x, \\"_t\\": 1"}', '{"a": "x, \\"_t\\": 1"}'),  # inside a string: untouched
        ('{"a": ["_t", 1], "b": ", \\"_q\\": 2"}', '{"a": ["_t", 1], "b": ", \\"_q\\": 2"}'),
    ],
)
def test_metadata_free_text_cuts_only_metadata_members(line: str, cut: str) -> None:
    assert metadata_free_text(line) == cut
    assert strip_metadata(json.loads(cut)) == strip_metadata(json.loads(line))


def test_parallel_full_comparison_is_shared_and_keeps_the_record_order(
    write_capture: WriteCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = write_capture(
        "old.jsonl", [booking(f"{i:03d}", sms=[sms("confirm", f"{i}")]) for i in range(40)]
    )
    new = write_capture(
        "new.jsonl",
        [booking(f"{i:03d}", sms=[sms("confirm", f"{i}!")]) for i in reversed(range(40)) if i % 3],
    )
    monkeypatch.setattr(engine, "PARALLEL_MIN_FULL", 1)
    shared = compare_captures(old, new, parallel=True)
    alone = compare_captures(old, new, parallel=False)
    assert shared.to_report() == alone.to_report()
    assert [r.booking_id for r in shared.records] == sorted(r.booking_id for r in shared.records)
    assert shared.records[0].new is not None or shared.records[0].old is not None


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_index_is_the_same_whatever_the_block_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    lines = [json.dumps(booking(str(i), sms=[sms("confirm", f"가{i}", _t=i)])) for i in range(30)]
    path = tmp_path / "cap.jsonl"
    # CRLF endings, a blank line, and no newline after the last line
    path.write_bytes(("\r\n".join(lines[:10]) + "\r\n\r\n" + "\n".join(lines[10:])).encode())
    reference = index_capture(path)
    monkeypatch.setattr("naver_sms.comparison.capture.BLOCK_BYTES", block)
    assert index_capture(path) == reference
    assert sorted(reference.bookings, key=int) == [str(i) for i in range(30)]
    data = path.read_bytes()
    for booking_id, entry in reference.bookings.items():
        assert data[entry[2] :].startswith(b'{"booking_id": "' + booking_id.encode())
