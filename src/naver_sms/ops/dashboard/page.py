"""The dashboard as one self-contained HTML page (inline CSS and SVG, no script, no network)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any, Final

from naver_sms.ops.dashboard.charts import chart
from naver_sms.ops.dashboard.layout import Placement
from naver_sms.ops.dashboard.widgets import (
    AlarmData,
    ErrorData,
    LogData,
    MetricData,
    TextData,
    WidgetData,
)
from naver_sms.ops.insights.render import cell

COLUMN_PX: Final = 56
ROW_PX: Final = 38
GAP_PX: Final = 8
TITLE_PX: Final = 24
STATE_CLASS: Final = {"ALARM": "alarm", "OK": "ok", "INSUFFICIENT_DATA": "insufficient"}

CSS = """
body { margin: 0; font: 13px/1.4 -apple-system, 'Segoe UI', 'Noto Sans', 'NanumGothic', sans-serif;
       background: #f2f3f3; color: #16191f; }
header { padding: 12px 16px; background: #232f3e; color: #fff; }
header h1 { margin: 0; font-size: 18px; } header p { margin: 4px 0 0; color: #d5dbdb; }
main { position: relative; margin: 12px; }
.widget { position: absolute; box-sizing: border-box; background: #fff; border: 1px solid #d5dbdb;
          border-radius: 2px; overflow: hidden; }
.widget h2 { margin: 0; padding: 4px 8px; font-size: 13px; height: 16px; white-space: nowrap;
             overflow: hidden; text-overflow: ellipsis; }
.widget.text { padding: 0 8px; }
.widget.text h2, .widget.text h3 { font-size: 15px; margin: 6px 0; }
.chart .grid { stroke: #eaeded; } .chart .axis { stroke: #879596; }
.chart .tick { font-size: 10px; fill: #545b64; } .chart .line { fill: none; stroke-width: 2; }
.chart .area { opacity: .35; } .chart .bar-value { font-size: 11px; fill: #16191f; }
.legend { padding: 0 8px; font-size: 11px; }
.legend .key { margin-right: 10px; white-space: nowrap; }
.legend i { display: inline-block; width: 10px; height: 3px; margin-right: 4px;
            vertical-align: middle; }
.singles { display: flex; flex-wrap: wrap; gap: 16px; padding: 8px; }
.single b.value { display: block; font-size: 28px; }
table { border-collapse: collapse; margin: 4px 8px; font-size: 11px; }
td, th { border-bottom: 1px solid #eaeded; padding: 2px 6px; text-align: left; }
.alarms { list-style: none; margin: 4px 8px; padding: 0; }
.alarm-state { display: inline-block; min-width: 120px; padding: 1px 6px; margin-right: 8px;
               color: #fff; border-radius: 2px; font-size: 11px; }
.alarm-state.alarm { background: #d13212; } .alarm-state.ok { background: #1d8102; }
.alarm-state.insufficient, .alarm-state.unknown { background: #879596; }
.error { color: #d13212; padding: 8px; }
"""


def _body(data: WidgetData, width: int, height: int, start: int, end: int) -> str:
    if isinstance(data, MetricData):
        legend_px = 18 * (1 + len(data.lines) // 4)
        # Datapoints sit at their period's start; half a period of margin keeps the first and
        # last inside the frame.
        period_ms = data.period * 1000
        first = (start // period_ms) * period_ms - period_ms // 2
        last = (end // period_ms) * period_ms + period_ms // 2
        return chart(data, width, max(height - TITLE_PX - legend_px, 60), first, last)
    if isinstance(data, TextData):
        return data.html
    if isinstance(data, AlarmData):
        items = "".join(
            f'<li><span class="alarm-state {STATE_CLASS.get(state, "unknown")}">'
            f"{html.escape(state)}</span>{html.escape(name)}"
            f"{f' ({count} transitions)' if count else ''}</li>"
            for name, state, count in data.alarms
        )
        return f'<ul class="alarms">{items}</ul>'
    if isinstance(data, LogData):
        head = "".join(f"<th>{html.escape(c)}</th>" for c in data.columns)
        rows = "".join(
            "<tr>"
            + "".join(f"<td>{html.escape(cell(r.get(c)))}</td>" for c in data.columns)
            + "</tr>"
            for r in data.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    return f'<p class="error">{html.escape(data.message)}</p>'


def _title(widget: Mapping[str, Any], data: WidgetData) -> str:
    if isinstance(data, TextData):
        return ""
    title = getattr(data, "title", "") or str(widget.get("type", ""))
    return f"<h2>{html.escape(title)}</h2>"


def render_page(
    name: str,
    widgets: Sequence[Mapping[str, Any]],
    placements: Sequence[Placement],
    data: Sequence[WidgetData],
    span: tuple[int, int] | None,
    subtitle: str,
) -> str:
    start, end = span or (0, 1)
    boxes = []
    bottom = 0
    for index, (widget, place, shown) in enumerate(zip(widgets, placements, data, strict=True)):
        left, top = place.x * COLUMN_PX, place.y * ROW_PX
        width = place.width * COLUMN_PX - GAP_PX
        height = place.height * ROW_PX - GAP_PX
        bottom = max(bottom, top + height)
        kind = "error" if isinstance(shown, ErrorData) else str(widget.get("type"))
        boxes.append(
            f'<section class="widget {html.escape(kind)}" data-widget="{index}" '
            f'data-type="{html.escape(kind)}" data-points="{shown.points}" '
            f'style="left:{left}px;top:{top}px;width:{width}px;height:{height}px">'
            f"{_title(widget, shown)}{_body(shown, width, height, start, end)}</section>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(name)} dashboard</title><style>{CSS}</style></head><body>"
        f"<header><h1>CloudWatch dashboard {html.escape(name)}</h1>"
        f"<p>{html.escape(subtitle)}</p></header>"
        f'<main style="height:{bottom + GAP_PX}px;width:{24 * COLUMN_PX}px">{"".join(boxes)}</main>'
        "</body></html>\n"
    )
