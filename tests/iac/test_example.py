"""examples/complete wires the three modules: the monitoring watches the function it deploys
and notifies the notifications module's topic; the function uses that module's key."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.terraform import (
    COMPLETE_EXAMPLE,
    FUNCTION_MODULE,
    FUNCTION_PURE_FILES,
    ROOT,
    evaluate,
    parse_hcl,
)

pytestmark = pytest.mark.iac


def test_the_example_wires_the_three_modules() -> None:
    parsed = parse_hcl(COMPLETE_EXAMPLE / "main.tf")
    by_name = {name: body for entry in parsed["module"] for name, body in entry.items()}
    assert set(by_name) == {"function", "monitoring", "notifications"}
    for name, body in by_name.items():
        assert body["source"] == f"../../modules/{name}"
        assert body["aws_region"] == "${var.aws_region}"
        assert body["name"] == "${local.name}"
    function, monitoring, notifications = (
        by_name["function"],
        by_name["monitoring"],
        by_name["notifications"],
    )
    assert monitoring["function_name"] == "${module.function.function_name}"
    assert monitoring["function_timeout_seconds"] == "${module.function.timeout}"
    assert monitoring["table_name"] == "${module.function.bookings_table_name}"
    assert monitoring["log_group_names"] == ["${module.function.log_group_name}"]
    assert monitoring["alarm_topic_arn"] == "${module.notifications.topic_arn}"
    assert function["kms_key_arn"] == "${module.notifications.kms_key_arn}"
    assert notifications["package_path"] == function["package_path"] == "${var.package_path}"
    assert notifications["dashboard_name"] == "${local.name}"
    assert notifications["runbook_url"] == monitoring["runbook_url"] == "${var.runbook_url}"
    assert function["sms_sending_enabled"] is False  # dry run until approved


def test_the_readme_shows_init_plan_apply_and_the_variables() -> None:
    readme = (COMPLETE_EXAMPLE / "README.md").read_text(encoding="utf-8")
    for command in ("terraform init", "terraform plan", "terraform apply"):
        assert command in readme, command
    for variable in ("alarm_emails", "runbook_url", "business_hours"):
        assert f"{variable} " in readme or f"{variable}=" in readme, variable
    assert "aws ssm put-parameter --type SecureString" in readme


def test_the_default_package_path_is_where_make_lambda_package_writes() -> None:
    variables = parse_hcl(COMPLETE_EXAMPLE / "variables.tf")
    (package,) = [e["package_path"] for e in variables["variable"] if "package_path" in e]
    # Terraform resolves the path from the example's directory.
    resolved = (COMPLETE_EXAMPLE / package["default"]).resolve()
    makefile = (ROOT / "infrastructure/iac.mk").read_text(encoding="utf-8")
    assert resolved == ROOT / "build/naver-sms-lambda.zip"
    assert "--out build/naver-sms-lambda.zip" in makefile


def test_the_example_names_the_telemetry_mode_and_the_module_accepts_it(tmp_path: Path) -> None:
    parsed = parse_hcl(COMPLETE_EXAMPLE / "main.tf")
    (function,) = [e["function"] for e in parsed["module"] if "function" in e]
    chosen = {name: function[name] for name in ("traces_exporter", "metrics_exporter")}
    variables = {
        "aws_region": "ap-northeast-2",
        "package_path": "build/x.zip",
        "kms_key_arn": "arn:aws:kms:ap-northeast-2:123456789012:key/k",
        **chosen,
    }
    values = evaluate(
        FUNCTION_MODULE,
        FUNCTION_PURE_FILES,
        variables,
        {"environment": "local.environment"},
        tmp_path,
    )
    env = values["environment"]
    assert (env["OTEL_TRACES_EXPORTER"], env["OTEL_METRICS_EXPORTER"]) == (
        chosen["traces_exporter"],
        chosen["metrics_exporter"],
    )
