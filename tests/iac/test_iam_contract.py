"""Every AWS call the code makes is allowed, and nothing more.

The calls are found in the source by AST (`naver_sms_tools.terraform_contract.aws_calls`), from
each Lambda's handler (as Terraform evaluates it) through everything it imports. Each role's
policy document (python-hcl2) must allow exactly those actions, on the statement that serves
that caller, plus what AWS does with the role on the code's behalf, each with its reason here.
The rendered policies of a real deployment (moto) are checked in test_terraform_deploy.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.session import get_session

from naver_sms_tools.terraform_contract import AwsCall, aws_calls
from support.terraform import (
    FUNCTION_MODULE,
    FUNCTION_PURE_FILES,
    MONITORING_MODULE,
    MONITORING_PURE_FILES,
    NOTIFICATIONS_MODULE,
    NOTIFICATIONS_PURE_FILES,
    ROOT,
    evaluate,
    module_blocks,
)

pytestmark = pytest.mark.iac

SRC = ROOT / "src"
REGION = "ap-northeast-2"
KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/0b1c2d3e-0000-4000-8000-000000000000"

# What AWS does with a role for the code, not called by the code itself: action -> why.
FUNCTION_PLATFORM = {
    "logs:CreateLogStream": "Lambda writes stdout (logs, EMF) to the function's log group",
    "logs:PutLogEvents": "Lambda writes stdout (logs, EMF) to the function's log group",
    "xray:PutTraceSegments": "active tracing: Lambda's X-Ray daemon, the collector's awsxray",
    "xray:PutTelemetryRecords": "active tracing: Lambda's X-Ray daemon, the collector's awsxray",
    "kms:Decrypt": "SecureString through SSM; environment and table under kms_key_arn",
    "kms:GenerateDataKey": "DynamoDB writes items under kms_key_arn for the caller",
}
FORWARDER_PLATFORM = {
    "logs:CreateLogStream": "Lambda writes the forwarder's stdout to its log group",
    "logs:PutLogEvents": "Lambda writes the forwarder's stdout to its log group",
    "xray:PutTraceSegments": "active tracing: Lambda's X-Ray daemon",
    "xray:PutTelemetryRecords": "active tracing: Lambda's X-Ray daemon",
    "sqs:SendMessage": "dead_letter_config: Lambda sends failed events with the role",
    "kms:Decrypt": "SecureString through SSM; the environment under the module key",
    "kms:GenerateDataKey": "the dead-letter queue is encrypted with the module key",
}
# The statement that serves each caller of the function's code.
FUNCTION_STATEMENT_BY_MODULE = {
    "naver_sms.clients.store": "BookingsTable",
    "naver_sms.config.switches": "KillSwitches",
    "naver_sms.config.approval": "OwnerApproval",
    "naver_sms.config.secrets": "Secrets",
}


def _entry(module: Path, files: tuple[str, ...], variables: dict[str, Any], tmp: Path) -> str:
    handler = evaluate(module, files, variables, {"handler": "local.handler"}, tmp)["handler"]
    return str(handler).rpartition(".")[0]


@pytest.fixture(scope="module")
def function_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    variables = {"aws_region": REGION, "package_path": "x.zip", "kms_key_arn": KEY}
    return evaluate(
        FUNCTION_MODULE,
        FUNCTION_PURE_FILES,
        variables,
        {"handler": "local.handler", "environment": "local.environment"},
        tmp_path_factory.mktemp("function"),
    )


def _statements(module: Path, document: str) -> dict[str, dict[str, Any]]:
    documents = module_blocks(module, "data", "aws_iam_policy_document")
    return {s["sid"]: s for s in documents[document]["statement"]}


def _allowed(statements: dict[str, dict[str, Any]]) -> set[str]:
    return {action for s in statements.values() for action in s["actions"]}


def _calls(entry: str) -> list[AwsCall]:
    calls = aws_calls(entry, SRC)
    assert calls, f"no AWS call found from {entry}: the scan is broken"
    return calls


def test_the_function_role_allows_exactly_what_its_code_calls(
    function_env: dict[str, Any],
) -> None:
    entry = str(function_env["handler"]).rpartition(".")[0]
    calls = _calls(entry)
    # Reachable in the source, not in this deployment: secrets come from SSM (evaluated env).
    assert function_env["environment"]["NAVER_SMS_SECRETS_SOURCE"] == "ssm"
    excluded = {c for c in calls if c.action == "secretsmanager:GetSecretValue"}
    assert {c.module for c in excluded} == {"naver_sms.config.secrets"}
    calls = [c for c in calls if c not in excluded]

    statements = _statements(FUNCTION_MODULE, "function")
    for module, sid in FUNCTION_STATEMENT_BY_MODULE.items():
        wanted = {c.action for c in calls if c.module == module}
        assert wanted, f"{module} makes no AWS call any more: drop statement {sid}"
        assert set(statements[sid]["actions"]) == wanted, sid
    callers = {c.module for c in calls}
    assert callers == set(FUNCTION_STATEMENT_BY_MODULE), f"unmapped callers {callers}"
    # Nothing more: every allowed action is a call or a reason above.
    code = {c.action for c in calls}
    assert _allowed(statements) == code | set(FUNCTION_PLATFORM)
    # kms:Decrypt through SSM exists because a call decrypts.
    assert any(c.decrypts for c in calls if c.module == "naver_sms.config.secrets")
    assert statements["SecretsDecrypt"]["condition"][0]["values"] == [
        "ssm.${var.aws_region}.amazonaws.com"
    ]
    assert statements["DataKey"]["resources"] == ["${var.kms_key_arn}"]


def test_the_function_statements_name_exactly_their_resources() -> None:
    statements = _statements(FUNCTION_MODULE, "function")
    assert statements["BookingsTable"]["resources"] == ["${aws_dynamodb_table.bookings.arn}"]
    assert statements["KillSwitches"]["resources"] == (
        '${[for name in values(local.switch_parameter_names) : "${local.ssm_arn}${name}"]}'
    )
    assert statements["OwnerApproval"]["resources"] == ["${local.ssm_arn}${var.approval_parameter}"]
    assert statements["Secrets"]["resources"] == (
        '${[for name in local.secret_parameter_names : "${local.ssm_arn}${name}"]}'
    )
    assert statements["Logs"]["resources"] == ["${aws_cloudwatch_log_group.this.arn}:*"]
    for sid, statement in statements.items():
        assert not [a for a in statement["actions"] if "*" in a], sid
        if statement["resources"] == ["*"]:
            assert sid == "XRay", "only X-Ray lacks resource-level permissions"


def test_the_forwarder_role_allows_exactly_what_its_code_calls(tmp_path: Path) -> None:
    variables = {"aws_region": REGION, "package_path": "x.zip"}
    entry = _entry(NOTIFICATIONS_MODULE, NOTIFICATIONS_PURE_FILES, variables, tmp_path)
    assert entry == "naver_sms.alerts.handler"
    calls = _calls(entry)
    assert {(c.action, c.module, c.decrypts) for c in calls} == {
        ("ssm:GetParameters", "naver_sms.alerts.config", True)
    }
    statements = _statements(NOTIFICATIONS_MODULE, "forwarder")
    assert statements["AlertParameters"]["actions"] == ["ssm:GetParameters"]
    assert _allowed(statements) == {c.action for c in calls} | set(FORWARDER_PLATFORM)
    assert statements["AlertParametersDecrypt"]["condition"][0]["values"] == [
        "ssm.${var.aws_region}.amazonaws.com"
    ]
    assert statements["DeadLetters"]["resources"] == ["${aws_sqs_queue.dead_letters.arn}"]
    assert statements["Logs"]["resources"] == ["${aws_cloudwatch_log_group.forwarder.arn}:*"]
    for sid, statement in statements.items():
        if statement["resources"] == ["*"]:
            assert sid == "XRay", "only X-Ray lacks resource-level permissions"
    # The platform reasons hold: the function has a DLQ, active tracing, the module key.
    (function,) = module_blocks(NOTIFICATIONS_MODULE, "resource", "aws_lambda_function").values()
    assert function["dead_letter_config"] == [{"target_arn": "${aws_sqs_queue.dead_letters.arn}"}]
    assert function["tracing_config"] == [{"mode": "Active"}]
    assert function["kms_key_arn"] == "${aws_kms_key.this.arn}"


def test_the_business_hours_role_may_only_toggle_its_alarms(tmp_path: Path) -> None:
    (statement,) = module_blocks(MONITORING_MODULE, "data", "aws_iam_policy_document")["scheduler"][
        "statement"
    ]
    variables = {
        "aws_region": REGION,
        "function_name": "f",
        "table_name": "t12",
        "alarm_topic_arn": "arn:aws:sns:ap-northeast-2:123456789012:a",
        "log_group_names": ["/aws/lambda/f"],
    }
    # The statement's own expression, evaluated by Terraform on the module's pure values.
    actions = evaluate(
        MONITORING_MODULE,
        MONITORING_PURE_FILES,
        variables,
        {"actions": statement["actions"].removeprefix("${").removesuffix("}")},
        tmp_path,
    )["actions"]
    assert sorted(actions) == [
        "cloudwatch:DisableAlarmActions",
        "cloudwatch:EnableAlarmActions",
        "cloudwatch:SetAlarmState",
    ]
    operations = set(get_session().get_service_model("cloudwatch").operation_names)
    assert {a.removeprefix("cloudwatch:") for a in actions} <= operations
    assert "aws_cloudwatch_metric_alarm.this[schedule.alarm].arn" in statement["resources"]


def test_the_scan_finds_calls_of_every_shape(tmp_path: Path) -> None:
    """Clients by name, method calls, operation names passed as strings, lazy imports,
    WithDecryption, and modules imported only inside functions."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "entry.py").write_text(
        "def handler():\n    from pkg import helper\n    return helper.go()\n",
        encoding="utf-8",
    )
    (package / "helper.py").write_text(
        "def client(name): ...\n"
        "def go():\n"
        "    sqs = client('sqs')\n"
        "    sqs.send_message(QueueUrl='q', MessageBody='b')\n"
        "    ssm = client('ssm')\n"
        "    ssm.get_parameter(Name='n', WithDecryption=True)\n"
        "    call('DeleteMessage')\n",
        encoding="utf-8",
    )
    (package / "unused.py").write_text(
        "def client(name): ...\nclient('sns').publish(TopicArn='t', Message='m')\n",
        encoding="utf-8",
    )
    found = {(c.action, c.module, c.decrypts) for c in aws_calls("pkg.entry", tmp_path)}
    assert found == {
        ("sqs:SendMessage", "pkg.helper", False),
        ("ssm:GetParameter", "pkg.helper", True),
        ("sqs:DeleteMessage", "pkg.helper", False),
    }


def test_the_scan_refuses_an_ambiguous_operation(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "entry.py").write_text(
        "def client(name): ...\n"
        "a = client('dynamodb')\nb = client('sns')\n"
        "b.tag_resource(ResourceArn='x', Tags=[])\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="share this operation name"):
        aws_calls("pkg.entry", tmp_path)


def test_no_role_is_granted_what_nothing_calls() -> None:
    """cloudwatch:PutMetricData and sns:Publish appear in no role: metrics leave as EMF on
    stdout (the collector's awsemf writes to stdout too) and only alarms publish to the topic."""
    config = (ROOT / "collector" / "config.yaml").read_text(encoding="utf-8")
    assert "output_destination: stdout" in config
    for module, document in (
        (FUNCTION_MODULE, "function"),
        (NOTIFICATIONS_MODULE, "forwarder"),
    ):
        allowed = _allowed(_statements(module, document))
        assert not allowed & {"cloudwatch:PutMetricData", "sns:Publish"}, module.name
    called = {
        c.action
        for entry in ("naver_sms.app.handler", "naver_sms.alerts.handler")
        for c in aws_calls(entry, SRC)
    }
    assert not called & {"cloudwatch:PutMetricData", "sns:Publish"}
    json.dumps(sorted(called))  # keep the set printable in a failure
