"""The dashboard drawing, piece by piece: layout, SEARCH, metric widgets with expressions, text,
log and alarm widgets. The whole demo dashboard in Chromium: tests/e2e/test_ops_on_demo.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from naver_sms.ops.alarms.datapoints import MetricStore, Observation
from naver_sms.ops.dashboard.layout import Placement, place
from naver_sms.ops.dashboard.page import render_page
from naver_sms.ops.dashboard.search import SearchError, find, parse_search
from naver_sms.ops.dashboard.widgets import (
    ErrorData,
    LogData,
    MetricData,
    TextData,
    metric_widget,
    strip_source,
    widget_data,
)

T0 = 1_796_353_200_000  # 2026-12-04T03:00:00Z, a 5-minute boundary


def store() -> MetricStore:
    s = MetricStore()
    for minute, (ok, err) in enumerate([(10, 0), (8, 2), (5, 5)]):
        at = T0 + minute * 300_000 + 1_000
        s.add(
            ("ns", "ops", (("operation", "GetItem"), ("outcome", "success"))),
            Observation(at, (float(ok),), (1.0,)),
        )
        s.add(
            ("ns", "ops", (("operation", "GetItem"), ("outcome", "error"))),
            Observation(at, (float(err),), (1.0,)),
        )
        s.add(("ns", "ops", (("operation", "PutItem"),)), Observation(at, (1.0,), (1.0,)))
    return s


def test_layout_flows_left_to_right_and_wraps_and_keeps_explicit_positions() -> None:
    widgets = [
        {"width": 24, "height": 1},
        {"width": 12, "height": 6},
        {"width": 12, "height": 4},
        {"width": 8},
        {"x": 16, "y": 30, "width": 8, "height": 2},
    ]
    assert place(widgets) == [
        Placement(0, 0, 24, 1),
        Placement(0, 1, 12, 6),
        Placement(12, 1, 12, 4),
        Placement(0, 7, 8, 6),  # the row below is as tall as its tallest widget
        Placement(16, 30, 8, 2),
    ]


def test_search_matches_the_exact_dimension_set_and_terms() -> None:
    s = store()
    query = parse_search('{"ns",operation,outcome} MetricName="ops"')
    assert [k[2] for k in find(s, query)] == [
        (("operation", "GetItem"), ("outcome", "error")),
        (("operation", "GetItem"), ("outcome", "success")),
    ]
    only_errors = parse_search('{ns,operation,outcome} MetricName="ops" outcome="error"')
    assert len(find(s, only_errors)) == 1
    assert find(s, parse_search("{ns,operation} ops")) == [
        ("ns", "ops", (("operation", "PutItem"),))
    ]
    with pytest.raises(SearchError, match="not supported"):
        parse_search("{ns,operation} ops OR x")
    with pytest.raises(SearchError, match="schema"):
        parse_search("MetricName=ops")


def test_metric_widget_points_expressions_and_search() -> None:
    s = store()
    span = s.time_range()
    properties = {
        "title": "errors",
        "period": 300,
        "metrics": [
            [
                "ns",
                "ops",
                "operation",
                "GetItem",
                "outcome",
                "error",
                {"stat": "Sum", "id": "e", "visible": False},
            ],
            [".", ".", ".", ".", "outcome", "success", {"stat": "Sum", "id": "s", "label": "ok"}],
            [
                {
                    "expression": "100 * e / (e + s)",
                    "label": "error %",
                    "id": "rate",
                    "yAxis": "right",
                }
            ],
            [
                {
                    "expression": "SEARCH('{ns,operation,outcome} MetricName=\"ops\"', 'Sum', 300)",
                    "id": "all",
                }
            ],
        ],
    }
    data = metric_widget(properties, s, span)
    labels = [line.label for line in data.lines]
    assert labels == ["ok", "error %", "GetItem error", "GetItem success"]  # e is hidden
    ok, rate = data.lines[0], data.lines[1]
    assert [v for _, v in ok.points] == [10.0, 8.0, 5.0]
    assert [v for _, v in rate.points] == [0.0, 20.0, 50.0]
    assert rate.right_axis
    assert ok.summary == 23.0  # Sum over the whole range (bar and single-value views)
    assert data.points == 12


def test_widget_errors_and_text_and_logs(tmp_path: Path) -> None:
    s = store()
    bad = widget_data(
        {"type": "metric", "properties": {"metrics": [["ns"]]}}, s, s.time_range(), [], []
    )
    assert isinstance(bad, ErrorData)
    assert "expected [namespace, name" in bad.message
    unknown = widget_data({"type": "explorer", "properties": {}}, s, None, [], [])
    assert isinstance(unknown, ErrorData)
    text = widget_data(
        {"type": "text", "properties": {"markdown": "## Ops <b>\n- `a` **b**"}}, s, None, [], []
    )
    assert isinstance(text, TextData)
    assert (
        text.html == "<h2>Ops &lt;b&gt;</h2>\n<ul><li><code>a</code> <strong>b</strong></li></ul>"
    )
    logs = tmp_path / "logs.jsonl"
    logs.write_text(json.dumps({"timestamp": "2026-12-04T03:00:00Z", "event": "x"}) + "\n", "utf-8")
    query = "SOURCE '/aws/lambda/naver-sms' | fields @timestamp, event | limit 5"
    assert strip_source(query) == "fields @timestamp, event | limit 5"
    log = widget_data(
        {"type": "log", "properties": {"query": query, "title": "t"}}, s, None, [], [logs]
    )
    assert isinstance(log, LogData)
    assert log.rows == [{"@timestamp": "2026-12-04 03:00:00.000", "event": "x"}]
    broken = widget_data({"type": "log", "properties": {"query": "dedup x"}}, s, None, [], [logs])
    assert isinstance(broken, ErrorData)
    assert "not supported" in broken.message


def test_page_is_self_contained_and_marks_each_widget(tmp_path: Path) -> None:
    s = store()
    span = s.time_range()
    widgets = [
        {"type": "text", "width": 24, "height": 1, "properties": {"markdown": "# Title"}},
        {
            "type": "metric",
            "properties": {"metrics": [["ns", "ops", "operation", "PutItem", {"stat": "Sum"}]]},
        },
        {
            "type": "metric",
            "properties": {"view": "bar", "metrics": [["ns", "ops", "operation", "PutItem"]]},
        },
    ]
    shown = [widget_data(w, s, span, [], []) for w in widgets]
    page = render_page("naver-sms", widgets, place(widgets), shown, span, "test")
    assert page.count('class="point"') == 3
    assert page.count('class="bar"') == 1
    assert 'data-points="3"' in page
    assert "<script" not in page
    assert "http" not in page.replace("https://", "")  # no remote resource
    assert isinstance(shown[1], MetricData)
