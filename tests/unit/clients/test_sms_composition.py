from __future__ import annotations

import pytest

from naver_sms.clients.sms import (
    LMS_MAX_BYTES,
    SMS_MAX_BYTES,
    SUBJECT_MAX_BYTES,
    InvalidPhoneError,
    SmsCompositionError,
    SmsEncodingError,
    SmsTooLongError,
    compose_sms,
    cp949_length,
    mask_phone,
    mask_phones_in_text,
    normalize_phone,
)

PHONE = "010-1234-5678"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("abc 123", 7),
        ("가", 2),
        ("홍길동님", 8),
        ("[강남점] 홍길동님", 17),  # brackets/space 1 byte each, 7 Hangul 2 bytes each
        ("줄\n바꿈", 7),
        ("똠방각하", 8),  # syllables outside KS X 1001, encoded by CP949's extension
        ("※☎", 4),  # CP949 symbols
    ],
)
def test_cp949_length(text: str, expected: int) -> None:
    assert cp949_length(text) == expected


def test_emoji_is_an_encoding_error_naming_character_and_position() -> None:
    with pytest.raises(SmsEncodingError) as info:
        cp949_length("예약 확정 😀 감사합니다")
    assert info.value.position == 6
    assert info.value.character == "😀"
    assert "U+1F600" in str(info.value)
    assert "position 6" in str(info.value)


def test_compose_names_the_field_with_the_bad_character() -> None:
    with pytest.raises(SmsEncodingError, match=r"^subject: .*position 2"):
        compose_sms(PHONE, "안녕하세요", subject="안내🎉")
    with pytest.raises(SmsEncodingError, match=r"^content: "):
        compose_sms(PHONE, "ok ✅")


@pytest.mark.parametrize(
    ("content", "msg_type"),
    [
        ("a" * SMS_MAX_BYTES, "SMS"),
        ("가" * 45, "SMS"),  # exactly 90 bytes
        ("가" * 45 + "a", "LMS"),  # 91 bytes
        ("a" * (SMS_MAX_BYTES + 1), "LMS"),
        ("가" * 1000, "LMS"),  # exactly 2000 bytes
    ],
)
def test_sms_or_lms_by_cp949_bytes(content: str, msg_type: str) -> None:
    message = compose_sms(PHONE, content)
    assert message.msg_type == msg_type
    assert message.content == content
    assert message.subject is None
    assert message.to == "01012345678"


def test_content_over_2000_bytes_is_an_error_with_its_length() -> None:
    with pytest.raises(SmsTooLongError) as info:
        compose_sms(PHONE, "가" * 1000 + "a")
    assert (info.value.length, info.value.limit) == (2001, LMS_MAX_BYTES)
    assert "2001" in str(info.value)
    assert "2000" in str(info.value)


def test_a_subject_makes_even_a_short_message_lms() -> None:
    message = compose_sms(PHONE, "짧은 안내", subject="홍대점 방문 안내")
    assert message.msg_type == "LMS"
    assert message.subject == "홍대점 방문 안내"


def test_an_empty_subject_means_no_subject() -> None:
    message = compose_sms(PHONE, "짧은 안내", subject="")
    assert (message.msg_type, message.subject) == ("SMS", None)


def test_subject_of_exactly_40_bytes_is_kept() -> None:
    subject = "가" * 20
    assert cp949_length(subject) == SUBJECT_MAX_BYTES
    assert compose_sms(PHONE, "본문", subject=subject).subject == subject


def test_subject_over_40_bytes_is_truncated_on_a_character_boundary() -> None:
    assert compose_sms(PHONE, "본문", subject="가" * 20 + "a").subject == "가" * 20
    # 1 + 40 bytes: cutting at 40 bytes would split a Hangul syllable in half.
    truncated = compose_sms(PHONE, "본문", subject="a" + "가" * 20).subject
    assert truncated == "a" + "가" * 19
    assert truncated is not None
    assert cp949_length(truncated) == 39


def test_empty_content_is_an_error() -> None:
    with pytest.raises(SmsCompositionError, match="content is empty"):
        compose_sms(PHONE, "")


def test_landline_recipient_is_rejected_without_showing_the_number() -> None:
    with pytest.raises(InvalidPhoneError, match="not a mobile number") as info:
        compose_sms("02-3456-7890", "안녕하세요")
    assert "34567890" not in str(info.value)
    assert "3456-7890" not in str(info.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("010-1234-5678", "01012345678"),
        ("01012345678", "01012345678"),
        ("010 1234 5678", "01012345678"),
        ("010.1234.5678", "01012345678"),
        ("(010) 1234-5678", "01012345678"),
        ("+82 10-1234-5678", "01012345678"),
        ("+82-010-1234-5678", "01012345678"),
        ("0082 10 1234 5678", "01012345678"),
        ("011-234-5678", "0112345678"),
        ("02-1234-5678", "0212345678"),
        ("02-123-4567", "021234567"),
        ("031-123-4567", "0311234567"),
        ("064-1234-5678", "06412345678"),
        ("070-1234-5678", "07012345678"),
        ("1588-1234", "15881234"),
    ],
)
def test_normalize_phone_accepts(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("010-1234-567", "not a Korean"),  # too short
        ("010-1234-56789", "not a Korean"),  # too long
        ("012-1234-5678", "not a Korean"),  # no such mobile prefix
        ("10-1234-5678", "not a Korean"),  # missing trunk 0
        ("010-1234-567O", "characters other than digits"),  # letter O
        ("010_1234_5678", "characters other than digits"),
        ("+1 415 555 0100", "characters other than digits"),
        ("０１０１２３４５６７８", "characters other than digits"),  # full-width digits
        ("039-123-4567", "not a Korean"),  # no such area code
    ],
)
def test_normalize_phone_rejects(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPhoneError, match=reason):
        normalize_phone(raw)


def test_invalid_phone_message_masks_the_value() -> None:
    with pytest.raises(InvalidPhoneError) as info:
        normalize_phone("010-9876-54321")
    assert "9876" not in str(info.value)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("01012345678", "010-****-5678"),
        ("010-1234-5678", "010-****-5678"),
        ("0215881234", "021-****-1234"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_phone(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


def test_mask_phones_in_free_text() -> None:
    text = "invalid to: 01012345678, retry 010-9876-5432 (count 20261120)"
    assert mask_phones_in_text(text) == (
        "invalid to: 010-****-5678, retry 010-****-5432 (count 20261120)"
    )


def test_message_repr_hides_number_and_text() -> None:
    message = compose_sms(PHONE, "홍길동님 예약 확정", subject="강남점 안내")
    text = repr(message)
    assert "1234" not in text
    assert "홍길동" not in text
    assert "강남점" not in text
    assert "010-****-5678" in text
