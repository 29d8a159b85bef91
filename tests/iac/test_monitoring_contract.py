"""The alarms and the dashboard watch metrics the code really emits.

The chain: the alarm/widget definitions as Terraform evaluates them -> the telemetry catalog
(namespace, exact dimension set, statistic fitting the instrument, emitted dimension values) ->
`catalog_signatures()`, which tests/integration/collector proves equal to the EMF the real
collector writes. A reference that passes here is one CloudWatch has data for.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from naver_sms.telemetry.catalog import (
    ALL_STORES,
    COMPARISON_NAMESPACE,
    METRICS_BY_NAME,
    NAMESPACE,
)
from naver_sms_tools import terraform_contract as contract
from support.collector_outputs import catalog_signatures
from support.terraform import (
    MONITORING_MODULE,
    MONITORING_PURE_FILES,
    ROOT,
    evaluate,
    evaluation_error,
    module_blocks,
)

pytestmark = pytest.mark.iac

VARIABLES = {"aws_region": "ap-northeast-2", "function_name": "naver-sms-test"}


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    values = evaluate(
        MONITORING_MODULE,
        MONITORING_PURE_FILES,
        VARIABLES,
        {"alarms": "local.alarms", "dashboard_body": "local.dashboard_body"},
        tmp_path_factory.mktemp("monitoring"),
    )
    return {"alarms": values["alarms"], "dashboard": json.loads(values["dashboard_body"])}


def all_references(evaluated: dict[str, Any]) -> list[contract.MetricRef]:
    return contract.alarm_references(evaluated["alarms"]) + contract.dashboard_references(
        evaluated["dashboard"]
    )


def test_generated_catalog_file_is_current() -> None:
    generated = ROOT / contract.GENERATED_PATH
    assert generated.read_text(encoding="utf-8") == contract.render(), (
        f"{contract.GENERATED_PATH} is stale: run `make iac-generate`"
    )
    # The command that CI or a developer runs agrees.
    checked = subprocess.run(
        [sys.executable, "-m", "naver_sms_tools.terraform_contract", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_staleness_check_reports_a_drifted_file(tmp_path: Path) -> None:
    drifted = json.loads(contract.render())
    drifted["locals"]["catalog"]["metrics"]["sms_sent"]["dimension_sets"] = [["sms_type"]]
    path = tmp_path / "catalog.tf.json"
    path.write_text(json.dumps(drifted), encoding="utf-8")
    assert contract.main(["--check", "--path", str(path)]) == 1


def test_every_alarm_and_widget_metric_is_one_the_collector_writes(
    evaluated: dict[str, Any],
) -> None:
    refs = all_references(evaluated)
    errors = [error for ref in refs for error in contract.reference_errors(ref)]
    assert not errors, "\n".join(errors)
    # Close the chain: each catalog reference is a (namespace, metric, dimension set, unit)
    # signature that the real collector's EMF carries (tests/integration/collector).
    signatures = {(ns, name, dims) for ns, name, dims, _unit in catalog_signatures()}
    for ref in refs:
        if ref.namespace == contract.LAMBDA_NAMESPACE:
            continue
        key = (ref.namespace, ref.name, tuple(sorted(ref.dimensions)))
        assert key in signatures, f"{ref.where}: {key} not in the collector's EMF signatures"


def test_the_monitoring_covers_every_catalog_metric(evaluated: dict[str, Any]) -> None:
    watched = {ref.name for ref in all_references(evaluated)}
    assert set(METRICS_BY_NAME) <= watched, sorted(set(METRICS_BY_NAME) - watched)


def test_the_required_alarms_watch_what_the_brief_says(evaluated: dict[str, Any]) -> None:
    alarms = evaluated["alarms"]

    def metrics(key: str) -> list[dict[str, Any]]:
        return [q["metric"] for q in alarms[key]["queries"] if q["metric"] is not None]

    (discrepancies,) = metrics("comparison-discrepancies")
    assert (discrepancies["namespace"], discrepancies["metric_name"]) == (
        COMPARISON_NAMESPACE,
        "discrepancies",
    )
    assert discrepancies["stat"] == "Sum"
    assert discrepancies["dimensions"] == {}
    assert alarms["comparison-discrepancies"]["comparison_operator"] == "GreaterThanThreshold"
    assert alarms["comparison-discrepancies"]["threshold"] == 0

    (match,) = metrics("comparison-match-percentage")
    assert match["metric_name"] == "match_percentage"
    assert match["dimensions"] == {"store_id": ALL_STORES}
    assert alarms["comparison-match-percentage"]["comparison_operator"] == "LessThanThreshold"
    assert alarms["comparison-match-percentage"]["threshold"] == 100

    rate = {(m["namespace"], m["metric_name"]) for m in metrics("invocation-error-rate")}
    assert rate == {
        (NAMESPACE, "invocation_errors"),
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Invocations"),
    }
    sens = metrics("sens-failure-rate")
    assert {m["metric_name"] for m in sens} == {"sens_requests"}
    assert "success" in {m["dimensions"]["outcome"] for m in sens}
    assert {m["metric_name"] for m in metrics("telemetry-export-failures")} == {
        "telemetry_export_failures"
    }
    (failed,) = metrics("bookings-failed")
    assert failed["metric_name"] == "bookings_failed"
    assert failed["dimensions"] == {}


def test_alarm_math_is_well_formed(evaluated: dict[str, Any]) -> None:
    errors = [
        error
        for key, alarm in evaluated["alarms"].items()
        for error in contract.expression_errors(f"alarm {key}", alarm["queries"])
    ]
    assert not errors, "\n".join(errors)
    for key, alarm in evaluated["alarms"].items():
        # PutMetricAlarm: at most 10 metric and 10 expression queries; ids start lowercase.
        metrics = [q for q in alarm["queries"] if q["metric"] is not None]
        assert len(metrics) <= 10, key
        assert len(alarm["queries"]) - len(metrics) <= 10, key
        assert all((q["metric"] is None) == bool(q["expression"]) for q in alarm["queries"]), key
        assert all(q["id"][0].islower() for q in alarm["queries"]), key


def test_the_comparison_dashboard_shows_old_and_new_side_by_side(
    evaluated: dict[str, Any],
) -> None:
    by_widget: dict[str, set[str]] = {}
    for ref in contract.dashboard_references(evaluated["dashboard"]):
        if ref.name in {"sms_sent_old", "sms_sent_new"}:
            widget = ref.where.split(" line ")[0]
            by_widget.setdefault(widget, set()).add(f"{ref.name}:{ref.dimensions['sms_type']}")
    per_type = sorted(by_widget.values(), key=sorted)
    assert per_type == [
        {f"sms_sent_old:{t}", f"sms_sent_new:{t}"} for t in ("cancel", "confirm", "guide")
    ]


def test_every_alarm_notifies_the_topic_and_passes_its_definition_through() -> None:
    (alarm,) = module_blocks(MONITORING_MODULE, "resource", "aws_cloudwatch_metric_alarm").values()
    assert alarm["for_each"] == "${local.alarms}"
    assert alarm["alarm_actions"] == ["${aws_sns_topic.alarms.arn}"]
    assert alarm["ok_actions"] == ["${aws_sns_topic.alarms.arn}"]
    (query,) = alarm["dynamic"]
    body = query["metric_query"]
    assert body["for_each"] == "${each.value.queries}"
    (metric,) = body["content"][0]["dynamic"]
    fields = metric["metric"]["content"][0]
    # Nothing between the evaluated definitions and CloudWatch: each field is passed as is.
    assert fields == {
        name: f"${{metric.value.{name}}}"
        for name in ("namespace", "metric_name", "stat", "period", "dimensions")
    }
    (dashboard,) = module_blocks(MONITORING_MODULE, "resource", "aws_cloudwatch_dashboard").values()
    assert dashboard["dashboard_body"] == "${local.dashboard_body}"
    subscriptions = module_blocks(MONITORING_MODULE, "resource", "aws_sns_topic_subscription")
    assert {s["protocol"] for s in subscriptions.values()} == {"email", "https", "lambda"}


def test_the_contract_rejects_what_cloudwatch_would_not_match() -> None:
    def errors(namespace: str, name: str, dims: dict[str, str | None], stat: str) -> list[str]:
        return contract.reference_errors(contract.MetricRef("t", namespace, name, dims, stat))

    assert errors(NAMESPACE, "sms_sent", {"mode": "live", "sms_type": "confirm"}, "Sum") == []
    # A rollup the collector never writes: sms_sent by type alone.
    assert errors(NAMESPACE, "sms_sent", {"sms_type": "confirm"}, "Sum")
    assert errors(NAMESPACE, "discrepancies", {}, "Sum")  # wrong namespace
    assert errors(COMPARISON_NAMESPACE, "discrepancies", {}, "Average")  # counter
    assert errors(NAMESPACE, "sens_latency", {"outcome": "success"}, "p99")  # statistic set
    assert errors(NAMESPACE, "sens_requests", {"outcome": "timeout"}, "Sum")  # value never sent
    assert errors(NAMESPACE, "sms_delivered", {}, "Sum")  # not in the catalog
    assert errors("AWS/Lambda", "Errors", {}, "Sum")  # missing FunctionName
    with pytest.raises(ValueError, match=r"not \["):
        contract.dashboard_references(
            {"widgets": [{"properties": {"metrics": [[".", "sms_sent", {"stat": "Sum"}]]}}]}
        )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"period_seconds": 90}, "period_seconds must be a multiple of 60"),
        ({"alarm_emails": ["ops"]}, "alarm_emails must be e-mail addresses"),
        ({"match_percentage_threshold": 101}, "match_percentage_threshold must be in"),
        ({"notification_https_endpoints": ["http://x"]}, "must be https URLs"),
    ],
)
def test_variables_are_validated(variables: dict[str, Any], message: str, tmp_path: Path) -> None:
    error = evaluation_error(
        MONITORING_MODULE, MONITORING_PURE_FILES, VARIABLES | variables, tmp_path
    )
    assert message in " ".join(error.split())
