"""Composing one SENS text message: phone numbers, CP949 byte counting, SMS or LMS.

Korean carriers count message length in CP949 (EUC-KR superset) bytes: Hangul takes 2 bytes,
ASCII 1. SENS accepts SMS up to 90 bytes and LMS up to 2000 bytes with a subject up to 40
bytes. A character CP949 cannot encode (emoji, most non-Korean scripts) cannot be sent at all,
so it is an error that names the character and where it is, not a silent replacement.

Subject policy: an over-long LMS subject is *truncated* on a character boundary (never
splitting a 2-byte Hangul). The subject is a display label built from store templates; losing
its tail is better than failing the booking's SMS. The content is never altered: over-long
content is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from naver_sms import privacy

SMS_MAX_BYTES = 90
LMS_MAX_BYTES = 2000
SUBJECT_MAX_BYTES = 40

_SEPARATORS = re.compile(r"[\s\-.()]")
_MOBILE = re.compile(r"010\d{8}|01[16789]\d{7,8}")  # 010 numbers are always 11 digits
_SEOUL = re.compile(r"02\d{7,8}")
_AREA = re.compile(r"0(?:3[1-3]|4[1-4]|5[1-5]|6[1-4])\d{7,8}")
_INTERNET = re.compile(r"070\d{8}")
_PERSONAL = re.compile(r"050\d{8,9}")
_REPRESENTATIVE = re.compile(r"1[5689]\d{6}")  # 1588-1234 and similar nationwide numbers


class SmsCompositionError(ValueError):
    """A message that cannot be sent as given."""


class InvalidPhoneError(SmsCompositionError):
    """Not a plausible Korean phone number (the value in the message is masked)."""


class SmsEncodingError(SmsCompositionError):
    """Text with a character CP949 cannot encode."""

    def __init__(self, character: str, position: int, field_name: str = "text") -> None:
        self.character = character
        self.position = position
        self.field_name = field_name
        super().__init__(
            f"{field_name}: character {character!r} (U+{ord(character):04X}) at position "
            f"{position} cannot be encoded in CP949; SMS can only carry Korean, ASCII and "
            "CP949 symbols"
        )


class SmsTooLongError(SmsCompositionError):
    """Content or subject longer than SENS accepts."""

    def __init__(self, field_name: str, length: int, limit: int) -> None:
        self.field_name = field_name
        self.length = length
        self.limit = limit
        super().__init__(f"{field_name} is {length} CP949 bytes; the limit is {limit}")


@dataclass(frozen=True)
class SmsMessage:
    """One message to one recipient, ready for SENS. Its repr hides the number and text."""

    to: str = field(repr=False)
    content: str = field(repr=False)
    subject: str | None = field(repr=False)
    msg_type: Literal["SMS", "LMS"]

    def __repr__(self) -> str:
        return (
            f"SmsMessage(to={mask_phone(self.to)!r}, msg_type={self.msg_type!r}, "
            f"content=<{len(self.content)} chars>, "
            f"subject={'None' if self.subject is None else f'<{len(self.subject)} chars>'})"
        )


def cp949_length(text: str, field_name: str = "text") -> int:
    """Bytes `text` takes in CP949; :class:`SmsEncodingError` names the first bad character."""
    try:
        return len(text.encode("cp949"))
    except UnicodeEncodeError as exc:
        raise SmsEncodingError(text[exc.start], exc.start, field_name) from None


# Phone masking follows the one set of rules in naver_sms.privacy (logs, spans, comparison).
mask_phone = privacy.mask_phone
mask_phones_in_text = privacy.mask_phones


def normalize_phone(raw: str) -> str:
    """Digits only (`010-1234-5678` -> `01012345678`); `+82` becomes a leading 0.

    Accepts mobile (01x), Seoul (02), area codes (031..064), 070, 050x and nationwide
    representative numbers (15xx/16xx/18xx/19xx-xxxx).
    """
    if not isinstance(raw, str):
        raise InvalidPhoneError(f"phone number must be text, got {type(raw).__name__}")
    compact = _SEPARATORS.sub("", raw)
    if not compact:
        raise InvalidPhoneError("phone number is empty")
    if compact.startswith("+82"):
        compact = "0" + compact[3:].removeprefix("0")
    elif compact.startswith("0082"):
        compact = "0" + compact[4:].removeprefix("0")
    if not compact.isdigit() or not compact.isascii():
        raise InvalidPhoneError(
            f"phone number {mask_phone(raw)!r} contains characters other than digits, "
            "spaces, '-', '.', '(' , ')' or a leading +82"
        )
    for pattern in (_MOBILE, _SEOUL, _AREA, _INTERNET, _PERSONAL, _REPRESENTATIVE):
        if pattern.fullmatch(compact):
            return compact
    raise InvalidPhoneError(
        f"phone number {mask_phone(raw)!r} ({len(compact)} digits) is not a Korean mobile "
        "or landline number"
    )


def is_mobile(number: str) -> bool:
    """True for a normalized mobile number (the only kind that receives SMS)."""
    return _MOBILE.fullmatch(number) is not None


def _truncate_cp949(text: str, limit: int) -> str:
    used = 0
    for index, ch in enumerate(text):
        used += len(ch.encode("cp949"))
        if used > limit:
            return text[:index]
    return text


def compose_sms(to: str, content: str, subject: str | None = None) -> SmsMessage:
    """Validate and classify: SMS when content fits 90 bytes and no subject is wanted, else LMS.

    An empty subject counts as no subject. Over-long subjects are truncated (module doc).
    """
    number = normalize_phone(to)
    if not is_mobile(number):
        raise InvalidPhoneError(
            f"recipient {mask_phone(number)!r} is not a mobile number (010, 011, 016-019); "
            "landlines cannot receive SMS"
        )
    if not content:
        raise SmsCompositionError("content is empty")
    length = cp949_length(content, "content")
    subject = subject or None
    if subject is not None and cp949_length(subject, "subject") > SUBJECT_MAX_BYTES:
        subject = _truncate_cp949(subject, SUBJECT_MAX_BYTES)
    if subject is None and length <= SMS_MAX_BYTES:
        return SmsMessage(number, content, None, "SMS")
    if length > LMS_MAX_BYTES:
        raise SmsTooLongError("content", length, LMS_MAX_BYTES)
    return SmsMessage(number, content, subject, "LMS")
