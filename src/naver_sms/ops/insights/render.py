"""Query results as a text table, a Markdown table or JSON (an array of row objects)."""

from __future__ import annotations

import json
from typing import Any

from naver_sms.ops.insights.engine import QueryResult

MAX_CELL_CHARS = 120


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:.3f}".rstrip("0").rstrip(".")
        return text if text not in ("-0", "") else "0"
    return str(value)


def _clip(text: str) -> str:
    text = text.replace("\n", "\\n").replace("\t", " ")
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "\u2026"


def table(result: QueryResult) -> str:
    """Aligned columns with a header, then a line saying how many rows and events."""
    rows = [[_clip(cell(row.get(c))) for c in result.columns] for row in result.rows]
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(result.columns)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(result.columns, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append(
        f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''} from "
        f"{result.events} log events)"
    )
    return "\n".join(lines) + "\n"


def markdown(result: QueryResult) -> str:
    def escape(text: str) -> str:
        return _clip(text).replace("|", "\\|")

    lines = [
        "| " + " | ".join(escape(c) for c in result.columns) + " |",
        "|" + "---|" * len(result.columns),
    ]
    lines += [
        "| " + " | ".join(escape(cell(row.get(c))) for c in result.columns) + " |"
        for row in result.rows
    ]
    return "\n".join(lines) + "\n"


def json_rows(result: QueryResult) -> str:
    return json.dumps(result.rows, ensure_ascii=False, indent=2) + "\n"
