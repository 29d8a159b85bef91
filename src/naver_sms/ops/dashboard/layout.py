"""Widget placement on CloudWatch's dashboard grid: 24 columns, rows of one unit each.

Widgets with ``x``/``y`` stay where they are; the others flow left to right in body order,
wrapping to a new row when the 24 columns are full (how the console lays out a body without
positions). Width and height default to 6, as in CloudWatch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

COLUMNS: Final = 24
DEFAULT_SIZE: Final = 6


@dataclass(frozen=True)
class Placement:
    x: int
    y: int
    width: int
    height: int


def _size(value: Any, default: int, upper: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return max(1, min(int(value), upper))


def place(widgets: Sequence[Mapping[str, Any]]) -> list[Placement]:
    placements: list[Placement] = []
    cursor_x = cursor_y = row_height = 0
    for widget in widgets:
        width = _size(widget.get("width"), DEFAULT_SIZE, COLUMNS)
        height = _size(widget.get("height"), DEFAULT_SIZE, 1000)
        x, y = widget.get("x"), widget.get("y")
        if isinstance(x, int) and isinstance(y, int) and not isinstance(x, bool):
            placements.append(Placement(min(max(x, 0), COLUMNS - width), max(y, 0), width, height))
            cursor_y = max(cursor_y, y)
            continue
        if cursor_x + width > COLUMNS:
            cursor_x, cursor_y, row_height = 0, cursor_y + row_height, 0
        placements.append(Placement(cursor_x, cursor_y, width, height))
        cursor_x += width
        row_height = max(row_height, height)
    return placements
