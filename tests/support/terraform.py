"""Running the real Terraform binary offline, and reading .tf files with python-hcl2.

No Terraform registry is reachable here, so `terraform init` cannot install the AWS provider and
`terraform validate`/`plan` cannot run on the modules. What *can* run offline is Terraform
itself on configuration that needs no provider: each module keeps its pure values (variables
and locals that reference only var.* and local.*) in separate files, and :func:`evaluate` copies
those into a scratch root, applies it (no resources, local state) and returns the outputs. So
the values checked below are the values Terraform computes, not a re-implementation.
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
COMPLETE_EXAMPLE = TERRAFORM_DIR / "examples" / "complete"
CHECKOV = ROOT / ".venv-iac" / "bin" / "checkov"

# The files of each module that hold its pure values (see the module READMEs).
FUNCTION_PURE_FILES = ("variables.tf", "locals.tf")
MONITORING_PURE_FILES = ("variables.tf", "catalog.tf.json", "signals.tf")


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


def terraform_env(scratch: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TF_CLI_CONFIG_FILE": os.devnull,  # no user config, no provider installation methods
            "TF_DATA_DIR": str(scratch / ".terraform"),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",  # no version check call home
            "NO_COLOR": "1",
        }
    )
    return env


def run_terraform(args: list[str], cwd: Path, scratch: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [terraform_binary(), *args, "-no-color"],
        cwd=cwd,
        env=terraform_env(scratch),
        capture_output=True,
        text=True,
        timeout=120,
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
