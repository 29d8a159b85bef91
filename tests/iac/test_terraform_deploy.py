"""The modules with the real AWS provider: `terraform validate`, and the complete example
planned and applied against moto (server mode, loopback), then inspected with boto3.

No Terraform registry is reachable; the provider comes from the machine image's filesystem
mirror (TF_PROVIDER_MIRROR, see support.terraform), installed by `terraform init` offline.
moto is not AWS: it checks requests and stores what it supports, so this proves that the
provider accepts every argument, that the graph applies in order, that a second plan is empty
(no perpetual diff), and that what lands is what the contract tests checked. What moto does
not model is named where it matters (MOTO_GAPS); docs/infrastructure.md says what a real
`terraform plan` must still show.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from test_iam_contract import FORWARDER_PLATFORM, FUNCTION_PLATFORM

from naver_sms.alerts import constants as alerts_env
from naver_sms.alerts import handler as alerts_handler
from naver_sms.clients import aws
from naver_sms.config import constants as config_constants
from naver_sms.devstack import MotoServer
from naver_sms.devstack.slack_server import SlackServer
from naver_sms.devstack.telegram_server import TelegramServer
from naver_sms_tools.terraform_contract import aws_calls
from support.terraform import (
    COMPLETE_EXAMPLE,
    EXAMPLES,
    MODULES,
    ROOT,
    TERRAFORM_DIR,
    copy_terraform_tree,
    mirror_cli_config,
    run_terraform,
)

pytestmark = pytest.mark.iac

REGION = "ap-northeast-2"
RUNBOOK_URL = "https://github.com/naver-sms/naver-sms/blob/main/docs/ops/runbook.md"
ACCOUNT = "123456789012"  # moto's
SERVICES = (
    "cloudwatch",
    "dynamodb",
    "events",
    "iam",
    "kms",
    "lambda",
    "logs",
    "scheduler",
    "sns",
    "sqs",
    "ssm",
    "sts",
)
# moto 5.2 stores neither a Lambda function's DeadLetterConfig nor its LoggingConfig (neither
# name appears in moto/awslambda), so the second plan wants to add them again; nothing else may
# differ.
MOTO_GAPS = {
    "module.function.aws_lambda_function.this": {"logging_config"},
    "module.notifications.aws_lambda_function.forwarder": {"dead_letter_config", "logging_config"},
}


def _ok(result: subprocess.CompletedProcess[str], what: str) -> str:
    assert result.returncode == 0, (
        f"terraform {what} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    return result.stdout


@pytest.mark.parametrize("directory", [*MODULES, *EXAMPLES], ids=lambda d: d.name)
def test_terraform_validate(directory: Path, tmp_path: Path) -> None:
    tree = copy_terraform_tree(tmp_path)
    root = tree / directory.relative_to(TERRAFORM_DIR)
    config = mirror_cli_config(tmp_path)
    _ok(
        run_terraform(
            ["init", "-input=false", "-backend=false"], root, tmp_path, cli_config=config
        ),
        "init",
    )
    result = run_terraform(["validate", "-json"], root, tmp_path, cli_config=config)
    report = json.loads(result.stdout)
    problems = [
        f"{d['severity']}: {d['summary']} {d.get('detail', '')} "
        f"({d.get('range', {}).get('filename')})"
        for d in report["diagnostics"]
    ]
    assert report["valid"], "\n".join(problems)
    assert not problems, "\n".join(problems)


@dataclass
class Deployment:
    root: Path
    scratch: Path
    config: Path
    moto: MotoServer
    package: Path
    variables: list[str]
    planned: dict[str, Any]
    state: dict[str, Any]
    outputs: dict[str, Any]

    def client(self, service: str) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.moto.endpoint_url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def terraform(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return run_terraform(
            [*args], self.root, self.scratch, cli_config=self.config, timeout=timeout
        )

    def resources(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}

        def walk(module: dict[str, Any]) -> None:
            for resource in module.get("resources", []):
                if resource["mode"] == "managed":
                    found[resource["address"]] = resource["values"]
            for child in module.get("child_modules", []):
                walk(child)

        walk(self.state["values"]["root_module"])
        return found


def _package(path: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "infrastructure/package_lambda.py"),
            "--no-deps",
            "--out",
            str(path),
        ],
        check=True,
        capture_output=True,
    )
    return path


def _collector_layer(moto: MotoServer) -> str:
    """moto checks that a function's layers exist; publish a stand-in for the ADOT layer."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as layer:
        layer.writestr("extensions/collector", "#!/bin/sh\n")
    lam = boto3.client(
        "lambda",
        endpoint_url=moto.endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    published = lam.publish_layer_version(
        LayerName="aws-otel-collector-arm64", Content={"ZipFile": archive.getvalue()}
    )
    return str(published["LayerVersionArn"])


def _overrides(root: Path, monitoring: Path, endpoint: str, layer: str) -> None:
    endpoints = "\n".join(f'    {s} = "{endpoint}"' for s in SERVICES)
    (root / "zz_moto_override.tf").write_text(
        f"""provider "aws" {{
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {{
{endpoints}
  }}
}}

module "function" {{
  collector_layer_arn = "{layer}"
}}
""",
        encoding="utf-8",
    )
    # moto 5.2 has no CloudWatch Logs query definitions (PutQueryDefinition): deploy none
    # there. validate checks the resource, test_saved_queries.py its values.
    (monitoring / "zz_moto_override.tf").write_text(
        'resource "aws_cloudwatch_query_definition" "this" {\n  for_each = {}\n}\n',
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    scratch = tmp_path_factory.mktemp("deploy")
    tree = copy_terraform_tree(scratch)
    root = tree / COMPLETE_EXAMPLE.relative_to(TERRAFORM_DIR)
    config = mirror_cli_config(scratch)
    package = _package(scratch / "naver-sms-lambda.zip")
    with MotoServer() as moto:
        _overrides(root, tree / "modules" / "monitoring", moto.endpoint_url, _collector_layer(moto))
        variables = ["-var", f"package_path={package}", "-var", 'alarm_emails=["ops@shop.example"]']
        deployment = Deployment(root, scratch, config, moto, package, variables, {}, {}, {})
        _ok(deployment.terraform("init", "-input=false", "-backend=false"), "init")
        _ok(deployment.terraform("plan", "-input=false", "-out=tfplan", *variables), "plan")
        deployment.planned = json.loads(
            _ok(deployment.terraform("show", "-json", "tfplan"), "show")
        )
        applying = ("apply", "-input=false", "-auto-approve", "-parallelism=30", "tfplan")
        _ok(deployment.terraform(*applying), "apply")
        deployment.state = json.loads(_ok(deployment.terraform("show", "-json"), "show"))
        raw = json.loads(_ok(deployment.terraform("output", "-json"), "output"))
        deployment.outputs = {name: value["value"] for name, value in raw.items()}
        yield deployment


def test_everything_planned_is_applied(deployed: Deployment) -> None:
    planned = {
        change["address"]
        for change in deployed.planned["resource_changes"]
        if change["mode"] == "managed" and change["change"]["actions"] == ["create"]
    }
    assert planned == set(deployed.resources())
    types = {address.split(".")[-1].split("[")[0] for address in planned}
    assert len(planned) > 40, len(planned)
    for kind in ("aws_kms_key", "aws_sns_topic", "aws_lambda_function", "aws_scheduler_schedule"):
        assert any(kind in address for address in planned), kind
    assert types  # (printable on failure)


def test_a_second_plan_changes_nothing(deployed: Deployment) -> None:
    result = deployed.terraform("plan", "-input=false", "-out=again", *deployed.variables)
    _ok(result, "plan")
    again = json.loads(_ok(deployed.terraform("show", "-json", "again"), "show"))
    changed: dict[str, set[str]] = {}
    for change in again["resource_changes"]:
        if change["change"]["actions"] == ["no-op"]:
            continue
        before = change["change"]["before"] or {}
        after = change["change"]["after"] or {}
        changed[change["address"]] = {
            k for k in set(before) | set(after) if before.get(k) != after.get(k)
        }
    assert changed == MOTO_GAPS, json.dumps({k: sorted(v) for k, v in changed.items()})


def _deployed_alarms(deployed: Deployment) -> dict[str, dict[str, Any]]:
    pages = deployed.client("cloudwatch").get_paginator("describe_alarms").paginate()
    return {a["AlarmName"]: a for page in pages for a in page["MetricAlarms"]}


def test_the_alarms_that_land_are_the_evaluated_definitions(deployed: Deployment) -> None:
    alarms = _deployed_alarms(deployed)
    expected = deployed.outputs["alarm_names"]
    assert set(alarms) == set(expected.values())
    topic = deployed.outputs["topic_arn"]
    definitions = {
        address.split('"')[1]: values
        for address, values in deployed.resources().items()
        if ".aws_cloudwatch_metric_alarm.this[" in address
    }
    for key, name in expected.items():
        alarm, planned = alarms[name], definitions[key]
        assert alarm["AlarmActions"] == alarm["OKActions"] == [topic], name
        assert alarm["ActionsEnabled"] is True
        assert alarm["TreatMissingData"] == planned["treat_missing_data"]
        assert alarm["AlarmDescription"] == planned["alarm_description"]
        assert f"Runbook: {RUNBOOK_URL}#alarm-{key} " in alarm["AlarmDescription"]
        queries = {q["Id"]: q for q in alarm["Metrics"]}
        assert set(queries) == {q["id"] for q in planned["metric_query"]}, name
        for query in planned["metric_query"]:
            landed = queries[query["id"]]
            if query["expression"]:
                assert landed["Expression"] == query["expression"]
                continue
            (metric,) = query["metric"]
            stat = landed["MetricStat"]
            assert stat["Metric"]["Namespace"] == metric["namespace"]
            assert stat["Metric"]["MetricName"] == metric["metric_name"]
            assert stat["Stat"] == metric["stat"]
            assert stat["Period"] == metric["period"]
            dims = {d["Name"]: d["Value"] for d in stat["Metric"].get("Dimensions", [])}
            assert dims == (metric["dimensions"] or {})


def test_the_dashboard_that_lands_is_the_module_body(deployed: Deployment) -> None:
    body = deployed.client("cloudwatch").get_dashboard(DashboardName="naver-sms")["DashboardBody"]
    (dashboard,) = [
        v for a, v in deployed.resources().items() if a.endswith("aws_cloudwatch_dashboard.this")
    ]
    assert json.loads(body) == json.loads(dashboard["dashboard_body"])
    titles = [w["properties"].get("title") for w in json.loads(body)["widgets"]]
    assert "Duration p50 / p99 against the timeout (ms)" in titles


def _policy(deployed: Deployment, role: str) -> list[dict[str, Any]]:
    iam = deployed.client("iam")
    (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    statements = (
        document["Statement"] if isinstance(document, dict) else json.loads(document)["Statement"]
    )
    for statement in statements:
        for key in ("Action", "Resource"):
            if isinstance(statement[key], str):
                statement[key] = [statement[key]]
    return list(statements)


def test_the_rendered_function_policy_allows_exactly_the_code_calls(deployed: Deployment) -> None:
    statements = _policy(deployed, "naver-sms-function")
    allowed = {a for s in statements for a in s["Action"]}
    calls = {c.action for c in aws_calls("naver_sms.app.handler", ROOT / "src")}
    calls.discard("secretsmanager:GetSecretValue")  # NAVER_SMS_SECRETS_SOURCE is ssm
    assert allowed == calls | set(FUNCTION_PLATFORM)
    by_sid = {s["Sid"]: s for s in statements}
    ssm = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter"
    assert sorted(by_sid["KillSwitches"]["Resource"]) == sorted(
        f"{ssm}{config_constants.DEFAULT_SWITCH_PREFIX}{name}"
        for name in ("sms_sending", "telemetry", "comparison")
    )
    assert sorted(by_sid["Secrets"]["Resource"]) == sorted(
        f"{ssm}{config_constants.DEFAULT_SECRETS_SSM_PREFIX}{name}"
        for name in config_constants.SECRET_NAMES
    )
    assert by_sid["OwnerApproval"]["Resource"] == [
        f"{ssm}{config_constants.DEFAULT_APPROVAL_PARAMETER}"
    ]
    assert by_sid["BookingsTable"]["Resource"] == [
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{config_constants.DEFAULT_BOOKINGS_TABLE}"
    ]


def test_the_rendered_forwarder_policy_allows_exactly_the_code_calls(deployed: Deployment) -> None:
    statements = _policy(deployed, "naver-sms-alerts-forwarder")
    allowed = {a for s in statements for a in s["Action"]}
    calls = {c.action for c in aws_calls("naver_sms.alerts.handler", ROOT / "src")}
    assert allowed == calls | set(FORWARDER_PLATFORM)
    (parameters,) = [s for s in statements if s["Sid"] == "AlertParameters"]
    assert sorted(parameters["Resource"]) == sorted(
        f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{name}"
        for name in deployed.outputs["alert_parameter_names"].values()
    )


def test_the_topic_is_encrypted_with_a_key_cloudwatch_may_use(deployed: Deployment) -> None:
    topic = deployed.outputs["topic_arn"]
    attributes = deployed.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    key_arn = attributes["KmsMasterKeyId"]
    kms = deployed.client("kms")
    key = kms.describe_key(KeyId=key_arn)["KeyMetadata"]
    assert key["KeyManager"] == "CUSTOMER"
    assert kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"] is True
    policy = json.loads(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
    (cloudwatch,) = [s for s in policy["Statement"] if s["Sid"] == "CloudWatchAlarmsPublish"]
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    topic_policy = json.loads(attributes["Policy"])
    (publish,) = [s for s in topic_policy["Statement"] if s["Sid"] == "CloudWatchAlarmsPublish"]
    assert (
        publish["Condition"]["ArnLike"]["aws:SourceArn"]
        == f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:*"
    )
    # The function's log group, table and environment use the same key.
    logs = deployed.client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/naver-sms")
    assert {g["logGroupName"]: g.get("kmsKeyId") for g in logs["logGroups"]} == {
        "/aws/lambda/naver-sms": key_arn,
        "/aws/lambda/naver-sms-alerts": key_arn,
    }
    assert {g["logGroupName"]: g["retentionInDays"] for g in logs["logGroups"]} == {
        "/aws/lambda/naver-sms": 90,
        "/aws/lambda/naver-sms-alerts": 90,
    }


def test_the_forwarder_is_subscribed_and_retried(deployed: Deployment) -> None:
    topic = deployed.outputs["topic_arn"]
    subscriptions = deployed.client("sns").list_subscriptions_by_topic(TopicArn=topic)
    protocols = {s["Protocol"]: s["Endpoint"] for s in subscriptions["Subscriptions"]}
    lam = deployed.client("lambda")
    forwarder = lam.get_function(FunctionName="naver-sms-alerts")["Configuration"]
    assert protocols == {"lambda": forwarder["FunctionArn"], "email": "ops@shop.example"}
    assert forwarder["Handler"] == "naver_sms.alerts.handler.lambda_handler"
    assert forwarder["TracingConfig"]["Mode"] == "Active"
    env = forwarder["Environment"]["Variables"]
    assert not set(alerts_env.PARAMETER_NAMES) & set(env)
    invoke = lam.get_function_event_invoke_config(FunctionName="naver-sms-alerts")
    assert invoke["MaximumRetryAttempts"] == 2


def test_the_business_hours_schedules_call_cloudwatch(deployed: Deployment) -> None:
    scheduler = deployed.client("scheduler")
    schedules = {
        name: scheduler.get_schedule(Name=f"naver-sms-bookings-silent-{name}")
        for name in ("reset", "enable", "disable")
    }
    assert {n: s["ScheduleExpression"] for n, s in schedules.items()} == {
        "reset": "cron(55 10 ? * * *)",
        "enable": "cron(0 11 ? * * *)",
        "disable": "cron(0 21 ? * * *)",
    }
    assert {s["ScheduleExpressionTimezone"] for s in schedules.values()} == {"Asia/Seoul"}
    assert (
        schedules["enable"]["Target"]["Arn"]
        == "arn:aws:scheduler:::aws-sdk:cloudwatch:enableAlarmActions"
    )
    assert json.loads(schedules["enable"]["Target"]["Input"]) == {
        "AlarmNames": ["naver-sms-bookings-silent"]
    }


def test_a_deployed_alarm_reaches_slack_and_telegram_with_its_links(
    deployed: Deployment, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """The forwarder's code with the deployed function's environment, its secrets put where
    the module says, fed the SNS message CloudWatch would send for a deployed alarm."""
    lam = deployed.client("lambda")
    env = lam.get_function(FunctionName="naver-sms-alerts")["Configuration"]["Environment"][
        "Variables"
    ]
    with (
        SlackServer(secret="T0/B0/deploy-test") as slack,
        TelegramServer(token="4242:deploytest", chat_id="-100123") as telegram,
    ):
        ssm = deployed.client("ssm")
        values = {
            "SLACK_WEBHOOK_URL": slack.webhook_url,
            "TELEGRAM_BOT_TOKEN": "4242:deploytest",
            "TELEGRAM_CHAT_ID": "-100123",
        }
        for leaf, name in deployed.outputs["alert_parameter_names"].items():
            ssm.put_parameter(Name=name, Value=values[leaf], Type="SecureString", Overwrite=True)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv(alerts_env.TELEGRAM_API_URL, telegram.base_url)
        for name, value in {
            "AWS_ENDPOINT_URL": deployed.moto.endpoint_url,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(alerts_handler, "_destinations", None)
        # The forwarder's boto3 client is cached per process: one for this moto only.
        aws.client.cache_clear()
        request.addfinalizer(aws.client.cache_clear)
        alarm = _deployed_alarms(deployed)["naver-sms-lambda-errors"]
        message = {
            "AlarmName": alarm["AlarmName"],
            "AlarmDescription": alarm["AlarmDescription"],
            "AlarmArn": alarm["AlarmArn"],
            "NewStateValue": "ALARM",
            "OldStateValue": "OK",
            "NewStateReason": "Threshold Crossed: 1 datapoint [1.0] was greater than 0.0",
            "StateChangeTime": "2026-11-27T08:00:00.000+0000",
        }
        event = {
            "Records": [
                {"Sns": {"TopicArn": deployed.outputs["topic_arn"], "Message": json.dumps(message)}}
            ]
        }
        assert alerts_handler.lambda_handler(event, None)["forwarded"] == 1
        runbook = f"{RUNBOOK_URL}#alarm-lambda-errors"
        assert runbook in json.dumps(slack.messages[0].blocks)
        assert deployed.outputs["dashboard_url"] in json.dumps(slack.messages[0].blocks)
        assert f'href="{runbook}"' in telegram.messages[0].text


def test_nothing_of_the_deployment_lands_in_the_repository(deployed: Deployment) -> None:
    """The deployment ran in a copy: no state, lock file or .terraform in infrastructure/."""
    assert deployed.root != COMPLETE_EXAMPLE
    assert not list(TERRAFORM_DIR.rglob("*.tfstate"))
    assert not list(TERRAFORM_DIR.rglob(".terraform.lock.hcl"))
    assert not list(TERRAFORM_DIR.rglob(".terraform"))
