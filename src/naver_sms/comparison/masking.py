"""Masking of personal data in text excerpts written to logs, telemetry and the console.

Phone numbers become ``010-****-5678`` (also when written as bare digits ``01012345678``),
and, as a best-effort heuristic for the SMS templates, a customer name before the honorific
``님`` keeps only its first syllable (``홍**님``). Excerpts are cut so that a phone number is
never split (a split number would leak digits the mask is meant to hide).
"""

from __future__ import annotations

from naver_sms import privacy

# The rules live in naver_sms.privacy (one set for logs, spans, clients and comparison).
mask_phones = privacy.mask_phones


def mask_text(text: str) -> str:
    """Mask phone numbers and (heuristically) customer names before ``님``."""
    return privacy.mask_honorific_names(privacy.mask_phones(text))


def phone_spans(text: str) -> list[tuple[int, int]]:
    """Code point spans ``[start, end)`` of the middle digits of every phone number."""
    return privacy.phone_middle_spans(text)


def masked_positions(text: str) -> set[int]:
    """Positions to hide when showing ``text`` character by character (phone middles, names)."""
    hidden: set[int] = set()
    for start, end in (*phone_spans(text), *privacy.honorific_name_spans(text)):
        hidden.update(range(start, end))
    return hidden


def _widen(text: str, index: int, step: int) -> int:
    """Move a cut point outwards while it would split a run of digits/separators."""
    while (
        0 < index < len(text)
        and (text[index - 1].isdigit() or text[index - 1] in "-. ")
        and (text[index].isdigit() or text[index] in "-.")
    ):
        index += step
    return index


def excerpt(text: str, index: int, before: int = 15, after: int = 25) -> str:
    """A masked window of ``text`` around code point ``index`` (``…`` marks a cut)."""
    start = _widen(text, max(0, index - before), -1)
    end = _widen(text, min(len(text), index + after), 1)
    body = mask_text(text[start:end])
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
