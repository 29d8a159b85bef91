"""The values Terraform itself computes for a module, offline, with the real terraform binary.

No registry is reachable, so a module's resources cannot be planned; but each module keeps its
pure values (``variable`` and ``locals`` blocks that reference only ``var.*`` and ``local.*``)
in files of their own. :func:`evaluate` copies those files into a scratch root, adds one output
per expression asked for, applies it (no provider, no resources, local state) and returns
Terraform's values: the alarms simulated and the dashboard drawn are exactly the ones deployed.

(tests/support/terraform.py does the same for the IaC tests; this is the runtime-side copy for
the ops commands, which must not import tests.)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

REPO: Final = Path(__file__).resolve().parents[3]
TERRAFORM_DIR: Final = REPO / "infrastructure" / "terraform"
MONITORING_MODULE: Final = TERRAFORM_DIR / "modules" / "monitoring"
PURE_BLOCKS: Final = frozenset({"variable", "locals"})
TIMEOUT_S: Final = 180

_cache: dict[str, dict[str, Any]] = {}


class TerraformError(RuntimeError):
    """Terraform is missing, or refused the module's values; the message says which and why."""


def terraform_binary() -> str:
    found = shutil.which("terraform")
    if found is None:
        raise TerraformError(
            "terraform is not on PATH: the alarms and the dashboard are read from the Terraform "
            "module with the terraform CLI (offline, no provider needed)"
        )
    return found


def _blocks(path: Path) -> set[str]:
    """The top-level block types of a .tf or .tf.json file."""
    if path.name.endswith(".tf.json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise TerraformError(f"{path}: not readable JSON ({exc})") from None
        return (
            {key for key in data if not key.startswith("//")} if isinstance(data, dict) else set()
        )
    return set(_parsed(path)) - {"variable_names"}


def declared_variables(module: Path) -> set[str]:
    """The names of the module's input variables."""
    names: set[str] = set()
    for path in sorted(module.glob("*.tf")):
        if "variable" in _blocks(path):
            names |= set(_parsed(path).get("variable_names", ()))
    return names


def _parsed(path: Path) -> dict[str, Any]:
    import hcl2  # noqa: PLC0415 - the ops extra
    from hcl2.utils import SerializationOptions  # noqa: PLC0415

    options = SerializationOptions(with_comments=False, explicit_blocks=False)
    try:
        with path.open(encoding="utf-8") as handle:
            parsed: dict[str, Any] = hcl2.load(handle, serialization_options=options)
    except Exception as exc:  # python-hcl2 raises lark errors of many kinds
        raise TerraformError(f"{path}: cannot parse HCL ({exc})") from None
    names = [name.strip('"') for entry in parsed.get("variable", []) for name in entry]
    return {**parsed, "variable_names": names}


def pure_files(module: Path) -> list[Path]:
    """The module's files holding only variables and locals (what can be evaluated offline)."""
    if not module.is_dir():
        raise TerraformError(f"{module}: not a Terraform module directory")
    files = sorted([*module.glob("*.tf"), *module.glob("*.tf.json")])
    pure = [path for path in files if _blocks(path) and _blocks(path) <= PURE_BLOCKS]
    if not pure:
        raise TerraformError(f"{module}: no file with only variables and locals")
    return pure


def _env(scratch: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TF_CLI_CONFIG_FILE": os.devnull,  # no user config, no provider installation
            "TF_DATA_DIR": str(scratch / ".terraform"),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            "NO_COLOR": "1",
        }
    )
    return env


def _run(args: list[str], root: Path, scratch: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [terraform_binary(), *args, "-no-color"],
            cwd=root,
            env=_env(scratch),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TerraformError(f"terraform {args[0]} took more than {TIMEOUT_S}s") from None


def evaluate(
    module: Path, outputs: Mapping[str, str], variables: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Terraform's values of `outputs` (name -> expression) for the module's pure files."""
    sources = {p.name: p.read_text(encoding="utf-8") for p in pure_files(module)}
    return evaluate_sources(sources, outputs, variables, str(module))


def evaluate_sources(
    sources: Mapping[str, str],
    outputs: Mapping[str, str],
    variables: Mapping[str, Any] | None = None,
    label: str = "module",
) -> dict[str, Any]:
    """Terraform's values of `outputs` for a root made of `sources` (file name -> text)."""
    variables = dict(variables or {})
    key = hashlib.sha256(
        json.dumps(
            [sorted(sources.items()), sorted(outputs.items()), sorted(variables.items())],
            default=str,
        ).encode()
    ).hexdigest()
    if key in _cache:
        return _copy(_cache[key])
    with tempfile.TemporaryDirectory(prefix="naver-sms-terraform-") as tmp:
        scratch = Path(tmp)
        root = scratch / "root"
        root.mkdir()
        for name, text in sources.items():
            (root / name).write_text(text, encoding="utf-8")
        shim = "".join(
            f'output "{name}" {{\n  value     = {expression}\n  sensitive = true\n}}\n'
            for name, expression in outputs.items()
        )
        (root / "zz_ops_outputs.tf").write_text(shim, encoding="utf-8")
        (root / "terraform.tfvars.json").write_text(json.dumps(variables), encoding="utf-8")
        for step in (
            ["init", "-input=false", "-backend=false"],
            ["apply", "-auto-approve", "-input=false"],
        ):
            done = _run(step, root, scratch)
            if done.returncode != 0:
                detail = (done.stderr or done.stdout).strip()
                raise TerraformError(f"terraform {step[0]} failed for {label}:\n{detail}")
        shown = _run(["output", "-json"], root, scratch)
        if shown.returncode != 0:
            raise TerraformError(f"terraform output failed for {label}:\n{shown.stderr.strip()}")
        values = {name: value["value"] for name, value in json.loads(shown.stdout).items()}
    _cache[key] = values
    return _copy(values)


def variable_block(module: Path, name: str) -> str:
    """The text of ``variable "name" { ... }`` in the module (validations included)."""
    opening = re.compile(rf'^variable\s+"{re.escape(name)}"\s*\{{', re.MULTILINE)
    for path in sorted(module.glob("*.tf")):
        text = path.read_text(encoding="utf-8")
        match = opening.search(text)
        if match is None:
            continue
        end = _closing_brace(text, match.end() - 1)
        if end is None:
            raise TerraformError(f"{path}: variable {name!r} block is not closed")
        return text[match.start() : end + 1]
    raise TerraformError(f"{module}: no variable {name!r}")


def _closing_brace(text: str, start: int) -> int | None:
    """The index of the brace closing the one at `start` (strings and heredocs skipped)."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == '"':
            index += 1
            while index < len(text) and text[index] != '"':
                index += 2 if text[index] == "\\" else 1
        elif text.startswith("<<", index):
            heredoc = re.match(r"<<-?([A-Za-z_]+)\n", text[index:])
            if heredoc:
                closing = re.compile(rf"^\s*{heredoc.group(1)}\s*$", re.MULTILINE)
                found = closing.search(text, index + heredoc.end())
                index = found.end() if found else len(text)
                continue
        elif char == "#" or text.startswith("//", index):
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
            continue
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def _copy(values: dict[str, Any]) -> dict[str, Any]:
    """A deep copy (callers may change what they get)."""
    copied: dict[str, Any] = json.loads(json.dumps(values))
    return copied
