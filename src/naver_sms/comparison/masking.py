"""Masking of personal data in text excerpts written to logs, telemetry and the console.

Phone numbers become ``010-****-5678`` (also when written as bare digits ``01012345678``),
and, as a best-effort heuristic for the SMS templates, a customer name before the honorific
``님`` keeps only its first syllable (``홍**님``). Excerpts are cut so that a phone number is
never split (a split number would leak digits the mask is meant to hide).
"""

from __future__ import annotations

import re
from typing import Final

# Korean numbers: mobile 010/011/016-019, Seoul 02, other area codes 0xx; separators optional.
_PHONE: Final = re.compile(r"(?<!\d)(02|0[1-9]\d)[-. ]?(\d{3,4})[-. ]?(\d{4})(?!\d)")
# A Hangul syllable, precomposed or decomposed (NFD: leading consonant, vowel, optional final):
# a legacy system that wrote decomposed text must not leak the name it failed to compose.
_SYLLABLE: Final = "(?:[가-힣]|[\u1100-\u1112][\u1161-\u1175][\u11a8-\u11c2]?)"
_NAME: Final = re.compile(f"({_SYLLABLE})({_SYLLABLE}{{1,3}})(?=님|\u1102\u1175\u11b7)")
_SYLLABLES: Final = re.compile(_SYLLABLE)


def mask_phones(text: str) -> str:
    """Replace the middle group of every phone number with ``****``."""
    return _PHONE.sub(lambda m: f"{m.group(1)}-****-{m.group(3)}", text)


def mask_text(text: str) -> str:
    """Mask phone numbers and (heuristically) customer names before ``님``."""
    masked = mask_phones(text)
    return _NAME.sub(lambda m: m.group(1) + "*" * len(_SYLLABLES.findall(m.group(2))), masked)


def phone_spans(text: str) -> list[tuple[int, int]]:
    """Code point spans ``[start, end)`` of the middle digits of every phone number."""
    return [(m.start(2), m.end(2)) for m in _PHONE.finditer(text)]


def masked_positions(text: str) -> set[int]:
    """Positions to hide when showing ``text`` character by character (phone middles, names)."""
    hidden: set[int] = set()
    for start, end in phone_spans(text):
        hidden.update(range(start, end))
    for m in _NAME.finditer(text):
        hidden.update(range(m.start(2), m.end(2)))
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
