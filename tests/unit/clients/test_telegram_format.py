from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from naver_sms.clients.telegram import MESSAGE_LIMIT, escape_html, split_message

_ENTITY_OK = re.compile(r"&(?:amp|lt|gt);")


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a < b > c & d", "a &lt; b &gt; c &amp; d"),
        ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
        ("&amp;", "&amp;amp;"),  # already-escaped text is escaped again: input is plain text
        ("\"quotes\" and 'apostrophes'", "\"quotes\" and 'apostrophes'"),
        ("홍대점 예약 확정", "홍대점 예약 확정"),
    ],
)
def test_escape_html_escapes_only_the_three_markup_characters(text: str, escaped: str) -> None:
    assert escape_html(text) == escaped
    assert html.unescape(escape_html(text)) == text


def test_short_text_is_one_message() -> None:
    assert split_message("확정 SMS 발송: 1100000") == ["확정 SMS 발송: 1100000"]


def test_lines_are_packed_and_split_on_line_breaks() -> None:
    lines = [f"{i:03d} " + "가" * 30 for i in range(10)]  # 34 units each
    chunks = split_message("\n".join(lines), limit=100)
    assert chunks == ["\n".join(lines[i : i + 2]) for i in range(0, 10, 2)]  # 2*34+1 <= 100
    assert "\n".join(chunks) == "\n".join(lines)


def test_default_limit_is_telegrams_4096() -> None:
    text = "\n".join(["x" * 99] * 60)  # 5999 characters
    chunks = split_message(text)
    assert MESSAGE_LIMIT == 4096
    assert [len(c) for c in chunks] == [4099 - 100, 5999 - 4000]
    assert all(len(c) <= 4096 for c in chunks)


def test_a_long_line_splits_on_spaces() -> None:
    text = " ".join(["word"] * 30)  # 149 characters
    chunks = split_message(text, limit=50)
    assert all(units(c) <= 50 for c in chunks)
    assert all(c.endswith(" ") for c in chunks[:-1])
    assert "".join(chunks) == text


def test_a_long_line_without_spaces_never_splits_an_entity() -> None:
    text = "a" * 18 + "&amp;" * 10  # a naive cut at 20 would fall inside "&amp;"
    chunks = split_message(text, limit=20)
    assert "".join(chunks) == text
    assert chunks[0] == "a" * 18
    for chunk in chunks:
        assert units(chunk) <= 20
        assert _ENTITY_OK.sub("", chunk).count("&") == 0


def test_emoji_count_as_two_units() -> None:
    text = "😀" * 20  # 40 UTF-16 units
    chunks = split_message(text, limit=16)
    assert [len(c) for c in chunks] == [8, 8, 4]
    assert "".join(chunks) == text


def test_blank_pieces_are_dropped() -> None:
    assert split_message("\n\n  \n") == []
    assert split_message("a\n\n\nb", limit=16) == ["a\n\n\nb"]


def test_absurd_limits_are_rejected() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        split_message("text", limit=5)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("ab가 \n&<>😀")), max_size=400),
    limit=st.integers(min_value=16, max_value=120),
)
def test_split_properties(text: str, limit: int) -> None:
    escaped = escape_html(text)
    chunks = split_message(escaped, limit=limit)
    for chunk in chunks:
        assert 0 < units(chunk) <= limit
        assert chunk.strip()
        assert _ENTITY_OK.sub("", chunk).count("&") == 0  # every entity whole
    # Nothing but whitespace at the cut points is lost, nothing is reordered.
    squash = re.compile(r"\s")
    assert squash.sub("", "".join(chunks)) == squash.sub("", escaped)
