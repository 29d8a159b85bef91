"""Masking of phone numbers (and names) in anything written to logs or the console."""

from __future__ import annotations

import unicodedata

import pytest

from naver_sms.comparison.masking import excerpt, mask_phones, mask_text, masked_positions


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("전화 010-1234-5678 주세요", "전화 010-****-5678 주세요"),
        ("to 01012345678.", "to 010-****-5678."),
        ("02-1588-1234", "02-****-1234"),
        ("0215881234", "02-****-1234"),
        ("예약 1100003 확정", "예약 1100003 확정"),  # booking ids untouched
        ("chat -1001987654321", "chat -1001987654321"),
    ],
)
def test_mask_phones(text: str, masked: str) -> None:
    assert mask_phones(text) == masked


def test_mask_text_hides_the_name_before_the_honorific() -> None:
    assert mask_text("[강남점] 홍길동님 예약") == "[강남점] 홍**님 예약"


def test_excerpt_never_splits_a_phone_number() -> None:
    text = "안내: 문의는 01012345678 로 연락 주세요. 감사합니다."
    for index in range(len(text)):
        shown = excerpt(text, index, before=3, after=3)
        assert "1234" not in shown
        digits = "".join(c for c in shown if c.isdigit())
        assert digits in ("", "0105678") or "****" in shown or not digits.startswith("1")


def test_decomposed_hangul_names_are_masked_too() -> None:
    text = unicodedata.normalize("NFD", "[잠실점] 권도윤님, 오늘 방문")
    masked = mask_text(text)
    assert unicodedata.normalize("NFC", masked).startswith("[잠실점] 권**님")
    hidden = masked_positions(text)
    shown = "".join(c for i, c in enumerate(text) if i not in hidden)
    assert "도윤" not in unicodedata.normalize("NFC", shown)
    assert unicodedata.normalize("NFD", "도") not in shown
