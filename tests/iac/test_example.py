"""examples/complete wires both modules: the monitoring watches the function it deploys."""

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


def test_the_example_wires_monitoring_to_the_function() -> None:
    parsed = parse_hcl(COMPLETE_EXAMPLE / "main.tf")
    by_name = {name: body for entry in parsed["module"] for name, body in entry.items()}
    assert set(by_name) == {"function", "monitoring"}
    assert by_name["function"]["source"] == "../../modules/function"
    assert by_name["monitoring"]["source"] == "../../modules/monitoring"
    assert by_name["monitoring"]["function_name"] == "${module.function.function_name}"
    assert by_name["function"]["aws_region"] == by_name["monitoring"]["aws_region"]
    assert by_name["function"]["sms_sending_enabled"] is False  # dry run until approved


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
    variables = {"aws_region": "ap-northeast-2", "package_path": "build/x.zip", **chosen}
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
