"""Draw the deployed dashboard from a run's data: HTML, then its PNG in headless Chromium."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from naver_sms.ops.alarms.evaluation import iso
from naver_sms.ops.alarms.simulation import SimulationReport, run_simulation
from naver_sms.ops.dashboard.layout import place
from naver_sms.ops.dashboard.page import COLUMN_PX, render_page
from naver_sms.ops.dashboard.widgets import ErrorData, WidgetData, widget_data
from naver_sms.ops.monitoring import MonitoringValues, load_monitoring
from naver_sms.ops.screenshot import Shot, screenshot

PAGE_WIDTH = 24 * COLUMN_PX + 40


@dataclass
class RenderedDashboard:
    html_path: Path
    png_path: Path | None
    widgets: list[tuple[str, str, int]] = field(default_factory=list)
    """(type, title, datapoints shown) per widget, in body order."""
    shot: Shot | None = None

    @property
    def empty_widgets(self) -> list[str]:
        return [f"{kind} {title!r}" for kind, title, points in self.widgets if points == 0]


def _title(widget: Mapping[str, Any], data: WidgetData) -> str:
    title = getattr(data, "title", "")
    if title:
        return str(title)
    properties = widget.get("properties")
    if isinstance(properties, Mapping) and "markdown" in properties:
        return (
            str(properties["markdown"]).strip().splitlines()[0][:60]
            if properties["markdown"]
            else ""
        )
    return str(widget.get("type", ""))


def render_dashboard(
    out: Path,
    emf: Sequence[Path],
    *,
    logs: Sequence[Path] = (),
    aws_metrics: Sequence[Path] = (),
    module: Path | None = None,
    variables: Mapping[str, Any] | None = None,
    monitoring: MonitoringValues | None = None,
    simulation: SimulationReport | None = None,
    png: bool = True,
) -> RenderedDashboard:
    values = monitoring or load_monitoring(module, variables)
    report = simulation or run_simulation(
        emf, logs=logs, aws_metrics=aws_metrics, monitoring=values
    )
    store = report.store
    widgets = values.dashboard_body.get("widgets")
    if not isinstance(widgets, list):
        raise ValueError("local.dashboard_body has no widgets array")
    span = store.time_range()
    shown = [
        widget_data(w if isinstance(w, Mapping) else {}, store, span, report.runs, logs)
        for w in widgets
    ]
    name = str(values.variables.get("name", "naver-sms"))
    sources = ", ".join(p.name for p in [*emf, *logs, *aws_metrics])
    period = f"{iso(span[0])} to {iso(span[1])}" if span else "no datapoints"
    subtitle = f"Rendered offline from {sources}: {period} (UTC)"
    out.mkdir(parents=True, exist_ok=True)
    html_path = out / "dashboard.html"
    html_path.write_text(
        render_page(name, widgets, place(widgets), shown, span, subtitle), encoding="utf-8"
    )
    rendered = RenderedDashboard(
        html_path,
        None,
        [
            ("error" if isinstance(d, ErrorData) else str(w.get("type")), _title(w, d), d.points)
            for w, d in zip(widgets, shown, strict=True)
        ],
    )
    if png:
        rendered.png_path = out / "dashboard.png"
        rendered.shot = screenshot(html_path, rendered.png_path, width=PAGE_WIDTH)
    return rendered
