"""The retention in force comes from Terraform (the modules and examples/complete), not from a
hand-written number: change the Terraform and the evidence changes; break its validation and
the evidence says so."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from naver_sms.ops.retention import retention_in_force
from naver_sms.ops.terraform_values import TERRAFORM_DIR, TerraformError


@pytest.fixture
def terraform(tmp_path: Path) -> Path:
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM_DIR, copy, ignore=shutil.ignore_patterns(".terraform*"))
    return copy


def function_group(found: list) -> object:  # type: ignore[type-arg]
    return next(r for r in found if r.module == "function")


def test_the_function_log_group_keeps_at_least_seven_days() -> None:
    found = retention_in_force()
    group = function_group(found)
    assert group.log_group == "/aws/lambda/naver-sms"  # type: ignore[attr-defined]
    assert group.sufficient  # type: ignore[attr-defined]
    assert all(r.sufficient for r in found)


def test_a_changed_default_and_an_example_setting_are_what_the_evidence_reports(
    terraform: Path,
) -> None:
    variables = terraform / "modules" / "function" / "variables.tf"
    text = variables.read_text(encoding="utf-8")
    block = re.search(r'variable "log_retention_days" \{.*?\n\}', text, re.DOTALL)
    assert block is not None
    changed = re.sub(r"default\s*=\s*\d+", "default     = 14", block.group(0), count=1)
    variables.write_text(text.replace(block.group(0), changed), encoding="utf-8")
    group = function_group(retention_in_force(terraform))
    assert group.days == 14  # type: ignore[attr-defined]
    assert "module default" in group.source  # type: ignore[attr-defined]

    example = terraform / "examples" / "complete" / "main.tf"
    source = example.read_text(encoding="utf-8")
    wired = source.replace(
        'source = "../../modules/function"\n',
        'source = "../../modules/function"\n  log_retention_days = 30\n',
        1,
    )
    assert wired != source
    example.write_text(wired, encoding="utf-8")
    group = function_group(retention_in_force(terraform))
    assert group.days == 30  # type: ignore[attr-defined]
    assert "examples/complete module.function" in group.source  # type: ignore[attr-defined]


def test_a_retention_terraform_refuses_is_an_error(terraform: Path) -> None:
    example = terraform / "examples" / "complete" / "main.tf"
    source = example.read_text(encoding="utf-8")
    example.write_text(
        source.replace(
            'source = "../../modules/function"\n',
            'source = "../../modules/function"\n  log_retention_days = 3\n',
            1,
        ),
        encoding="utf-8",
    )
    with pytest.raises(TerraformError, match="log_retention_days"):
        retention_in_force(terraform)
