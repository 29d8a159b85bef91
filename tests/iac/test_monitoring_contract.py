"""The alarms and the dashboard watch metrics the code really emits.

The chain: the alarm/widget definitions as Terraform evaluates them -> the telemetry catalog
(namespace, exact dimension set, statistic fitting the instrument, emitted dimension values) ->
`catalog_signatures()`, which tests/integration/collector proves equal to the EMF the real
collector writes. A reference that passes here is one CloudWatch has data for. AWS's own
metrics (AWS/Lambda, AWS/DynamoDB) are checked against the dimension set and statistics
CloudWatch publishes them with.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from naver_sms.alerts.links import split_description
from naver_sms.telemetry.catalog import (
    ALL_STORES,
    COMPARISON_NAMESPACE,
    METRICS,
    METRICS_BY_NAME,
    NAMESPACE,
)
from naver_sms_tools import terraform_contract as contract
from support.collector import (
    LAMBDA_CONFIG,
    CollectorProcess,
    require_binary,
    run_emitter,
    wait_until,
)
from support.collector_backends import XRayEndpoint
from support.collector_outputs import catalog_signatures, emf_signatures, parse_stdout
from support.terraform import (
    MONITORING_MODULE,
    MONITORING_PURE_FILES,
    ROOT,
    evaluate,
    evaluation_error,
    module_blocks,
)

pytestmark = pytest.mark.iac

VARIABLES = {
    "aws_region": "ap-northeast-2",
    "function_name": "naver-sms-test",
    "function_timeout_seconds": 60,
    "table_name": "naver-sms-bookings-test",
    "alarm_topic_arn": "arn:aws:sns:ap-northeast-2:123456789012:naver-sms-alarms",
    "log_group_names": ["/aws/lambda/naver-sms-test"],
    "runbook_url": "https://docs.example/ops/runbook.md",
}
OUTPUTS = {
    "alarms": "local.alarms",
    "alarm_names": "local.alarm_names",
    "schedules": "local.alarm_schedules",
    "dashboard_body": "local.dashboard_body",
    "dashboard_url": "local.dashboard_url",
}
TREATMENTS = {"breaching", "notBreaching", "ignore", "missing"}


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    values = evaluate(
        MONITORING_MODULE,
        MONITORING_PURE_FILES,
        VARIABLES,
        OUTPUTS,
        tmp_path_factory.mktemp("monitoring"),
    )
    values["dashboard"] = json.loads(values.pop("dashboard_body"))
    return values


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
    # Each catalog reference is a (namespace, metric, dimension set, unit) signature the catalog
    # declares; tests/integration/collector proves those equal to the collector's EMF, and the
    # next test checks the references against the real collector's output directly.
    signatures = {(ns, name, dims) for ns, name, dims, _unit in catalog_signatures()}
    for ref in refs:
        if ref.namespace in contract.AWS_METRICS:
            continue
        key = (ref.namespace, ref.name, tuple(sorted(ref.dimensions)))
        assert key in signatures, f"{ref.where}: {key} not in the catalog's signatures"


@pytest.fixture(scope="module")
def collector_emf() -> list[dict[str, Any]]:
    """EMF the production collector/config.yaml writes for one cold start of the real
    telemetry pipeline (support.collector_emitter), as in tests/integration/collector."""
    require_binary()
    with XRayEndpoint() as xray:
        process = CollectorProcess(
            LAMBDA_CONFIG,
            pin_receiver=True,
            overrides=[
                f"exporters.awsxray.endpoint={xray.url}",
                "exporters.awsxray.local_mode=true",
            ],
        )
        with process as collector:
            run_emitter(collector.otlp_http_endpoint)
            wanted = len(catalog_signatures())
            wait_until(
                lambda: len(emf_signatures(parse_stdout(collector.stdout()).emf)) >= wanted,
                what="EMF for every catalog signature",
            )
            collector.stop()
            return parse_stdout(collector.stdout()).emf


@pytest.mark.collector
def test_every_alarm_and_widget_metric_is_in_the_real_collectors_emf(
    evaluated: dict[str, Any], collector_emf: list[dict[str, Any]]
) -> None:
    written = {(ns, name, dims) for ns, name, dims, _unit in emf_signatures(collector_emf)}
    missing = [
        f"{ref.where}: {ref.namespace} {ref.name} {sorted(ref.dimensions)}"
        for ref in all_references(evaluated)
        if ref.namespace not in contract.AWS_METRICS
        and (ref.namespace, ref.name, tuple(sorted(ref.dimensions))) not in written
    ]
    assert not missing, "not in the collector's EMF:\n" + "\n".join(missing)


def test_the_monitoring_covers_every_catalog_metric(evaluated: dict[str, Any]) -> None:
    watched = {ref.name for ref in all_references(evaluated)}
    assert set(METRICS_BY_NAME) <= watched, sorted(set(METRICS_BY_NAME) - watched)


def test_the_alarmed_catalog_metrics_are_exactly_those_an_alarm_watches(
    evaluated: dict[str, Any],
) -> None:
    alarmed = {spec.name for spec in METRICS if spec.alarmed}
    watched = {
        ref.name
        for ref in contract.alarm_references(evaluated["alarms"])
        if ref.name in METRICS_BY_NAME
    }
    assert alarmed, "no catalog metric is marked alarmed"
    assert alarmed - watched == set(), f"marked alarmed, no alarm: {sorted(alarmed - watched)}"
    assert watched - alarmed == set(), f"alarmed but not marked: {sorted(watched - alarmed)}"


def _metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    return [q["metric"] for q in alarm["queries"] if q["metric"] is not None]


def test_the_alarms_are_those_the_monitoring_plan_names(evaluated: dict[str, Any]) -> None:
    alarms = evaluated["alarms"]
    assert set(alarms) == {
        "comparison-discrepancies",
        "comparison-match-percentage",
        "lambda-error-rate",
        "lambda-errors",
        "lambda-duration-p99",
        "lambda-throttles",
        "dynamodb-read-throttles",
        "dynamodb-write-throttles",
        "sens-failure-rate",
        "telegram-failures",
        "telemetry-export-failures",
        "bookings-failed",
        "bookings-silent",
    }

    def alarm(key: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        return alarms[key], _metrics(alarms[key])

    found, (discrepancies,) = alarm("comparison-discrepancies")
    assert (discrepancies["namespace"], discrepancies["metric_name"]) == (
        COMPARISON_NAMESPACE,
        "discrepancies",
    )
    assert (discrepancies["stat"], discrepancies["dimensions"]) == ("Sum", {})
    assert (found["comparison_operator"], found["threshold"]) == ("GreaterThanThreshold", 0)

    found, (match,) = alarm("comparison-match-percentage")
    assert match["metric_name"] == "match_percentage"
    assert match["dimensions"] == {"store_id": ALL_STORES}
    assert (found["comparison_operator"], found["threshold"]) == ("LessThanThreshold", 100)

    found, metrics = alarm("lambda-error-rate")
    assert {(m["namespace"], m["metric_name"]) for m in metrics} == {
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Invocations"),
    }
    (rate,) = [q for q in found["queries"] if q["return_data"]]
    assert rate["expression"] == "100 * FILL(errors, 0) / invocations"
    assert (found["comparison_operator"], found["threshold"]) == ("GreaterThanThreshold", 5)

    found, (errors,) = alarm("lambda-errors")
    assert (errors["metric_name"], errors["stat"]) == ("Errors", "Sum")

    found, (duration,) = alarm("lambda-duration-p99")
    assert (duration["metric_name"], duration["stat"]) == ("Duration", "p99")
    assert found["threshold"] == 0.8 * VARIABLES["function_timeout_seconds"] * 1000

    found, (throttles,) = alarm("lambda-throttles")
    assert (throttles["metric_name"], found["threshold"]) == ("Throttles", 0)

    for key, name in (
        ("dynamodb-read-throttles", "ReadThrottleEvents"),
        ("dynamodb-write-throttles", "WriteThrottleEvents"),
    ):
        found, (throttled,) = alarm(key)
        assert (throttled["namespace"], throttled["metric_name"]) == ("AWS/DynamoDB", name)
        assert throttled["dimensions"] == {"TableName": VARIABLES["table_name"]}

    for key, metric, required in (
        ("sens-failure-rate", "sens_requests", {"success"}),
        ("telegram-failures", "telegram_notifications", set()),
    ):
        found, metrics = alarm(key)
        assert {m["metric_name"] for m in metrics} == {metric}
        outcomes = {m["dimensions"]["outcome"] for m in metrics}
        failures = {"auth_error", "client_error", "error", "network_error", "server_error"}
        assert failures | required <= outcomes

    found, metrics = alarm("telemetry-export-failures")
    assert {m["dimensions"]["signal"] for m in metrics} == {"traces", "metrics"}

    found, (failed,) = alarm("bookings-failed")
    assert (failed["metric_name"], failed["dimensions"]) == ("bookings_failed", {})

    found, (processed,) = alarm("bookings-silent")
    assert (processed["metric_name"], processed["dimensions"]) == ("bookings_processed", {})
    assert (found["comparison_operator"], found["threshold"]) == ("LessThanThreshold", 1)
    assert found["evaluation_periods"] == found["datapoints_to_alarm"] == 2
    assert processed["period"] == 3600


def test_missing_data_is_treated_deliberately(evaluated: dict[str, Any]) -> None:
    """Every alarm says in its description what missing data means for it; only where
    silence is the failure is it breaching."""
    breaching = set()
    for key, alarm in evaluated["alarms"].items():
        assert alarm["treat_missing_data"] in TREATMENTS, key
        said = {
            "breaching": "missing data is breaching",
            "notBreaching": "missing data",
        }[alarm["treat_missing_data"]]
        assert said in alarm["summary"].lower(), f"{key}: the summary does not say {said!r}"
        if alarm["treat_missing_data"] == "breaching":
            breaching.add(key)
        else:
            assert "not breaching" in alarm["summary"], key
    assert breaching == {"bookings-silent"}


def test_every_description_links_its_runbook_section_and_the_dashboard(
    evaluated: dict[str, Any],
) -> None:
    for key, alarm in evaluated["alarms"].items():
        assert len(alarm["description"]) <= 1024, f"{key}: AlarmDescription is at most 1024"
        # The forwarder's own parser finds the links the module wrote.
        text, links = split_description(alarm["description"])
        assert text == alarm["summary"]
        assert links.runbook == f"{VARIABLES['runbook_url']}#{alarm['runbook']}"
        assert links.dashboard == evaluated["dashboard_url"]
        assert alarm["runbook"] == f"alarm-{key}"
    assert evaluated["dashboard_url"] == (
        "https://ap-northeast-2.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-2"
        "#dashboards/dashboard/naver-sms"
    )
    assert evaluated["alarm_names"] == {key: f"naver-sms-{key}" for key in evaluated["alarms"]}


def test_business_hours_turn_the_silence_alarm_on_and_off(evaluated: dict[str, Any]) -> None:
    hours = evaluated["alarms"]["bookings-silent"]["active_hours"]
    assert hours == {"timezone": "Asia/Seoul", "days": "*", "from_hour": 11, "to_hour": 21}
    assert [
        a["active_hours"] for k, a in evaluated["alarms"].items() if k != "bookings-silent"
    ] == [None] * (len(evaluated["alarms"]) - 1)
    name = "naver-sms-bookings-silent"
    assert evaluated["schedules"] == {
        "bookings-silent-reset": {
            "alarm": "bookings-silent",
            "action": "setAlarmState",
            "expression": "cron(55 10 ? * * *)",
            "timezone": "Asia/Seoul",
            "input": {
                "AlarmName": name,
                "StateValue": "OK",
                "StateReason": "Alarm actions come on at 11:00: re-evaluate from OK so that a "
                "silence already under way notifies.",
            },
        },
        "bookings-silent-enable": {
            "alarm": "bookings-silent",
            "action": "enableAlarmActions",
            "expression": "cron(0 11 ? * * *)",
            "timezone": "Asia/Seoul",
            "input": {"AlarmNames": [name]},
        },
        "bookings-silent-disable": {
            "alarm": "bookings-silent",
            "action": "disableAlarmActions",
            "expression": "cron(0 21 ? * * *)",
            "timezone": "Asia/Seoul",
            "input": {"AlarmNames": [name]},
        },
    }


def test_the_schedules_call_the_cloudwatch_api_with_the_evaluated_values() -> None:
    (schedule,) = module_blocks(MONITORING_MODULE, "resource", "aws_scheduler_schedule").values()
    assert schedule["for_each"] == "${local.alarm_schedules}"
    assert schedule["schedule_expression"] == "${each.value.expression}"
    assert schedule["schedule_expression_timezone"] == "${each.value.timezone}"
    (target,) = schedule["target"]
    assert target["arn"] == (
        "arn:${data.aws_partition.current.partition}:scheduler:::aws-sdk:cloudwatch:"
        "${each.value.action}"
    )
    assert target["input"] == "${jsonencode(each.value.input)}"
    (alarm,) = module_blocks(MONITORING_MODULE, "resource", "aws_cloudwatch_metric_alarm").values()
    # The schedules own actions_enabled after creation; an apply must not undo them.
    assert alarm["lifecycle"] == [{"ignore_changes": ["actions_enabled"]}]


def test_the_dashboard_rows_fill_the_grid_in_the_runbooks_order(
    evaluated: dict[str, Any],
) -> None:
    widgets = evaluated["dashboard"]["widgets"]
    rows: list[list[str]] = []
    width = 24
    for widget in widgets:
        if width == 24:
            rows.append([])
            width = 0
        width += widget["width"]
        assert width <= 24, f"{widget['properties'].get('title')}: row wider than 24"
        rows[-1].append(widget["properties"].get("title", widget["type"]))
    assert width == 24, "the last row is not full"
    titles = [t for row in rows for t in row]
    assert len(titles) == len(set(titles)), "widget titles must be unique (the runbook names them)"
    # The comparison next to the Lambda's health, on one row.
    assert rows[1] == [
        "Match percentage (all stores)",
        "Discrepancies by channel and kind",
        "Invocations, errors and error rate",
        "Duration p50 / p99 against the timeout (ms)",
    ]
    health = {"Throttles", "Concurrent executions"}
    assert health <= set(rows[2])
    order = [
        "SENS requests by outcome",
        "SMS sent by store, type and mode",
        "DynamoDB throttled requests",
        "Telegram notifications by outcome",
        "Telemetry export failures",
    ]
    assert [t for t in titles if t in order] == order


def test_the_duration_widget_draws_the_timeout(evaluated: dict[str, Any]) -> None:
    (duration,) = [
        w["properties"]
        for w in evaluated["dashboard"]["widgets"]
        if w["properties"].get("title", "").startswith("Duration")
    ]
    lines = {ann["label"]: ann["value"] for ann in duration["annotations"]["horizontal"]}
    assert lines == {"timeout": 60_000, "p99 alarm": 48_000}
    assert [line[-1]["stat"] for line in duration["metrics"]] == ["p50", "p99"]


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
    assert alarm["alarm_name"] == "${local.alarm_names[each.key]}"
    assert alarm["alarm_description"] == "${each.value.description}"
    assert alarm["treat_missing_data"] == "${each.value.treat_missing_data}"
    assert alarm["actions_enabled"] is True
    assert alarm["alarm_actions"] == ["${var.alarm_topic_arn}"]
    assert alarm["ok_actions"] == ["${var.alarm_topic_arn}"]
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
    # The topic and its subscriptions are the notifications module's.
    assert not module_blocks(MONITORING_MODULE, "resource", "aws_sns_topic")


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
    assert errors("AWS/DynamoDB", "ReadThrottleEvents", {"FunctionName": "x"}, "Sum")
    assert errors("AWS/DynamoDB", "ThrottledRequests", {"TableName": "t"}, "Sum")  # not used
    assert errors("AWS/Lambda", "Duration", {"FunctionName": "f"}, "p42")
    assert errors("AWS/DynamoDB", "WriteThrottleEvents", {"TableName": "t"}, "Sum") == []
    log = contract.LogMetric("naver-sms/alerts", "alert_forward_failures", "{ }")
    assert (
        contract.reference_errors(
            contract.MetricRef("t", "naver-sms/alerts", "alert_forward_failures", {}, "Sum"), [log]
        )
        == []
    )
    assert contract.reference_errors(
        contract.MetricRef("t", "naver-sms/alerts", "alert_forward_failures", {}, "Average"), [log]
    )
    with pytest.raises(ValueError, match=r"not \["):
        contract.dashboard_references(
            {"widgets": [{"properties": {"metrics": [[".", "sms_sent", {"stat": "Sum"}]]}}]}
        )


HOURS = {
    "timezone": "Asia/Seoul",
    "days": "MON-SAT",
    "start_hour": 9,
    "end_hour": 21,
    "silent_hours": 2,
}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"period_seconds": 90}, "period_seconds must be a multiple of 60"),
        ({"match_percentage_threshold": 101}, "match_percentage_threshold must be in"),
        ({"alarm_topic_arn": "naver-sms-alarms"}, "alarm_topic_arn must be an SNS topic ARN"),
        ({"log_group_names": []}, "log_group_names must list at least one"),
        ({"runbook_url": "http://docs.example/r.md"}, "runbook_url must be an https URL"),
        ({"runbook_url": "https://docs.example/r.md#x"}, "without spaces or a fragment"),
        ({"name": "a" * 33}, "name must be 1-32"),
        ({"duration_p99_percent_of_timeout": 0}, "duration_p99_percent_of_timeout must be"),
        (
            {"business_hours": {**HOURS, "start_hour": 19, "silent_hours": 2}},
            "start_hour + silent_hours < end_hour",
        ),
        ({"business_hours": {**HOURS, "end_hour": 24}}, "start_hour + silent_hours < end_hour"),
        ({"business_hours": {**HOURS, "days": "MONDAY"}}, "days * or such as MON-SAT"),
        ({"business_hours": {**HOURS, "start_hour": 9.5}}, "whole hours"),
    ],
)
def test_variables_are_validated(variables: dict[str, Any], message: str, tmp_path: Path) -> None:
    error = evaluation_error(
        MONITORING_MODULE, MONITORING_PURE_FILES, VARIABLES | variables, tmp_path
    )
    assert message in " ".join(error.split())
