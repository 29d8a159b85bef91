"""SVG for metric widgets: time series (lines, or stacked areas), bars and single values.

Every datapoint drawn is a ``circle.point`` (bars a ``rect.bar``, single values a
``b.value``) so a browser can count what a widget shows. No script, no external resource.
"""

from __future__ import annotations

import html
import math
from datetime import UTC, datetime
from typing import Final

from naver_sms.ops.dashboard.widgets import Line, MetricData

COLORS: Final = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 52, 44, 8, 22


def element(tag: str, body: str = "", **attributes: object) -> str:
    """One SVG element; attribute names with ``_`` become ``-`` (``text_anchor``)."""
    rendered = " ".join(
        f'{name.rstrip("_").replace("_", "-")}="{html.escape(str(value), quote=True)}"'
        for name, value in attributes.items()
    )
    if body:
        return f"<{tag} {rendered}>{body}</{tag}>"
    return f"<{tag} {rendered}/>"


def color(index: int) -> str:
    return COLORS[index % len(COLORS)]


def number(value: float) -> str:
    if math.isnan(value):
        return "—"
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    if value == int(value):
        return f"{int(value)}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    if high <= low:
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw), default=raw)
    first = math.ceil(low / step) * step
    ticks: list[float] = []
    value = first
    while value <= high + 1e-9 and len(ticks) < 12:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _time_label(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%H:%M")


def _scale(
    lines: list[Line], stacked: bool, y_min: float | None, y_max: float | None
) -> tuple[float, float]:
    if stacked:
        totals: dict[int, float] = {}
        for line in lines:
            for stamp, value in line.points:
                totals[stamp] = totals.get(stamp, 0.0) + value
        values = list(totals.values())
    else:
        values = [v for line in lines for _, v in line.points]
    low = min([0.0, *values]) if y_min is None else float(y_min)
    high = max([*values, low + 1.0]) if y_max is None else float(y_max)
    if y_max is None:
        high = high + (high - low) * 0.1
    return low, high


def time_series(data: MetricData, width: int, height: int, start: int, end: int) -> str:
    inner_w = max(width - PAD_LEFT - PAD_RIGHT, 10)
    inner_h = max(height - PAD_TOP - PAD_BOTTOM, 10)
    span = max(end - start, 1)
    left_lines = [(i, line) for i, line in enumerate(data.lines) if not line.right_axis]
    right_lines = [(i, line) for i, line in enumerate(data.lines) if line.right_axis]

    def x_of(stamp: int) -> float:
        return PAD_LEFT + (stamp - start) / span * inner_w

    parts = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    ]
    for side, members in (("left", left_lines), ("right", right_lines)):
        if not members and side == "right":
            continue
        lines = [line for _, line in members]
        stacked = data.stacked and side == "left"
        low, high = _scale(
            lines,
            stacked,
            data.y_min if side == "left" else None,
            data.y_max if side == "left" else None,
        )

        def y_of(value: float, low: float = low, high: float = high) -> float:
            return PAD_TOP + inner_h - (value - low) / (high - low) * inner_h

        for tick in _ticks(low, high):
            y = y_of(tick)
            if side == "left":
                parts.append(
                    element(
                        "line",
                        class_="grid",
                        x1=PAD_LEFT,
                        x2=PAD_LEFT + inner_w,
                        y1=f"{y:.1f}",
                        y2=f"{y:.1f}",
                    )
                )
                parts.append(
                    element(
                        "text",
                        number(tick),
                        class_="tick",
                        x=PAD_LEFT - 6,
                        y=f"{y + 4:.1f}",
                        text_anchor="end",
                    )
                )
            else:
                parts.append(
                    element(
                        "text",
                        number(tick),
                        class_="tick",
                        x=PAD_LEFT + inner_w + 6,
                        y=f"{y + 4:.1f}",
                    )
                )
        running: dict[int, float] = {}
        for index, line in members:
            shade = color(index)
            points = []
            for stamp, value in line.points:
                base = running.get(stamp, 0.0) if stacked else 0.0
                top = base + value
                if stacked:
                    running[stamp] = top
                points.append((x_of(stamp), y_of(top), y_of(base), value, stamp))
            if stacked and len(points) >= 2:
                outline = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _, _ in points)
                floor = " ".join(f"{x:.1f},{b:.1f}" for x, _, b, _, _ in reversed(points))
                parts.append(f'<polygon class="area" fill="{shade}" points="{outline} {floor}"/>')
            if len(points) >= 2:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _, _ in points)
                dash = ' stroke-dasharray="4 3"' if side == "right" else ""
                parts.append(f'<polyline class="line" stroke="{shade}"{dash} points="{path}"/>')
            for x, y, _, value, stamp in points:
                tip = f"{html.escape(line.label)} {_time_label(stamp)}: {number(value)}"
                parts.append(
                    element(
                        "circle",
                        f"<title>{tip}</title>",
                        class_="point",
                        cx=f"{x:.1f}",
                        cy=f"{y:.1f}",
                        r=3.5,
                        fill=shade,
                    )
                )
    baseline = PAD_TOP + inner_h
    parts.append(
        element("line", class_="axis", x1=PAD_LEFT, x2=PAD_LEFT + inner_w, y1=baseline, y2=baseline)
    )
    for stamp in (start, start + span // 2, end):
        parts.append(
            element(
                "text",
                _time_label(stamp),
                class_="tick",
                x=f"{x_of(stamp):.1f}",
                y=baseline + 15,
                text_anchor="middle",
            )
        )
    parts.append("</svg>")
    return "".join(parts)


def bars(data: MetricData, width: int, height: int) -> str:
    values = [
        (i, line, line.summary) for i, line in enumerate(data.lines) if line.summary is not None
    ]
    top = max([v for _, _, v in values] + [1.0]) * 1.15
    inner_w = max(width - PAD_LEFT - PAD_RIGHT, 10)
    inner_h = max(height - PAD_TOP - PAD_BOTTOM, 10)
    slot = inner_w / max(len(data.lines), 1)
    parts = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    ]
    for tick in _ticks(0, top):
        y = PAD_TOP + inner_h - tick / top * inner_h
        parts.append(
            element(
                "line",
                class_="grid",
                x1=PAD_LEFT,
                x2=PAD_LEFT + inner_w,
                y1=f"{y:.1f}",
                y2=f"{y:.1f}",
            )
        )
        parts.append(
            element(
                "text",
                number(tick),
                class_="tick",
                x=PAD_LEFT - 6,
                y=f"{y + 4:.1f}",
                text_anchor="end",
            )
        )
    for index, line, value in values:
        bar_h = value / top * inner_h
        x = PAD_LEFT + index * slot + slot * 0.2
        y = PAD_TOP + inner_h - bar_h
        tip = f"<title>{html.escape(line.label)}: {number(value)}</title>"
        parts.append(
            element(
                "rect",
                tip,
                class_="bar",
                x=f"{x:.1f}",
                y=f"{y:.1f}",
                width=f"{slot * 0.6:.1f}",
                height=f"{max(bar_h, 1):.1f}",
                fill=color(index),
            )
        )
        parts.append(
            element(
                "text",
                number(value),
                class_="bar-value",
                x=f"{x + slot * 0.3:.1f}",
                y=f"{y - 4:.1f}",
                text_anchor="middle",
            )
        )
    parts.append("</svg>")
    return "".join(parts)


def single_values(data: MetricData) -> str:
    cells = [
        f'<div class="single"><b class="value">{number(line.summary)}</b>'
        f'<span style="color:{color(i)}">{html.escape(line.label)}</span></div>'
        for i, line in enumerate(data.lines)
        if line.summary is not None
    ]
    return '<div class="singles">' + "".join(cells) + "</div>"


def legend(data: MetricData) -> str:
    items = "".join(
        f'<span class="key"><i style="background:{color(i)}"></i>{html.escape(line.label)}'
        f"{' (right)' if line.right_axis else ''}{'' if line.points else ' — no data'}</span>"
        for i, line in enumerate(data.lines)
    )
    return f'<div class="legend">{items}</div>'


def chart(data: MetricData, width: int, height: int, start: int, end: int) -> str:
    if data.view in ("bar", "pie"):
        return bars(data, width, height) + legend(data)
    if data.view in ("singleValue", "gauge"):
        return single_values(data)
    return time_series(data, width, height, start, end) + legend(data)
