"""The notifications module deploys the alert forwarder the way naver_sms.alerts reads its
configuration, encrypts what it creates, and watches the forwarder itself.

Values come from the real Terraform evaluating the module's pure files (variables.tf,
locals.tf, signals.tf); resources are read with python-hcl2.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import structlog

from naver_sms.alerts import constants as alerts_env
from naver_sms.alerts import handler
from naver_sms.alerts.events import Alarm
from naver_sms.alerts.links import fallback_links, split_description
from naver_sms.clients.deadline import Deadline
from naver_sms.telemetry import constants as telemetry_constants
from naver_sms.telemetry.logging import configure_logging
from naver_sms_tools import terraform_contract as contract
from support.terraform import (
    NOTIFICATIONS_MODULE,
    NOTIFICATIONS_PURE_FILES,
    evaluate,
    evaluation_error,
    module_blocks,
)

pytestmark = pytest.mark.iac

REQUIRED = {"aws_region": "ap-northeast-2", "package_path": "build/naver-sms-lambda.zip"}
OUTPUTS = {
    "handler": "local.handler",
    "runtime": "local.runtime",
    "environment": "local.environment",
    "parameter_names": "local.parameter_names",
    "alarms": "local.alarms",
    "log_metrics": "local.log_metrics",
    "function_name": "local.function_name",
    "queue_name": "local.queue_name",
    "dashboard_url": "local.dashboard_url",
}


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return evaluate(
        NOTIFICATIONS_MODULE,
        NOTIFICATIONS_PURE_FILES,
        REQUIRED,
        OUTPUTS,
        tmp_path_factory.mktemp("notifications"),
    )


def test_the_handler_is_the_forwarder(evaluated: dict[str, Any]) -> None:
    module_name, _, function = evaluated["handler"].rpartition(".")
    assert module_name == "naver_sms.alerts.handler"
    assert getattr(importlib.import_module(module_name), function) is handler.lambda_handler
    assert evaluated["runtime"] == "python3.12"


def test_the_environment_names_only_what_the_forwarder_reads_and_no_secret(
    evaluated: dict[str, Any],
) -> None:
    env = evaluated["environment"]
    known = set(alerts_env.ENV_NAMES) | {telemetry_constants.LOG_LEVEL}
    assert set(env) <= known, sorted(set(env) - known)
    assert env[alerts_env.ALERTS_SSM_PREFIX] == alerts_env.DEFAULT_SSM_PREFIX
    assert not set(alerts_env.PARAMETER_NAMES) & set(env)
    # The links the forwarder falls back to pass its own safety rules.
    links = fallback_links(env)
    assert links.runbook == "https://github.com/naver-sms/naver-sms/blob/main/docs/ops/runbook.md"
    assert links.dashboard == evaluated["dashboard_url"]


def test_the_role_and_the_code_name_the_same_parameters(evaluated: dict[str, Any]) -> None:
    assert evaluated["parameter_names"] == {
        name: alerts_env.DEFAULT_SSM_PREFIX + name for name in alerts_env.PARAMETER_NAMES
    }


def test_the_forwarders_alarms_watch_real_metrics_and_link_their_runbook_section(
    evaluated: dict[str, Any],
) -> None:
    alarms = evaluated["alarms"]
    assert set(alarms) == {"alert-forward-failures", "alert-dead-letters"}
    log_metrics = [contract.LogMetric(**m) for m in evaluated["log_metrics"].values()]
    refs = contract.alarm_references(alarms)
    errors = [e for ref in refs for e in contract.reference_errors(ref, log_metrics)]
    assert not errors, "\n".join(errors)
    errors = [
        e
        for key, alarm in alarms.items()
        for e in contract.expression_errors(f"alarm {key}", alarm["queries"])
    ]
    assert not errors, "\n".join(errors)
    dims = {ref.name: dict(ref.dimensions) for ref in refs}
    assert dims["Errors"] == {"FunctionName": evaluated["function_name"]}
    assert dims["ApproximateNumberOfMessagesVisible"] == {"QueueName": evaluated["queue_name"]}
    for key, alarm in alarms.items():
        assert alarm["treat_missing_data"] == "notBreaching", key
        assert "missing data" in alarm["summary"].lower()
        assert "not breaching" in alarm["summary"]
        text, links = split_description(alarm["description"])
        assert text == alarm["summary"]
        assert links.runbook is not None
        assert links.runbook.endswith(f"#alarm-{key}")
        assert alarm["runbook"] == f"alarm-{key}"
        assert links.dashboard == evaluated["dashboard_url"]


_JSON_EQUALS = re.compile(r'^\{\s*\$\.(?P<field>\w+)\s*=\s*"(?P<value>[^"]*)"\s*\}$')


def _matches(pattern: str, line: dict[str, Any]) -> bool:
    """CloudWatch Logs JSON filter `{ $.field = "value" }`, the only form the module uses."""
    match = _JSON_EQUALS.match(pattern)
    assert match, f"unsupported filter pattern {pattern!r}"
    return line.get(match["field"]) == match["value"]


def test_the_failure_metric_counts_the_forwarders_failure_lines(
    evaluated: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """The metric filter's pattern against what the forwarder really logs when one destination
    fails and the other delivers."""

    def failing(alarm: Alarm, deadline: Deadline) -> int:
        raise RuntimeError("webhook gone")

    def delivering(alarm: Alarm, deadline: Deadline) -> int:
        return 1

    message = {
        "AlarmName": "naver-sms-lambda-errors",
        "NewStateValue": "ALARM",
        "NewStateReason": "Threshold Crossed",
        "StateChangeTime": "2026-11-27T08:00:00.000+0000",
    }
    event = {"Records": [{"Sns": {"Message": json.dumps(message)}}]}
    structlog.reset_defaults()
    configure_logging()
    capsys.readouterr()
    handler.forward(
        event,
        [handler.Destination("slack", failing), handler.Destination("telegram", delivering)],
        Deadline(5.0),
    )
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    assert {line["event"] for line in lines} >= {
        "alert_forward_failed",
        "alert_forwarded",
        "alerts_summary",
    }
    (metric,) = evaluated["log_metrics"].values()
    counted = [line["event"] for line in lines if _matches(metric["pattern"], line)]
    assert counted == ["alert_forward_failed"]


def test_the_topic_key_queue_and_logs_are_encrypted_with_the_module_key() -> None:
    (key,) = module_blocks(NOTIFICATIONS_MODULE, "resource", "aws_kms_key").values()
    assert key["enable_key_rotation"] is True
    (topic,) = module_blocks(NOTIFICATIONS_MODULE, "resource", "aws_sns_topic").values()
    assert topic["kms_master_key_id"] == "${aws_kms_key.this.arn}"
    (queue,) = module_blocks(NOTIFICATIONS_MODULE, "resource", "aws_sqs_queue").values()
    assert queue["kms_master_key_id"] == "${aws_kms_key.this.arn}"
    (logs,) = module_blocks(NOTIFICATIONS_MODULE, "resource", "aws_cloudwatch_log_group").values()
    assert logs["kms_key_id"] == "${aws_kms_key.this.arn}"
    assert logs["name"] == "${local.log_group_name}"


def test_the_key_policy_lets_cloudwatch_publish_and_the_topic_admits_only_our_alarms() -> None:
    documents = module_blocks(NOTIFICATIONS_MODULE, "data", "aws_iam_policy_document")
    key = {s["sid"]: s for s in documents["key"]["statement"]}
    publish = key["CloudWatchAlarmsPublish"]
    assert publish["principals"] == [
        {"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}
    ]
    assert set(publish["actions"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert key["LogGroups"]["principals"][0]["identifiers"] == [
        "logs.${var.aws_region}.amazonaws.com"
    ]
    topic = {s["sid"]: s for s in documents["topic"]["statement"]}["CloudWatchAlarmsPublish"]
    assert topic["actions"] == ["sns:Publish"]
    conditions = {c["variable"]: c["values"] for c in topic["condition"]}
    assert conditions == {
        "aws:SourceArn": [
            "arn:${local.partition}:cloudwatch:${var.aws_region}:${local.account_id}:alarm:*"
        ],
        "aws:SourceAccount": ["${local.account_id}"],
    }


def test_the_forwarder_is_subscribed_retried_and_dead_lettered() -> None:
    subscriptions = module_blocks(NOTIFICATIONS_MODULE, "resource", "aws_sns_topic_subscription")
    assert {s["protocol"] for s in subscriptions.values()} == {"email", "lambda"}
    forwarder = subscriptions["forwarder"]
    assert forwarder["endpoint"] == "${aws_lambda_function.forwarder.arn}"
    assert "aws_sqs_queue.dead_letters.arn" in forwarder["redrive_policy"]
    (invoke,) = module_blocks(
        NOTIFICATIONS_MODULE, "resource", "aws_lambda_function_event_invoke_config"
    ).values()
    assert invoke["maximum_retry_attempts"] == "${var.forwarder_retry_attempts}"
    (function,) = module_blocks(NOTIFICATIONS_MODULE, "resource", "aws_lambda_function").values()
    assert function["handler"] == "${local.handler}"
    assert function["environment"] == [{"variables": "${local.environment}"}]
    assert function["logging_config"] == [
        {"log_format": "JSON", "log_group": "${aws_cloudwatch_log_group.forwarder.name}"}
    ]
    (permission,) = module_blocks(
        NOTIFICATIONS_MODULE, "resource", "aws_lambda_permission"
    ).values()
    assert permission["principal"] == "sns.amazonaws.com"
    assert permission["source_arn"] == "${aws_sns_topic.alarms.arn}"
    (alarm,) = module_blocks(
        NOTIFICATIONS_MODULE, "resource", "aws_cloudwatch_metric_alarm"
    ).values()
    assert alarm["for_each"] == "${local.alarms}"
    assert alarm["alarm_actions"] == alarm["ok_actions"] == ["${aws_sns_topic.alarms.arn}"]
    (metric_filter,) = module_blocks(
        NOTIFICATIONS_MODULE, "resource", "aws_cloudwatch_log_metric_filter"
    ).values()
    assert metric_filter["pattern"] == "${each.value.pattern}"
    assert metric_filter["log_group_name"] == "${aws_cloudwatch_log_group.forwarder.name}"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"log_retention_days": 5}, "at least 7"),
        ({"alarm_emails": ["ops"]}, "alarm_emails must be e-mail addresses"),
        ({"alert_parameters_prefix": "/naver-sms/alerts"}, "must be an SSM path"),
        ({"forwarder_retry_attempts": 3}, "forwarder_retry_attempts must be 0, 1 or 2"),
        ({"runbook_url": "http://x.example/r.md"}, "runbook_url must be an https URL"),
    ],
)
def test_variables_are_validated(variables: dict[str, Any], message: str, tmp_path: Path) -> None:
    error = evaluation_error(
        NOTIFICATIONS_MODULE, NOTIFICATIONS_PURE_FILES, REQUIRED | variables, tmp_path
    )
    assert message in " ".join(error.split())
