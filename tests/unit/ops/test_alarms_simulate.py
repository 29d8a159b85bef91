"""`naver-sms alarms simulate` on the real monitoring module (evaluated by terraform, offline):
the alarms deployed, a run's EMF replayed through them, every ALARM/OK transition rendered by
the alert forwarder. The demo's own run: tests/e2e/test_ops_on_demo.py."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from naver_sms.alerts.events import parse_event
from naver_sms.alerts.format import slack_message, telegram_html
from naver_sms.ops.alarms.command import run as run_command
from naver_sms.ops.alarms.simulation import run_simulation
from naver_sms.ops.monitoring import load_monitoring
from naver_sms.ops.terraform_values import MONITORING_MODULE

T0 = 1_796_353_200_000  # 2026-12-04T03:00:00Z


def emf(
    at_ms: int, namespace: str, metric: str, value: Any, dims: dict[str, str], sets: list[list[str]]
) -> dict[str, Any]:
    return {
        "_aws": {
            "Timestamp": at_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": sets,
                    "Metrics": [{"Name": metric, "Unit": "Count"}],
                }
            ],
        },
        metric: value,
        **dims,
    }


def campaign_emf(path: Path, discrepancies: int, match: float) -> Path:
    docs = [
        emf(
            T0 + 600_000,
            "naver-sms/comparison",
            "discrepancies",
            discrepancies,
            {"channel": "sms", "kind": "mismatch"},
            [[], ["channel", "kind"]],
        ),
        emf(
            T0 + 600_000,
            "naver-sms/comparison",
            "match_percentage",
            match,
            {"store_id": "all"},
            [["store_id"]],
        ),
        emf(
            T0 + 600_000,
            "naver-sms",
            "bookings_processed",
            40,
            {"store_id": "gangnam-01"},
            [[], ["store_id"]],
        ),
    ]
    path.write_text(
        "".join(json.dumps(d) + "\n" for d in docs) + "not json at all\n", encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def monitoring() -> Any:
    return load_monitoring()


def error_rate_alarm(monitoring: Any) -> Any:
    """The metric-math alarm over AWS/Lambda Invocations (the invocation error rate)."""
    return next(
        a
        for a in monitoring.alarms
        if a.result.expression is not None
        and any(q.metric and q.metric.metric_name == "Invocations" for q in a.queries)
    )


def test_the_alarms_are_those_terraform_computes(monitoring: Any) -> None:
    keys = {a.key for a in monitoring.alarms}
    assert {"comparison-discrepancies", "comparison-match-percentage"} <= keys
    assert all(a.name == f"naver-sms-{a.key}" for a in monitoring.alarms)
    rate = error_rate_alarm(monitoring)
    assert "/ invocations" in str(rate.result.expression)
    assert rate.datapoints_to_alarm <= rate.evaluation_periods
    assert monitoring.dashboard_body["widgets"]


def test_planted_discrepancies_drive_both_comparison_alarms_to_alarm(
    tmp_path: Path, monitoring: Any
) -> None:
    report = run_simulation([campaign_emf(tmp_path / "emf.jsonl", 7, 85.71)], monitoring=monitoring)
    first = {}
    for row in report.transitions():
        first.setdefault(row["alarm"], row)
    assert first["naver-sms-comparison-discrepancies"]["to"] == "ALARM"
    assert first["naver-sms-comparison-discrepancies"]["value"] == 7.0
    assert first["naver-sms-comparison-match-percentage"]["to"] == "ALARM"
    assert first["naver-sms-comparison-match-percentage"]["value"] == 85.71
    assert first["naver-sms-comparison-discrepancies"]["at"] == "2026-12-04T03:11:00Z"
    assert report.store.skipped_lines == 1


def test_a_clean_comparison_leaves_them_ok(tmp_path: Path, monitoring: Any) -> None:
    report = run_simulation([campaign_emf(tmp_path / "emf.jsonl", 0, 100.0)], monitoring=monitoring)
    states = {(row["alarm"], row["to"]) for row in report.transitions()}
    assert ("naver-sms-comparison-discrepancies", "ALARM") not in states
    assert ("naver-sms-comparison-match-percentage", "ALARM") not in states


def test_each_alarm_and_ok_transition_is_rendered_by_the_forwarder(
    tmp_path: Path, monitoring: Any
) -> None:
    report = run_simulation([campaign_emf(tmp_path / "emf.jsonl", 7, 85.71)], monitoring=monitoring)
    notified = [(n.transition.alarm, n.transition.to_state) for n in report.notifications]
    expected = [(t["alarm"], t["to"]) for t in report.transitions() if t["to"] in ("ALARM", "OK")]
    assert sorted(notified) == sorted(expected)
    n = next(
        x
        for x in report.notifications
        if x.transition.to_state == "ALARM" and "discrepancies" in x.transition.alarm
    )
    # Exactly what the forwarder posts for the SNS message CloudWatch would publish.
    event = {
        "Records": [
            {
                "Sns": {
                    "Message": json.dumps(n.sns_message),
                    "TopicArn": n.sns_message["AlarmActions"][0],
                }
            }
        ]
    }
    (alarm,) = parse_event(event).alarms
    assert n.slack == slack_message(alarm)
    assert n.telegram_html == telegram_html(alarm)
    assert n.slack["text"] == "\U0001f6a8 ALARM: naver-sms-comparison-discrepancies"
    assert "Threshold Crossed: 1 out of the last 1 datapoints [7.0" in n.telegram_html
    assert n.email_subject == 'ALARM: "naver-sms-comparison-discrepancies" in Asia Pacific (Seoul)'
    assert "- State Change:               INSUFFICIENT_DATA -> ALARM" in n.email_body
    assert "- MetricName:                          discrepancies" in n.email_body


def test_command_prints_the_json_transitions_and_writes_notifications(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(
        emf=[str(campaign_emf(tmp_path / "emf.jsonl", 7, 85.71))],
        logs=None,
        aws_metrics=None,
        terraform=None,
        var=None,
        format="json",
        notifications=str(tmp_path / "sent"),
    )
    assert run_command(args) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows
    assert all(list(row) == ["alarm", "from", "to", "at", "value", "reason"] for row in rows)
    folders = sorted(p.name for p in (tmp_path / "sent").iterdir())
    assert any(name.endswith("naver-sms-comparison-discrepancies-ALARM") for name in folders)
    sample = next((tmp_path / "sent").iterdir())
    assert {p.name for p in sample.iterdir()} == {
        "slack.json",
        "telegram.html",
        "email.txt",
        "sns-message.json",
    }
    args.format = "table"
    args.notifications = None
    assert run_command(args) == 0
    table = capsys.readouterr().out
    assert "naver-sms-comparison-discrepancies:" in table
    assert "INSUFFICIENT_DATA -> ALARM" in table


def test_a_malformed_emf_document_is_named_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "emf.jsonl"
    good = emf(T0, "naver-sms", "sms_sent", 1, {"mode": "live"}, [["mode", "sms_type"]])
    bad.write_text(
        json.dumps(emf(T0, "n", "x", 1, {}, [[]])) + "\n" + json.dumps(good) + "\n",
        encoding="utf-8",
    )
    args = argparse.Namespace(
        emf=[str(bad)],
        logs=None,
        aws_metrics=None,
        terraform=None,
        var=None,
        format="json",
        notifications=None,
    )
    assert run_command(args) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2:" in err
    assert "dimension 'sms_type' needs a string value" in err


def simulate_args(emf_path: Path, module: Path, variables: list[str] | None) -> argparse.Namespace:
    return argparse.Namespace(
        emf=[str(emf_path)],
        logs=None,
        aws_metrics=None,
        terraform=str(module),
        var=variables,
        format="json",
        notifications=None,
    )


def module_copy(tmp_path: Path, extra_alarm: str) -> Path:
    copy = tmp_path / "monitoring"
    shutil.copytree(MONITORING_MODULE, copy)
    signals = copy / "signals.tf"
    text = signals.read_text(encoding="utf-8")
    # The entries live in local.alarm_definitions (local.alarms adds their links) or, in older
    # modules, in local.alarms itself.
    anchor = next(a for a in ("  alarm_definitions = {\n", "  alarms = {\n") if a in text)
    signals.write_text(text.replace(anchor, anchor + extra_alarm, 1), encoding="utf-8")
    return copy


def test_generic_over_new_alarms_with_extra_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = """    "bookings-processed-missing" = {
      description         = "No bookings processed."
      summary             = "No bookings processed."
      active_hours        = null
      comparison_operator = "LessThanThreshold"
      threshold           = 1
      evaluation_periods  = 1
      datapoints_to_alarm = 1
      treat_missing_data  = "breaching"
      runbook             = "docs/ops/runbook.md#bookings-processed-missing"
      queries = [{
        id = "p", label = "processed", expression = null, return_data = true
        metric = {
          namespace = "naver-sms", metric_name = "bookings_processed", stat = "Sum"
          period = 300, dimensions = {}
        }
      }]
    }
"""
    module = module_copy(tmp_path, extra)
    args = simulate_args(campaign_emf(tmp_path / "emf.jsonl", 0, 100.0), module, ["name=shop"])
    assert run_command(args) == 0
    rows = json.loads(capsys.readouterr().out)
    mine = [(r["from"], r["to"]) for r in rows if r["alarm"] == "shop-bookings-processed-missing"]
    # 40 processed, then silence treated as breaching once the point has left the range.
    assert mine == [("INSUFFICIENT_DATA", "OK"), ("OK", "ALARM")]


def test_an_alarm_the_simulation_cannot_evaluate_exactly_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = """    "band" = {
      description = "anomaly band", summary = "anomaly band", runbook = "x", active_hours = null
      comparison_operator = "LessThanLowerOrGreaterThanUpperThreshold"
      threshold = 0, evaluation_periods = 1, datapoints_to_alarm = 1
      treat_missing_data = "missing"
      queries = [{
        id = "m", label = "m", expression = "ANOMALY_DETECTION_BAND(x)"
        return_data = true, metric = null
      }]
    }
"""
    module = module_copy(tmp_path, extra)
    args = simulate_args(campaign_emf(tmp_path / "emf.jsonl", 0, 100.0), module, None)
    assert run_command(args) == 2
    assert "alarm 'band': comparison_operator" in capsys.readouterr().err


def test_lambda_metrics_come_from_platform_reports_and_other_aws_metrics_from_a_file(
    tmp_path: Path, monitoring: Any
) -> None:
    logs = tmp_path / "logs.jsonl"
    reports = [
        {
            "time": f"2026-12-04T03:0{i}:30.000Z",
            "type": "platform.report",
            "record": {
                "requestId": f"r{i}",
                "metrics": {"durationMs": 100.0},
                "status": "error" if i < 2 else "success",
            },
        }
        for i in range(4)
    ]
    logs.write_text("".join(json.dumps(r) + "\n" for r in reports), encoding="utf-8")
    report = run_simulation(
        [campaign_emf(tmp_path / "emf.jsonl", 0, 100.0)], logs=[logs], monitoring=monitoring
    )
    rate = next(r for r in report.runs if r.alarm.key == error_rate_alarm(monitoring).key)
    # 2 errors out of 4 invocations in the 03:00 period: 50% > 5%, but 2 of 3 needs two
    # breaching periods and the missing ones count as not breaching.
    assert report.reports_read == 4
    assert "AWS/Lambda" in report.store.sources
    assert [t.to_state for t in rate.transitions] == ["OK"]
    assert rate.transitions[0].value == pytest.approx(100.0)  # 1 of 1 at 03:01
    aws = tmp_path / "aws.jsonl"
    function = {"FunctionName": "naver-sms"}
    samples = [
        {"namespace": "AWS/Lambda", "metric_name": name, "dimensions": function,
         "timestamp": "2026-12-04T03:06:00Z", "value": value}
        for name, value in (("Errors", 3), ("Invocations", 4))
    ]  # fmt: skip
    aws.write_text("".join(json.dumps(x) + "\n" for x in samples), encoding="utf-8")
    both = run_simulation(
        [campaign_emf(tmp_path / "emf.jsonl", 0, 100.0)],
        logs=[logs],
        aws_metrics=[aws],
        monitoring=monitoring,
    )
    rate = next(r for r in both.runs if r.alarm.key == error_rate_alarm(monitoring).key)
    assert [t.to_state for t in rate.transitions][:2] == ["OK", "ALARM"]
    assert rate.transitions[1].value == pytest.approx(75.0)  # 3 of 4 in the 03:05 period
