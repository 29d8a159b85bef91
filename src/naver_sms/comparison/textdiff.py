"""Character-level differences between an old and a new SMS/Telegram text.

``first_diff_index`` says where two texts part; an engineer also needs to *see* what differs,
including what a terminal or browser hides: a trailing space, ``\\r\\n`` against ``\\n``, or
Hangul typed as decomposed jamo (NFD) against precomposed syllables (NFC). The functions here
give the differing segments and a visible spelling of invisible characters.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

DEFAULT_MAX_SEGMENTS: Final = 20

SegmentOp = Literal["replace", "delete", "insert"]


@dataclass(frozen=True)
class Segment:
    """One differing stretch: ``old[old_start:old_end]`` became ``new[new_start:new_end]``."""

    op: SegmentOp
    old_start: int
    old_end: int
    new_start: int
    new_end: int
    old_text: str
    new_text: str

    def to_json(self) -> dict[str, object]:
        return {
            "op": self.op,
            "old_start": self.old_start,
            "old_end": self.old_end,
            "new_start": self.new_start,
            "new_end": self.new_end,
            "old": self.old_text,
            "new": self.new_text,
        }


def char_segments(old: str, new: str, max_segments: int = DEFAULT_MAX_SEGMENTS) -> list[Segment]:
    """The differing segments of two texts, in order, code point indices, at most ``max_segments``.

    ``autojunk`` is off: SMS texts are short and repeated characters (spaces, ``-``) must not
    be treated as noise.
    """
    if old == new:
        return []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        segments.append(Segment(tag, i1, i2, j1, j2, old[i1:i2], new[j1:j2]))
        if len(segments) >= max_segments:
            break
    return segments


_NAMED: Final[dict[str, str]] = {
    " ": "·",
    # Escapes rather than the Control Pictures block (␍, ␊): fonts often lack those glyphs,
    # and a missing glyph is exactly the kind of invisible difference we must not produce.
    "\t": "\\t",
    "\r": "\\r",
    "\n": "\\n",
}


def is_invisible(char: str) -> bool:
    """Characters a reader cannot tell apart by eye: whitespace, controls, format, combining."""
    if char in _NAMED:
        return True
    category = unicodedata.category(char)
    if category[0] in "CZ" or category in ("Mn", "Me"):
        return True
    # Conjoining Hangul jamo (what NFD makes of a syllable) look like the syllable they form.
    code = ord(char)
    return 0x1100 <= code <= 0x11FF or 0xA960 <= code <= 0xA97F or 0xD7B0 <= code <= 0xD7FF


def visible(text: str) -> str:
    """Spell out invisible characters: ``·`` space, ``\\r``, ``\\n``, ``\\t``, else ``<U+XXXX>``."""
    out: list[str] = []
    for char in text:
        if char in _NAMED:
            out.append(_NAMED[char])
        elif is_invisible(char):
            out.append(f"<U+{ord(char):04X}>")
        else:
            out.append(char)
    return "".join(out)


def difference_hints(old: str, new: str) -> list[str]:
    """Plain-language causes of a difference that is hard to see, if one applies."""
    if old == new:
        return []
    hints: list[str] = []
    if unicodedata.normalize("NFC", old) == unicodedata.normalize("NFC", new):
        old_nfc = unicodedata.is_normalized("NFC", old)
        new_nfc = unicodedata.is_normalized("NFC", new)
        forms = f"old {'NFC' if old_nfc else 'not NFC'}, new {'NFC' if new_nfc else 'not NFC'}"
        hints.append(f"same text after Unicode NFC normalisation ({forms}, e.g. decomposed Hangul)")
    if old.replace("\r\n", "\n") == new.replace("\r\n", "\n"):
        hints.append("line endings differ (CRLF vs LF)")
    elif old.strip() == new.strip():
        hints.append("leading/trailing whitespace differs")
    elif " ".join(old.split()) == " ".join(new.split()):
        hints.append("whitespace differs")
    return hints
