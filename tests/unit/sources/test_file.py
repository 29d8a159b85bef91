import json
from pathlib import Path

import pytest

from naver_sms.sources.file import SourceError, UnreadableBooking, read_bookings


def test_reads_array_object_and_jsonl(tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text(json.dumps([{"booking_id": "1"}]))
    b = tmp_path / "b.json"
    b.write_text(json.dumps({"bookings": [{"booking_id": "2"}]}))
    c = tmp_path / "c.jsonl"
    c.write_text('{"booking_id": "3"}\n\n{"booking_id": "4"}\n')
    assert read_bookings(a) == [{"booking_id": "1"}]
    assert read_bookings(b) == [{"booking_id": "2"}]
    assert read_bookings(c) == [{"booking_id": "3"}, {"booking_id": "4"}]


def test_a_broken_jsonl_line_is_kept_as_an_error_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"booking_id": "3"}\n{"booking_id": \n{"booking_id": "5"}\n')
    got = read_bookings(path)
    assert got[0] == {"booking_id": "3"}
    assert got[2] == {"booking_id": "5"}
    assert isinstance(got[1], UnreadableBooking)
    assert got[1]["_error"].startswith(f"{path}:2: invalid JSON")


def test_whole_file_problems_raise(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read"):
        read_bookings(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('[{"booking_id": 1},\n oops]')
    with pytest.raises(SourceError, match=r"bad.json:2: invalid JSON"):
        read_bookings(bad)
    obj = tmp_path / "obj.json"
    obj.write_text('{"items": []}')
    with pytest.raises(SourceError, match="expected a list of bookings"):
        read_bookings(obj)
