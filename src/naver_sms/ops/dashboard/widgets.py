"""What each widget of the dashboard body shows, computed from a run's data.

Metric widgets: each ``metrics`` row is ``[namespace, name, dim, value, ..., {options}]`` (``"."``
repeats the row above) or ``[{"expression": ..., "id": ..., "label": ...}]``; options ``stat``,
``period``, ``label``, ``id``, ``visible``, ``yAxis`` apply as in CloudWatch (default statistic
Average, default period 300). Points are the statistic per period over the run's time range,
expressions are evaluated with the alarms' metric math (plus SEARCH). Alarm widgets show the
simulated state of each alarm; log widgets run their Logs Insights query over the run's logs;
text widgets render their Markdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from naver_sms.ops.alarms.datapoints import MetricKey, MetricStore
from naver_sms.ops.alarms.evaluation import AlarmRun
from naver_sms.ops.alarms.metric_math import ArrayValue, Context, MathError, Series, Value
from naver_sms.ops.alarms.metric_math import evaluate as evaluate_math
from naver_sms.ops.alarms.statistics import aggregate
from naver_sms.ops.dashboard import search as search_module
from naver_sms.ops.dashboard.markdown import to_html
from naver_sms.ops.insights.errors import QueryError

DEFAULT_PERIOD = 300
DEFAULT_STAT = "Average"


class WidgetError(ValueError):
    """A widget that cannot be drawn exactly; the page shows the reason in its place."""


@dataclass(frozen=True)
class Line:
    label: str
    points: list[tuple[int, float]]
    right_axis: bool = False
    summary: float | None = None
    """The statistic over the whole time range (what bar and single-value views show)."""


@dataclass
class MetricData:
    title: str
    view: str
    stacked: bool
    period: int
    lines: list[Line] = field(default_factory=list)
    y_min: float | None = None
    y_max: float | None = None

    @property
    def points(self) -> int:
        return sum(len(line.points) for line in self.lines)


@dataclass
class TextData:
    html: str

    @property
    def points(self) -> int:
        return 1 if self.html.strip() else 0


@dataclass
class AlarmData:
    title: str
    alarms: list[tuple[str, str, int]]
    """(name, state, transitions) per alarm; state "unknown" when not simulated."""

    @property
    def points(self) -> int:
        return sum(1 for _, state, _ in self.alarms if state != "unknown")


@dataclass
class LogData:
    title: str
    query: str
    columns: list[str]
    rows: list[dict[str, Any]]

    @property
    def points(self) -> int:
        return len(self.rows)


@dataclass
class ErrorData:
    title: str
    message: str
    points: int = 0


WidgetData = MetricData | TextData | AlarmData | LogData | ErrorData


def time_range(store: MetricStore) -> tuple[int, int] | None:
    return store.time_range()


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _options(row: Sequence[Any]) -> tuple[list[Any], dict[str, Any]]:
    if row and isinstance(row[-1], Mapping):
        return list(row[:-1]), dict(row[-1])
    return list(row), {}


@dataclass(frozen=True)
class _Entry:
    id: str
    options: dict[str, Any]
    key: MetricKey | None
    expression: str | None


def _entries(metrics: Any) -> list[_Entry]:
    if not isinstance(metrics, list) or not metrics:
        raise WidgetError("a metric widget needs a non-empty metrics array")
    entries: list[_Entry] = []
    previous: list[Any] = []
    for index, row in enumerate(metrics, 1):
        if not isinstance(row, list):
            raise WidgetError(f"metrics[{index - 1}] must be an array")
        items, options = _options(row)
        if not items and "expression" in options:
            entries.append(
                _Entry(
                    str(options.get("id") or f"e{index}"), options, None, str(options["expression"])
                )
            )
            continue
        items = [
            previous[i] if item == "." and i < len(previous) else item
            for i, item in enumerate(items)
        ]
        previous = items
        if len(items) < 2 or len(items) % 2 or not all(isinstance(i, str) for i in items):
            expected = "[namespace, name, dimension, value, ..., {options}]"
            raise WidgetError(f"metrics[{index - 1}]: expected {expected}")
        dims = tuple(sorted(zip(items[2::2], items[3::2], strict=True)))
        entries.append(
            _Entry(str(options.get("id") or f"m{index}"), options, (items[0], items[1], dims), None)
        )
    return entries


def metric_widget(
    properties: Mapping[str, Any], store: MetricStore, span: tuple[int, int] | None
) -> MetricData:
    period = int(properties.get("period") or DEFAULT_PERIOD)
    stat = str(properties.get("stat") or DEFAULT_STAT)
    y_axis = _mapping(properties.get("yAxis"))
    left = _mapping(y_axis.get("left"))
    data = MetricData(
        title=str(properties.get("title") or ""),
        view=str(properties.get("view") or "timeSeries"),
        stacked=bool(properties.get("stacked")),
        period=period,
        y_min=left.get("min"),
        y_max=left.get("max"),
    )
    entries = _entries(properties.get("metrics"))
    if span is None:
        return data
    period_ms = period * 1000
    grid = list(range((span[0] // period_ms) * period_ms, span[1] + 1, period_ms))

    def series_of(key: MetricKey, statistic: str, length_ms: int) -> Series:
        out: Series = {}
        percentile = None
        if statistic.startswith("p") and statistic[1:].replace(".", "", 1).isdigit():
            percentile = float(statistic[1:])
        buckets: dict[int, list[Any]] = {}
        for observation in store.observations(key):
            buckets.setdefault((observation.at_ms // length_ms) * length_ms, []).append(observation)
        for start in grid:
            if start in buckets:
                value = aggregate(buckets[start], statistic, percentile)
                if value is not None:
                    out[start] = value
        return out

    def summary_of(key: MetricKey, statistic: str) -> float | None:
        inside = [o for o in store.observations(key) if span[0] <= o.at_ms <= span[1]]
        percentile = (
            float(statistic[1:])
            if statistic.startswith("p") and statistic[1:].replace(".", "", 1).isdigit()
            else None
        )
        return aggregate(inside, statistic, percentile)

    values: dict[str, Value] = {}
    summaries: dict[str, float | None] = {}
    by_id = {e.id: e for e in entries}

    def lookup(name: str) -> Value:
        if name in values:
            return values[name]
        entry = by_id[name]
        if entry.key is not None:
            statistic = str(entry.options.get("stat") or stat)
            values[name] = series_of(entry.key, statistic, period_ms)
            summaries[name] = summary_of(entry.key, statistic)
        else:
            assert entry.expression is not None
            values[name] = evaluate_math(entry.expression, context)
        return values[name]

    def metrics_array() -> ArrayValue:
        members = []
        for e in entries:
            value = lookup(e.id) if e.key else None
            if isinstance(value, dict):
                members.append((str(e.options.get("label") or e.id), value))
        return ArrayValue(tuple(members))

    def run_search(expression: str, statistic: str, search_period: int) -> ArrayValue:
        if search_period != period:
            raise WidgetError(f"SEARCH period {search_period}s differs from the graph's {period}s")
        try:
            query = search_module.parse_search(expression)
        except search_module.SearchError as exc:
            raise WidgetError(str(exc)) from None
        found = search_module.find(store, query)
        for key in found:
            summaries[f"search:{search_module.label(key)}"] = summary_of(key, statistic)
        return ArrayValue(
            tuple((search_module.label(k), series_of(k, statistic, period_ms)) for k in found)
        )

    context = Context(grid, period, lookup, metrics_array, run_search)
    for entry in entries:
        if entry.options.get("visible") is False:
            continue
        try:
            value = lookup(entry.id)
        except MathError as exc:
            raise WidgetError(str(exc)) from None
        right = entry.options.get("yAxis") == "right"
        label = entry.options.get("label")
        if isinstance(value, ArrayValue):
            for member_label, member in value.members:
                points = sorted(member.items())
                summary = summaries.get(f"search:{member_label}", points[-1][1] if points else None)
                data.lines.append(Line(str(member_label), points, right, summary))
        elif isinstance(value, dict):
            default = entry.key[1] if entry.key else entry.expression or entry.id
            points = sorted(value.items())
            summary = summaries.get(entry.id, points[-1][1] if points else None)
            data.lines.append(Line(str(label or default), points, right, summary))
        else:
            points = [(s, value) for s in grid]
            data.lines.append(Line(str(label or entry.expression), points, right, value))
    return data


def alarm_widget(properties: Mapping[str, Any], runs: Sequence[AlarmRun] | None) -> AlarmData:
    arns = properties.get("alarms") or []
    states = {run.alarm.name: run for run in runs or []}
    alarms = []
    for arn in arns:
        name = str(arn).rsplit(":alarm:", 1)[-1]
        run = states.get(name)
        alarms.append((name, run.state if run else "unknown", len(run.transitions) if run else 0))
    return AlarmData(str(properties.get("title") or "Alarms"), alarms)


def strip_source(query: str) -> str:
    """A log widget's query without its ``SOURCE '...' |`` log-group selection."""
    text = query.strip()
    while text.upper().startswith("SOURCE"):
        cut = text.find("|")
        if cut < 0:
            raise WidgetError("a log widget query with only a SOURCE")
        text = text[cut + 1 :].strip()
    return text


def log_widget(properties: Mapping[str, Any], logs: Sequence[Path]) -> LogData:
    from naver_sms.ops.insights.engine import run_query  # noqa: PLC0415

    query = strip_source(str(properties.get("query") or ""))
    if not logs:
        raise WidgetError("a log widget needs the run's logs (--logs)")
    try:
        result = run_query(query, logs)
    except QueryError as exc:
        raise WidgetError(f"Logs Insights query: {exc}") from None
    return LogData(str(properties.get("title") or "Logs"), query, result.columns, result.rows[:50])


def widget_data(
    widget: Mapping[str, Any],
    store: MetricStore,
    span: tuple[int, int] | None,
    runs: Sequence[AlarmRun] | None,
    logs: Sequence[Path],
) -> WidgetData:
    kind = widget.get("type")
    properties = _mapping(widget.get("properties"))
    title = str(properties.get("title") or kind or "widget")
    try:
        if kind == "metric":
            return metric_widget(properties, store, span)
        if kind == "text":
            return TextData(to_html(str(properties.get("markdown") or "")))
        if kind == "alarm":
            return alarm_widget(properties, runs)
        if kind == "log":
            return log_widget(properties, logs)
    except WidgetError as exc:
        return ErrorData(title, str(exc))
    return ErrorData(title, f"widget type {kind!r} is not drawn offline")
