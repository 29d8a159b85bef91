"""Static checks of infrastructure/: terraform fmt, tflint and checkov, offline.

`terraform validate`, `plan` and an `apply` against moto run in test_terraform_deploy.py, with
the AWS provider from the machine image's mirror (no Terraform registry is reachable).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from support.terraform import (
    EXAMPLES,
    MODULES,
    ROOT,
    TERRAFORM_DIR,
    TFLINT_CONFIG,
    checkov_binary,
    parse_hcl,
    run_terraform,
    tflint_binary,
)

pytestmark = pytest.mark.iac

SKIP_COMMENT = re.compile(r"#checkov:skip=(?P<id>[A-Z0-9_]+):(?P<reason>.*)")


def test_terraform_fmt_is_clean(tmp_path: Path) -> None:
    result = run_terraform(
        ["fmt", "-check", "-recursive", "-diff", str(ROOT / "infrastructure")], ROOT, tmp_path
    )
    assert result.returncode == 0, (
        f"run `terraform fmt -recursive infrastructure/`:\n{result.stdout}"
    )


def test_terraform_fmt_check_catches_misformatting(tmp_path: Path) -> None:
    (tmp_path / "bad.tf").write_text('locals {\nx="y"\n}\n', encoding="utf-8")
    result = run_terraform(["fmt", "-check", str(tmp_path)], tmp_path, tmp_path)
    assert result.returncode != 0
    assert "bad.tf" in result.stdout


def _checkov(directory: Path) -> dict[str, Any]:
    env = dict(os.environ)
    # Offline: no guideline download from the vendor's API, no external checks.
    env.update({"BC_SKIP_MAPPING": "TRUE", "CKV_NO_COLOR": "1"})
    result = subprocess.run(
        [
            str(checkov_binary()),
            "--directory",
            str(directory),
            "--framework",
            "terraform",
            "--skip-download",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    # Exit 1 means failed checks; anything else but 0 is checkov itself failing.
    assert result.returncode in (0, 1), result.stderr[-3000:]
    report = json.loads(result.stdout)
    if isinstance(report, list):  # one entry per framework when several ran
        (report,) = [r for r in report if r.get("check_type") == "terraform"]
    assert report["check_type"] == "terraform"
    return dict(report["results"])


def _keyed(checks: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(c["check_id"], c["resource"]) for c in checks}


@pytest.fixture(scope="module")
def checkov_results() -> dict[str, Any]:
    return _checkov(TERRAFORM_DIR)


def test_checkov_passes(checkov_results: dict[str, Any]) -> None:
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']}:{c['file_line_range']}): "
        f"{c['check_name']}"
        for c in checkov_results["failed_checks"]
    ]
    assert not failed, "\n".join(failed)
    # It really scanned the modules (an empty scan passes too).
    scanned = {c["resource"].split(".")[-2] for c in checkov_results["passed_checks"]} | {
        c["resource"].split(".")[-2].split("[")[0] for c in checkov_results["skipped_checks"]
    }
    for resource_type in (
        "aws_lambda_function",
        "aws_dynamodb_table",
        "aws_iam_policy_document",
        "aws_cloudwatch_log_group",
        "aws_ssm_parameter",
        "aws_cloudwatch_metric_alarm",
        "aws_kms_key",
        "aws_sns_topic",
        "aws_sqs_queue",
        "aws_scheduler_schedule",
    ):
        assert resource_type in scanned, f"checkov did not check any {resource_type}"


def test_every_skip_states_its_reason(checkov_results: dict[str, Any]) -> None:
    comments = [
        (path, match)
        for path in sorted(TERRAFORM_DIR.rglob("*.tf"))
        for match in SKIP_COMMENT.finditer(path.read_text(encoding="utf-8"))
    ]
    assert comments
    for path, match in comments:
        assert len(match["reason"].strip()) >= 30, f"{path}: {match['id']} needs a real reason"
    suppressed = {c["check_id"] for c in checkov_results["skipped_checks"]}
    assert suppressed == {match["id"] for _, match in comments}


def test_every_skip_is_needed(checkov_results: dict[str, Any], tmp_path: Path) -> None:
    """Without the skip comments exactly the skipped checks fail: no stale or blanket skip."""
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM_DIR, copy, ignore=shutil.ignore_patterns(".terraform"))
    for path in copy.rglob("*.tf"):
        text = path.read_text(encoding="utf-8")
        path.write_text(
            "\n".join(line for line in text.splitlines() if "#checkov:skip" not in line) + "\n",
            encoding="utf-8",
        )
    unskipped = _checkov(copy)
    assert _keyed(unskipped["failed_checks"]) == _keyed(checkov_results["skipped_checks"])


def _declared(module: Path, kind: str) -> dict[str, dict[str, Any]]:
    parsed = parse_hcl(module / f"{kind}s.tf")
    return {name: body for entry in parsed[kind] for name, body in entry.items()}


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_variables_are_typed_described_and_validated(module: Path) -> None:
    for name, body in _declared(module, "variable").items():
        assert body.get("type"), f"{module.name}: variable {name} has no type"
        assert len(body.get("description", "")) >= 15, f"{module.name}: describe {name}"
        unconstrained = body["type"].removeprefix("${").removesuffix("}") in ("bool", "map(string)")
        assert unconstrained or body.get("validation"), f"{module.name}: validate {name}"
    for name, body in _declared(module, "output").items():
        assert body.get("description"), f"{module.name}: output {name} has no description"


@pytest.mark.parametrize("module", [*MODULES, *EXAMPLES], ids=lambda m: m.name)
def test_module_readme_lists_every_input_and_output(module: Path) -> None:
    readme = (module / "README.md").read_text(encoding="utf-8")
    for kind in ("variable", "output"):
        missing = [n for n in _declared(module, kind) if f"`{n}`" not in readme]
        assert not missing, f"{module.name}/README.md lacks {kind}s {missing}"


def _tflint(directory: Path) -> dict[str, Any]:
    result = subprocess.run(
        [
            str(tflint_binary()),
            f"--chdir={directory}",
            f"--config={TFLINT_CONFIG}",
            "--format=json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # 0: clean, 2: issues found; anything else is tflint failing.
    assert result.returncode in (0, 2), result.stderr[-3000:]
    report: dict[str, Any] = json.loads(result.stdout)
    assert not report["errors"], report["errors"]
    return report


@pytest.mark.parametrize("directory", [*MODULES, *EXAMPLES], ids=lambda d: d.name)
def test_tflint_finds_nothing(directory: Path) -> None:
    issues = [
        f"{i['rule']['name']} {i['range']['filename']}:{i['range']['start']['line']}: "
        f"{i['message']}"
        for i in _tflint(directory)["issues"]
    ]
    assert not issues, "\n".join(issues)


def test_tflint_runs_the_whole_terraform_ruleset(tmp_path: Path) -> None:
    """A module with the usual mistakes: each rule the configuration enables reports its own."""
    (tmp_path / "main.tf").write_text(
        'variable "unused" {}\nlocals {\n  camelCase = 1\n}\n'
        'output "x" {\n  value = local.camelCase\n}\n',
        encoding="utf-8",
    )
    rules = {i["rule"]["name"] for i in _tflint(tmp_path)["issues"]}
    assert {
        "terraform_unused_declarations",
        "terraform_documented_variables",
        "terraform_documented_outputs",
        "terraform_typed_variables",
        "terraform_naming_convention",
        "terraform_required_version",
        "terraform_standard_module_structure",
    } <= rules, rules
