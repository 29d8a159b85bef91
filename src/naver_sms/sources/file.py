"""Bookings from a file: a JSON array, an object with `bookings`, or JSON Lines.

Used by the replay campaign and the demo. Lines that are not JSON are kept as errors with
`file:line`, so the processor reports them as invalid bookings instead of stopping the batch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class SourceError(Exception):
    """The source as a whole is unusable (as opposed to one bad booking)."""


class UnreadableBooking(dict[str, Any]):
    """Stands in for a line that did not parse; the processor reports it as invalid."""


def read_bookings(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 at byte {exc.start}") from None
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")) and not _looks_like_jsonl(stripped):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
        if isinstance(data, dict) and isinstance(data.get("bookings"), list):
            return list(data["bookings"])
        if isinstance(data, list):
            return data
        raise SourceError(f"{path}: expected a list of bookings or an object with 'bookings'")
    bookings: list[Any] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            bookings.append(json.loads(line))
        except json.JSONDecodeError as exc:
            bookings.append(UnreadableBooking(_error=f"{path}:{number}: invalid JSON ({exc.msg})"))
    return bookings


def _looks_like_jsonl(text: str) -> bool:
    first = text.split("\n", 1)[0].strip()
    if not first.startswith("{"):
        return False
    try:
        json.loads(first)
    except json.JSONDecodeError:
        return False
    return "\n" in text.strip()
