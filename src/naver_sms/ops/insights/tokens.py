"""The Logs Insights tokenizer: one token at a time, scanned on demand by the parser.

``/`` is both division and the start of a regular expression; only the parser knows which it
expects, so it asks for a regex explicitly (:meth:`Scanner.regex`) where one may stand.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

from naver_sms.ops.insights.errors import QueryError

NAME: Final = "name"
"""A field or keyword: ``store_id``, ``record.metrics.durationMs``, ``@timestamp``, `` `a-b` ``."""
NUMBER: Final = "number"
DURATION: Final = "duration"
"""A number with a time unit, as bin() takes it: ``5m``, ``1h``, ``100ms``."""
STRING: Final = "string"
REGEX: Final = "regex"
OP: Final = "op"
END: Final = "end"

_NAME = re.compile(r"@?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*")
_NUMBER = re.compile(r"(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DIGITS = frozenset("0123456789")
_UNIT = re.compile(r"[A-Za-z]+")
# Longest first, so "<=" is never read as "<" then "=".
_OPERATORS: Final = (
    *("!=", "<=", ">=", "=~"),
    *("|", ",", "(", ")", "[", "]", "=", "<", ">", "+", "-", "*", "/", "%"),
)
DURATION_UNITS_MS: Final = {
    "ms": 1,
    "s": 1_000,
    "sec": 1_000,
    "m": 60_000,
    "min": 60_000,
    "h": 3_600_000,
    "hr": 3_600_000,
    "d": 86_400_000,
    "w": 7 * 86_400_000,
}
CALENDAR_UNITS: Final = ("mo", "q", "y")
MAX_NUMBER_CHARS: Final = 30
_ESCAPES: Final = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", "r": "\r", "/": "/"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    """The token as written (strings and regexes with their quotes)."""
    start: int
    end: int
    value: str | float | int | None = None
    """Strings unescaped, regexes without slashes, numbers parsed, durations in milliseconds."""
    quoted: bool = False
    """A name written in backquotes (never a keyword)."""

    @property
    def name(self) -> str:
        """A name token's field name (backquotes removed)."""
        return str(self.value) if self.quoted else self.text

    def is_keyword(self, *words: str) -> bool:
        return self.kind == NAME and not self.quoted and self.text.lower() in words

    def is_op(self, *ops: str) -> bool:
        return self.kind == OP and self.text in ops


class Scanner:
    """Scans tokens of `text` from any offset; errors name the character and its position."""

    def __init__(self, text: str) -> None:
        self.text = text

    def error(self, message: str, offset: int, token: str) -> QueryError:
        return QueryError(message, self.text, offset, token)

    def skip_space(self, pos: int) -> int:
        text = self.text
        while pos < len(text):
            char = text[pos]
            if char in " \t\r\n\f\v":
                pos += 1
            elif char == "#":  # a comment runs to the end of the line
                newline = text.find("\n", pos)
                pos = len(text) if newline < 0 else newline + 1
            else:
                break
        return pos

    def token(self, pos: int) -> Token:
        """The token at or after `pos` (whitespace and comments skipped)."""
        text = self.text
        pos = self.skip_space(pos)
        if pos >= len(text):
            return Token(END, "", pos, pos)
        char = text[pos]
        if char in "\"'":
            return self._string(pos)
        if char == "`":
            return self._backquoted(pos)
        if char in _DIGITS or (
            char == "." and text[pos + 1 : pos + 2] in _DIGITS and pos + 1 < len(text)
        ):
            return self._number(pos)
        match = _NAME.match(text, pos)
        if match:
            return Token(NAME, match.group(), pos, match.end())
        for op in _OPERATORS:
            if text.startswith(op, pos):
                return Token(OP, op, pos, pos + len(op))
        raise self.error(f"unexpected character {char!r}", pos, char)

    def regex(self, pos: int) -> Token:
        """A ``/regex/`` starting at `pos` (which holds the opening slash)."""
        text = self.text
        pos = self.skip_space(pos)
        if not text.startswith("/", pos):
            raise self.error("expected a /regular expression/", pos, text[pos : pos + 1])
        chars: list[str] = []
        index = pos + 1
        while index < len(text):
            char = text[index]
            if char == "\\" and index + 1 < len(text):
                following = text[index + 1]
                # \/ is a slash inside the regex; every other escape is the regex's own.
                chars.append("/" if following == "/" else char + following)
                index += 2
                continue
            if char == "/":
                end = index + 1
                flags = _UNIT.match(text, end)
                if flags:
                    raise self.error(
                        "regex flags after the closing slash are not Logs Insights syntax; "
                        "write (?i) inside the regex",
                        end,
                        flags.group(),
                    )
                return Token(REGEX, text[pos:end], pos, end, "".join(chars))
            if char == "\n":
                break
            chars.append(char)
            index += 1
        raise self.error("unterminated regular expression", pos, text[pos : pos + 20])

    def _string(self, pos: int) -> Token:
        text = self.text
        quote = text[pos]
        chars: list[str] = []
        index = pos + 1
        while index < len(text):
            char = text[index]
            if char == "\\":
                following = text[index + 1 : index + 2]
                if following not in _ESCAPES:
                    raise self.error(
                        f"unknown escape \\{following} in a string", index, text[index : index + 2]
                    )
                chars.append(_ESCAPES[following])
                index += 2
                continue
            if char == quote:
                return Token(STRING, text[pos : index + 1], pos, index + 1, "".join(chars))
            chars.append(char)
            index += 1
        raise self.error("unterminated string", pos, text[pos : pos + 20])

    def _backquoted(self, pos: int) -> Token:
        end = self.text.find("`", pos + 1)
        if end < 0:
            raise self.error("unterminated `field name`", pos, self.text[pos : pos + 20])
        name = self.text[pos + 1 : end]
        if not name:
            raise self.error("empty `field name`", pos, "``")
        return Token(NAME, self.text[pos : end + 1], pos, end + 1, name, quoted=True)

    def _number(self, pos: int) -> Token:
        text = self.text
        match = _NUMBER.match(text, pos)
        assert match is not None  # the caller saw a digit
        end = match.end()
        literal = match.group()
        unit = _UNIT.match(text, end)
        if unit:
            name = unit.group()
            whole = text[pos : unit.end()]
            if name in DURATION_UNITS_MS:
                if not literal.isdigit() or len(literal) > 9 or int(literal) == 0:
                    raise self.error(
                        "a duration is a positive whole number with a unit", pos, whole
                    )
                return Token(
                    DURATION, whole, pos, unit.end(), int(literal) * DURATION_UNITS_MS[name]
                )
            if name in CALENDAR_UNITS:
                raise self.error(
                    f"calendar unit {name!r} (months, quarters, years) is not supported; "
                    "use ms, s, m, h, d or w",
                    pos,
                    whole,
                )
            raise self.error(f"unknown unit {name!r} after a number", pos, whole)
        if len(literal) > MAX_NUMBER_CHARS:
            raise self.error("number too long", pos, literal)
        if "." in literal or "e" in literal.lower():
            value = float(literal)
            if not math.isfinite(value):
                raise self.error("number out of range", pos, literal)
            return Token(NUMBER, literal, pos, end, value)
        return Token(NUMBER, literal, pos, end, int(literal))
