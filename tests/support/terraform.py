"""Running the real Terraform binary offline, tflint, and reading .tf files with python-hcl2.

No Terraform registry is reachable here. Two things run anyway:

- Terraform itself on configuration that needs no provider: each module keeps its pure values
  (variables and locals that reference only var.* and local.*) in separate files, and
  :func:`evaluate` copies those into a scratch root, applies it (no resources, local state) and
  returns the outputs. So the values checked are the values Terraform computes.
- Terraform with the AWS provider from the machine image's filesystem mirror
  (``TF_PROVIDER_MIRROR``, /opt/tf-plugins): :func:`mirror_cli_config` makes `terraform init`
  install it from there, offline, for `validate`, `plan` and an `apply` against moto.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hcl2.utils import SerializationOptions

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = ROOT / "infrastructure" / "terraform"
FUNCTION_MODULE = TERRAFORM_DIR / "modules" / "function"
MONITORING_MODULE = TERRAFORM_DIR / "modules" / "monitoring"
NOTIFICATIONS_MODULE = TERRAFORM_DIR / "modules" / "notifications"
MODULES = (FUNCTION_MODULE, MONITORING_MODULE, NOTIFICATIONS_MODULE)
COMPLETE_EXAMPLE = TERRAFORM_DIR / "examples" / "complete"
EXAMPLES = (COMPLETE_EXAMPLE,)
CHECKOV = ROOT / ".venv-iac" / "bin" / "checkov"
TFLINT = ROOT / "infrastructure" / "tools" / "tflint" / "_build" / "bin" / "tflint"
TFLINT_CONFIG = TERRAFORM_DIR / ".tflint.hcl"
PROVIDER_MIRROR = Path(os.environ.get("TF_PROVIDER_MIRROR", "/opt/tf-plugins"))
RUNBOOK = ROOT / "docs" / "ops" / "runbook.md"

# The files of each module that hold its pure values (see the module READMEs).
FUNCTION_PURE_FILES = ("variables.tf", "locals.tf")
MONITORING_PURE_FILES = ("variables.tf", "catalog.tf.json", "queries.tf.json", "signals.tf")
NOTIFICATIONS_PURE_FILES = ("variables.tf", "locals.tf", "signals.tf")


def terraform_binary() -> str:
    """The terraform on PATH; a missing binary fails the test, naming what to install."""
    found = shutil.which("terraform")
    if found is None:
        pytest.fail(
            "terraform is not on PATH: tests/iac need the Terraform CLI (it is part of the "
            "machine image at /usr/local/bin/terraform; `make iac-tools` checks for it)"
        )
    return found


def checkov_binary() -> Path:
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV} is missing: run `make iac-tools` (checkov's own venv)")
    return CHECKOV


def tflint_binary() -> Path:
    if not TFLINT.exists():
        pytest.fail(f"{TFLINT} is missing: run `make iac-tools` (builds tflint from the Go proxy)")
    return TFLINT


def provider_mirror() -> Path:
    """The AWS provider's filesystem mirror; missing fails the test, naming it."""
    if not list(
        PROVIDER_MIRROR.glob("registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws_*")
    ):
        pytest.fail(
            f"no AWS provider under TF_PROVIDER_MIRROR={PROVIDER_MIRROR} "
            "(registry.terraform.io/hashicorp/aws/<version>/<os_arch>/): it is part of the "
            "machine image; `make iac-tools` checks for it"
        )
    return PROVIDER_MIRROR


def mirror_cli_config(scratch: Path) -> Path:
    """A CLI configuration that installs hashicorp/aws from the mirror and nothing from the
    network (Terraform links the mirror's unpacked provider instead of copying 700 MB)."""
    path = scratch / "terraform.rc"
    path.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{provider_mirror()}"\n'
        '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n'
        "}\n",
        encoding="utf-8",
    )
    return path


def copy_terraform_tree(scratch: Path) -> Path:
    """infrastructure/terraform copied to `scratch` (the examples reach the modules by
    relative path), without any .terraform directory or state."""
    copy = scratch / "terraform"
    shutil.copytree(
        TERRAFORM_DIR,
        copy,
        ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"),
    )
    return copy


def terraform_env(scratch: Path, cli_config: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            # No user config; no provider installation except the mirror when given.
            "TF_CLI_CONFIG_FILE": str(cli_config) if cli_config else os.devnull,
            "TF_DATA_DIR": str(scratch / ".terraform"),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",  # no version check call home
            "NO_COLOR": "1",
        }
    )
    return env


def run_terraform(
    args: list[str],
    cwd: Path,
    scratch: Path,
    *,
    cli_config: Path | None = None,
    timeout: float = 120,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = terraform_env(scratch, cli_config)
    env.update(extra_env or {})
    return subprocess.run(
        [terraform_binary(), *args, "-no-color"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _prepare(
    module: Path,
    files: tuple[str, ...],
    variables: dict[str, Any],
    outputs: dict[str, str],
    scratch: Path,
) -> Path:
    root = scratch / "root"
    root.mkdir(parents=True)
    for name in files:
        shutil.copy(module / name, root / name)
    shim = "".join(
        f'output "{name}" {{\n  value     = {expression}\n  sensitive = true\n}}\n'
        for name, expression in outputs.items()
    )
    (root / "zz_evaluate_outputs.tf").write_text(shim, encoding="utf-8")
    (root / "terraform.tfvars.json").write_text(json.dumps(variables), encoding="utf-8")
    init = run_terraform(["init", "-input=false", "-backend=false"], root, scratch)
    if init.returncode != 0:
        raise AssertionError(f"terraform init failed in {root}:\n{init.stdout}\n{init.stderr}")
    return root


def evaluate(
    module: Path,
    files: tuple[str, ...],
    variables: dict[str, Any],
    outputs: dict[str, str],
    scratch: Path,
) -> dict[str, Any]:
    """Terraform's own values of `outputs` (name -> expression) for the module's pure files."""
    root = _prepare(module, files, variables, outputs, scratch)
    applied = run_terraform(["apply", "-auto-approve", "-input=false"], root, scratch)
    if applied.returncode != 0:
        raise AssertionError(f"terraform apply failed:\n{applied.stdout}\n{applied.stderr}")
    shown = run_terraform(["output", "-json"], root, scratch)
    if shown.returncode != 0:
        raise AssertionError(f"terraform output failed:\n{shown.stderr}")
    return {name: value["value"] for name, value in json.loads(shown.stdout).items()}


def evaluation_error(
    module: Path,
    files: tuple[str, ...],
    variables: dict[str, Any],
    scratch: Path,
) -> str:
    """The error Terraform reports for these variables (a failing validation); fails if none."""
    root = _prepare(module, files, variables, {}, scratch)
    planned = run_terraform(["plan", "-input=false"], root, scratch)
    if planned.returncode == 0:
        raise AssertionError(f"terraform accepted {variables}")
    return planned.stderr


def parse_hcl(path: Path) -> dict[str, Any]:
    """A .tf file as python-hcl2 sees it: string literals unquoted, expressions as `${...}`."""
    options = SerializationOptions(
        with_comments=False, explicit_blocks=False, strip_string_quotes=True
    )
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle, serialization_options=options)


def blocks(parsed: dict[str, Any], kind: str, type_name: str) -> dict[str, dict[str, Any]]:
    """Labelled blocks of one type, e.g. blocks(main, "resource", "aws_lambda_function")."""
    found: dict[str, dict[str, Any]] = {}
    for entry in parsed.get(kind, []):
        for type_label, by_name in entry.items():
            if type_label.strip('"') != type_name:
                continue
            for name, body in by_name.items():
                found[name.strip('"')] = body
    return found


def module_blocks(module: Path, kind: str, type_name: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(module.glob("*.tf")):
        found.update(blocks(parse_hcl(path), kind, type_name))
    return found
