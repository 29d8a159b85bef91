"""Character-level segments and the visible spelling of invisible differences."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from naver_sms.comparison.textdiff import char_segments, difference_hints, visible


def _apply(old: str, new: str) -> str:
    """Rebuild `new` from `old` and the (complete) segments."""
    out, pos = [], 0
    for seg in char_segments(old, new, max_segments=10**6):
        out.append(old[pos : seg.old_start])
        out.append(seg.new_text)
        pos = seg.old_end
    out.append(old[pos:])
    return "".join(out)


@given(st.text(max_size=40), st.text(max_size=40))
def test_segments_turn_old_into_new(old: str, new: str) -> None:
    assert _apply(old, new) == new
    for seg in char_segments(old, new):
        assert seg.old_text == old[seg.old_start : seg.old_end]
        assert seg.new_text == new[seg.new_start : seg.new_end]


def test_trailing_space_is_one_visible_insert() -> None:
    [seg] = char_segments("확정되었습니다.", "확정되었습니다. ")
    assert (seg.op, seg.old_start, seg.new_start, seg.new_text) == ("insert", 8, 8, " ")
    assert visible(seg.new_text) == "·"
    assert difference_hints("확정되었습니다.", "확정되었습니다. ") == [
        "leading/trailing whitespace differs"
    ]


def test_crlf_is_visible_and_named() -> None:
    segments = char_segments("a\nb\nc", "a\r\nb\r\nc")
    assert [(s.op, visible(s.new_text)) for s in segments] == [("insert", "\\r"), ("insert", "\\r")]
    assert difference_hints("a\nb", "a\r\nb") == ["line endings differ (CRLF vs LF)"]


def test_decomposed_hangul_shows_its_jamo() -> None:
    nfc = "[강남점] 홍길동님"
    nfd = unicodedata.normalize("NFD", nfc)
    segments = char_segments(nfc, nfd)
    assert segments
    assert segments[0].old_start == 1
    shown = visible(segments[0].new_text)
    assert "<U+1100>" in shown  # ㄱ of 강 as a conjoining jamo
    assert difference_hints(nfc, nfd)[0].startswith("same text after Unicode NFC normalisation")


def test_at_least_ten_segments_are_given_and_the_cap_is_respected() -> None:
    old = "".join(f"{i}a" for i in range(30))
    new = "".join(f"{i}b" for i in range(30))
    assert len(char_segments(old, new)) == 20
    assert len(char_segments(old, new, max_segments=10)) == 10
    assert char_segments("same", "same") == []


def test_visible_names_other_invisibles() -> None:
    assert visible("a\tb\u200b\u00a0 \n") == "a\\tb<U+200B><U+00A0>·\\n"
