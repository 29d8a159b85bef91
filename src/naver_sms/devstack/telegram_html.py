"""Telegram Bot API "HTML" parse mode, checked the way the Bot API does before sending.

Only the tags Telegram supports are allowed, they must nest properly, and every ``<``, ``>``
and ``&`` that is not part of a tag or an entity must be escaped. The result is the plain text
whose length the 4096-character limit applies to ("after entities parsing").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUPPORTED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_TAG = re.compile(
    r"<(?P<end>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)"
    r"(?P<attrs>(?:\s+[A-Za-z][A-Za-z0-9_-]*(?:\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s\"'<>=`]+))?)*)"
    r"\s*>"
)
_ATTR = re.compile(
    r"(?P<name>[A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"'<>=`]+)))?"
)
_ENTITY = re.compile(
    r"&(?:(?P<named>lt|gt|amp|quot)|#(?P<dec>[0-9]{1,7})|#[xX](?P<hex>[0-9a-fA-F]{1,6}));"
)
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class TelegramHtmlError(ValueError):
    """Text that Telegram would refuse with "can't parse entities"."""


@dataclass(frozen=True)
class ParsedHtml:
    plain_text: str
    tags: tuple[str, ...]
    """Tag names in the order they were opened."""


def _offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _entity_char(match: re.Match[str], text: str, index: int) -> str:
    if match.group("named"):
        return _NAMED[match.group("named")]
    code = int(match.group("dec")) if match.group("dec") else int(match.group("hex"), 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise TelegramHtmlError(
            f"Invalid character reference at byte offset {_offset(text, index)}"
        )
    return chr(code)


def _attributes(raw: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for match in _ATTR.finditer(raw):
        value = match.group("dq") or match.group("sq") or match.group("bare") or ""
        attrs[match.group("name").lower()] = value
    return attrs


def parse_html(text: str) -> ParsedHtml:
    """Validate Telegram HTML and return its plain text; raises TelegramHtmlError."""
    plain: list[str] = []
    opened: list[str] = []
    stack: list[tuple[str, int]] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "<":
            tag = _TAG.match(text, index)
            if tag is None:
                raise TelegramHtmlError(
                    f"Unescaped '<' or malformed tag at byte offset {_offset(text, index)}; "
                    'write "&lt;" for a literal <'
                )
            name = tag.group("name").lower()
            if tag.group("end"):
                if not stack:
                    raise TelegramHtmlError(
                        f'Unexpected end tag "{name}" at byte offset {_offset(text, index)}'
                    )
                expected, _ = stack.pop()
                if name != expected:
                    raise TelegramHtmlError(
                        f"Unmatched end tag at byte offset {_offset(text, index)}, "
                        f'expected "</{expected}>", found "</{name}>"'
                    )
            else:
                if name not in SUPPORTED_TAGS:
                    raise TelegramHtmlError(
                        f'Unsupported start tag "{name}" at byte offset {_offset(text, index)}'
                    )
                attrs = _attributes(tag.group("attrs"))
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise TelegramHtmlError(
                        f'Tag "span" must have class "tg-spoiler" at byte offset '
                        f"{_offset(text, index)}"
                    )
                stack.append((name, index))
                opened.append(name)
            index = tag.end()
        elif char == "&":
            entity = _ENTITY.match(text, index)
            if entity is None:
                raise TelegramHtmlError(
                    f"Unescaped '&' at byte offset {_offset(text, index)}; "
                    'write "&amp;" for a literal &'
                )
            plain.append(_entity_char(entity, text, index))
            index = entity.end()
        elif char == ">":
            raise TelegramHtmlError(
                f"Unescaped '>' at byte offset {_offset(text, index)}; "
                'write "&gt;" for a literal >'
            )
        else:
            plain.append(char)
            index += 1
    if stack:
        name, start = stack[-1]
        raise TelegramHtmlError(
            f'Can\'t find end tag corresponding to start tag "{name}" '
            f"at byte offset {_offset(text, start)}"
        )
    return ParsedHtml(plain_text="".join(plain), tags=tuple(opened))
