"""The operations tools on `make demo`'s artefacts: every saved Logs Insights query answers,
checked against the same count made in Python; the alarms fire on the planted discrepancies and
the injected faults; the dashboard shows data in every widget in headless Chromium; the
campaign's VALIDATION.md carries all of it, and the retention Terraform sets."""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from naver_sms.ops.alarms.simulation import run_simulation
from naver_sms.ops.dashboard.render import render_dashboard
from naver_sms.ops.insights.engine import QueryResult, run_query
from naver_sms.ops.query_catalog import for_run, saved_queries
from naver_sms.ops.retention import retention_in_force
from naver_sms.ops.screenshot import chromium_path

pytestmark = [pytest.mark.collector, pytest.mark.integration]

Line = dict[str, Any]


def jsonl(path: Path) -> list[Line]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]


@pytest.fixture(scope="module")
def files(demo: tuple[Path, str]) -> dict[str, Path]:
    out, _ = demo
    return {
        "logs": out / "logs.jsonl",
        "campaign": out / "campaign" / "logs.jsonl",
        "emf": out / "emf.jsonl",
        "aws": out / "aws-metrics.jsonl",
    }


@pytest.fixture(scope="module")
def lines(files: dict[str, Path]) -> list[Line]:
    """The log group as Python sees it: every line of the three files."""
    return [*jsonl(files["logs"]), *jsonl(files["campaign"]), *jsonl(files["emf"])]


def events(lines: list[Line], *names: str) -> list[Line]:
    return [x for x in lines if x.get("event") in names]


def reports(lines: list[Line]) -> list[Line]:
    return [x for x in lines if x.get("type") == "platform.report"]


def rows_by(result: QueryResult, *keys: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(row[k] for k in keys): row for row in result.rows}


def nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def check_booking_timeline(lines: list[Line], result: QueryResult) -> None:
    mine = [x for x in lines if x.get("booking_id") == "2200229"]
    assert [r["event"] for r in result.rows] == [
        x["event"] for x in sorted(mine, key=lambda x: x["timestamp"])
    ]


def check_trace(lines: list[Line], result: QueryResult) -> None:
    trace = next(
        x["xray_trace_id"] for x in lines if x.get("level") == "error" and "xray_trace_id" in x
    )
    assert len(result.rows) == sum(1 for x in lines if x.get("xray_trace_id") == trace)


def check_discrepancies(lines: list[Line], result: QueryResult) -> None:
    expected = Counter(
        (x.get("store_id"), x["channel"], x["kind"], x["scope"])
        for x in events(lines, "comparison_discrepancy")
    )
    got = {
        k: v["discrepancies"]
        for k, v in rows_by(result, "store_id", "channel", "kind", "scope").items()
    }
    assert got == dict(expected)


def check_match(lines: list[Line], result: QueryResult) -> None:
    groups: dict[tuple[Any, Any], list[Line]] = defaultdict(list)
    for x in events(lines, "comparison_summary"):
        groups[(x["scope"], x.get("window"))].append(x)
    got = rows_by(result, "scope", "window")
    assert set(got) == set(groups)
    for key, members in groups.items():
        row = got[key]
        assert row["summaries"] == len(members)
        assert row["min_match_pct"] == pytest.approx(min(m["match_percentage"] for m in members))
        assert row["bookings_compared"] == sum(m["bookings_compared"] for m in members)
        assert row["discrepancies"] == sum(m["discrepancies"] for m in members)
    assert got[("campaign", "2026-11-20..2026-11-20")]["min_match_pct"] == pytest.approx(85.71)


def check_sms(lines: list[Line], result: QueryResult) -> None:
    expected = Counter((x["mode"], x["sms_type"], x["store_id"]) for x in events(lines, "sms_sent"))
    got = {k: v["sms"] for k, v in rows_by(result, "mode", "sms_type", "store_id").items()}
    assert got == dict(expected)


def check_sens(lines: list[Line], result: QueryResult) -> None:
    groups: dict[tuple[Any, Any], list[float]] = defaultdict(list)
    for x in events(lines, "sens_attempt"):
        groups[(x["outcome"], x["status"])].append(x["latency_ms"])
    got = rows_by(result, "outcome", "status")
    assert {k: v["attempts"] for k, v in got.items()} == {k: len(v) for k, v in groups.items()}
    for key, latencies in groups.items():
        assert got[key]["p95_ms"] == pytest.approx(nearest_rank(latencies, 95))
    # The injected faults: a 503, a 429 and an answer lost after sending.
    assert {("server_error", 503), ("throttled", 429), ("network_error", None)} <= set(got)


def check_telegram(lines: list[Line], result: QueryResult) -> None:
    assert len(result.rows) == len(events(lines, "telegram_failed", "telegram_retry"))
    assert [r["event"] for r in result.rows].count("telegram_failed") == 1


def check_throttles(lines: list[Line], result: QueryResult) -> None:
    pattern = re.compile("ProvisionedThroughputExceeded|ThrottlingException|RequestLimitExceeded")
    failed = [x for x in events(lines, "booking_failed") if pattern.search(x.get("reason", ""))]
    assert [r["booking_id"] for r in result.rows] == [x["booking_id"] for x in failed]
    assert len(failed) == 1


def check_cold_starts(lines: list[Line], result: QueryResult) -> None:
    buckets: dict[str, list[Line]] = defaultdict(list)
    for x in reports(lines):
        moment = datetime.fromisoformat(x["time"].replace("Z", "+00:00"))
        buckets[moment.strftime("%Y-%m-%d %H:00:00.000")].append(x)
    got = rows_by(result, "bin(1h)")
    assert {k[0]: v["invocations"] for k, v in got.items()} == {
        k: len(v) for k, v in buckets.items()
    }
    cold = sum(1 for x in reports(lines) if "initDurationMs" in x["record"]["metrics"])
    # Three execution environments: the dry-run phase, the live phase, the campaign's replay.
    assert sum(v["cold_starts"] for v in got.values()) == cold == 3


def check_slow(lines: list[Line], result: QueryResult) -> None:
    slow = sorted(
        (x for x in reports(lines) if x["record"]["metrics"]["durationMs"] > 1000),
        key=lambda x: -x["record"]["metrics"]["durationMs"],
    )
    assert [r["request_id"] for r in result.rows] == [x["record"]["requestId"] for x in slow]


def check_telemetry(lines: list[Line], result: QueryResult) -> None:
    names = (
        "telemetry_export_failed",
        "telemetry_export_recovered",
        "telemetry_flush_failed",
        "telemetry_config_invalid",
    )
    assert len(result.rows) == len(events(lines, *names))
    assert {r["signal"] for r in result.rows if r["event"] == "telemetry_export_failed"} == {
        "traces",
        "metrics",
    }


def check_switches(lines: list[Line], result: QueryResult) -> None:
    assert len(result.rows) == len(
        events(lines, "sending_mode", "switch_malformed", "switches_unreadable")
    )
    modes = [r["mode"] for r in result.rows if r["event"] == "sending_mode"]
    assert "dry_run" in modes
    assert "live" in modes


def check_uncertain(lines: list[Line], result: QueryResult) -> None:
    uncertain = events(lines, "sms_delivery_uncertain")
    assert [r["booking_id"] for r in result.rows] == [x["booking_id"] for x in uncertain]
    assert len(uncertain) == 1


def check_invalid(lines: list[Line], result: QueryResult) -> None:
    expected = Counter((x["field"], x["reason"]) for x in events(lines, "booking_invalid"))
    assert {k: v["reports"] for k, v in rows_by(result, "field", "reason").items()} == dict(
        expected
    )


CHECKS: dict[str, Callable[[list[Line], QueryResult], None]] = {
    "booking-timeline": check_booking_timeline,
    "trace-by-xray-id": check_trace,
    "discrepancies-by-store-channel": check_discrepancies,
    "match-percentage": check_match,
    "sms-sent-by-type-store": check_sms,
    "sens-errors-latency": check_sens,
    "telegram-failures": check_telegram,
    "dynamodb-throttles": check_throttles,
    "cold-starts": check_cold_starts,
    "slow-invocations": check_slow,
    "telemetry-export-failures": check_telemetry,
    "switch-approval-changes": check_switches,
    "uncertain-deliveries": check_uncertain,
    "invalid-bookings": check_invalid,
}


def test_every_saved_query_has_a_check() -> None:
    assert {q.name for q in saved_queries()} == set(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_saved_query_answers_on_the_demo_logs(
    name: str, files: dict[str, Path], lines: list[Line]
) -> None:
    query = next(q for q in saved_queries() if q.name == name)
    text, _ = for_run(query, [files["logs"], files["campaign"]])
    result = run_query(text, [files["logs"], files["campaign"], files["emf"]])
    assert result.rows, f"{name} answered nothing on the demo's logs"
    CHECKS[name](lines, result)


def test_alarms_fire_on_the_planted_discrepancies_and_the_injected_faults(
    files: dict[str, Path],
) -> None:
    report = run_simulation(
        [files["emf"]], logs=[files["logs"], files["campaign"]], aws_metrics=[files["aws"]]
    )
    first_alarm = {}
    for row in report.transitions():
        if row["to"] == "ALARM":
            first_alarm.setdefault(row["alarm"], row)
    # The alarm reads the dimensionless series: every document publishing it counts once.
    discrepancies = sum(
        doc["discrepancies"]
        for doc in jsonl(files["emf"])
        if "discrepancies" in doc
        and any([] in d["Dimensions"] for d in doc["_aws"]["CloudWatchMetrics"])
    )
    assert first_alarm["naver-sms-comparison-discrepancies"]["value"] == discrepancies
    assert first_alarm["naver-sms-comparison-match-percentage"]["value"] == pytest.approx(85.71)
    assert "naver-sms-bookings-failed" in first_alarm
    assert "naver-sms-telemetry-export-failures" in first_alarm
    # The DynamoDB throttling the demo injected reaches every alarm on ReadThrottleEvents.
    read_throttles = [
        r.alarm.name
        for r in report.runs
        if any(q.metric and q.metric.metric_name == "ReadThrottleEvents" for q in r.alarm.queries)
    ]
    assert all(name in first_alarm for name in read_throttles)
    # Each ALARM and OK transition is sent to Slack, Telegram and e-mail.
    sent = sorted((n.transition.alarm, n.transition.at_ms) for n in report.notifications)
    due = sorted(
        (t.alarm, t.at_ms)
        for r in report.runs
        for t in r.transitions
        if t.to_state in ("ALARM", "OK")
    )
    assert sent == due
    # AWS/Lambda comes from the platform.report records of both execution environments' logs.
    assert report.reports_read == len(reports(jsonl(files["logs"]) + jsonl(files["campaign"])))


@pytest.mark.browser
def test_the_dashboard_shows_data_in_every_widget(files: dict[str, Path], tmp_path: Path) -> None:
    rendered = render_dashboard(
        tmp_path,
        [files["emf"]],
        logs=[files["logs"], files["campaign"]],
        aws_metrics=[files["aws"]],
    )
    assert rendered.shot is not None
    assert rendered.shot.errors == []
    assert rendered.shot.offline, rendered.shot.requests
    assert rendered.png_path is not None
    assert rendered.png_path.stat().st_size > 20_000
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(), args=["--headless", "--no-sandbox"]
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(rendered.html_path.as_uri())
            widgets = page.locator("section.widget")
            assert widgets.count() == len(rendered.widgets) > 10
            for index in range(widgets.count()):
                widget = widgets.nth(index)
                kind = widget.get_attribute("data-type")
                title = widget.locator("h2").first.inner_text() if kind != "text" else ""
                assert widget.is_visible(), (index, title)
                assert kind != "error", widget.inner_text()
                assert int(widget.get_attribute("data-points") or 0) > 0, (index, title)
                if kind == "metric":
                    drawn = widget.locator("circle.point, rect.bar, b.value").count()
                    assert drawn > 0, title
                elif kind == "text":
                    assert widget.inner_text().strip()
                elif kind == "alarm":
                    assert widget.locator("li").count() > 0
                elif kind == "log":
                    assert widget.locator("tbody tr").count() > 0
        finally:
            browser.close()


def test_validation_carries_the_operations_evidence(demo: tuple[Path, str]) -> None:
    out, _ = demo
    campaign = out / "campaign"
    text = (campaign / "VALIDATION.md").read_text("utf-8")
    assert text.count("## Operations evidence") == 1
    for query in saved_queries():
        assert f"#### {query.name}\n" in text
    for retention in retention_in_force():
        assert f"| `{retention.log_group}` | {retention.days} |" in text
    assert "At least 7 days of logs (and the EMF documents in them) are kept: **yes**" in text
    assert "| `naver-sms-comparison-discrepancies` | INSUFFICIENT_DATA | **ALARM** |" in text
    assert "Slack (incoming webhook payload):" in text
    assert "![dashboard](dashboard.png)" in text
    assert "![report](report.png)" in text
    assert (campaign / "dashboard.png").stat().st_size > 20_000
    assert (campaign / "report.png").stat().st_size > 20_000
    assert "Widgets without data" not in text
