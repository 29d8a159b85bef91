"""The log retention in force, as Terraform computes it for the deployed example.

Every ``aws_cloudwatch_log_group`` of the modules is found (python-hcl2), and its ``name`` and
``retention_in_days`` are evaluated by Terraform itself with the inputs ``examples/complete``
gives that module (its literal arguments, and its variables' defaults for ``var.*`` arguments);
an input the example does not set keeps the module's default, validations included. Nothing here
is written by hand: change the variable and the evidence changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from naver_sms.ops.terraform_values import (
    TERRAFORM_DIR,
    TerraformError,
    evaluate,
    evaluate_sources,
    variable_block,
)

REQUIRED_DAYS: Final = 7
_VAR: Final = re.compile(r"^\$\{var\.([A-Za-z_][A-Za-z0-9_]*)\}$")


@dataclass(frozen=True)
class Retention:
    module: str
    resource: str
    log_group: str
    days: int | None
    """None: never expire (CloudWatch's default without a retention)."""
    source: str
    """How the value was set: the expression and where its input came from."""

    @property
    def sufficient(self) -> bool:
        return self.days is None or self.days >= REQUIRED_DAYS


def _load(path: Path) -> dict[str, Any]:
    import hcl2  # noqa: PLC0415 - the ops extra
    from hcl2.utils import SerializationOptions  # noqa: PLC0415

    options = SerializationOptions(
        with_comments=False, explicit_blocks=False, strip_string_quotes=True
    )
    try:
        with path.open(encoding="utf-8") as handle:
            parsed: dict[str, Any] = hcl2.load(handle, serialization_options=options)
    except Exception as exc:  # python-hcl2 raises lark errors of many kinds
        raise TerraformError(f"{path}: cannot parse HCL ({exc})") from None
    return parsed


def _blocks(parsed: Mapping[str, Any], kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(type, name, body) of every block of `kind` (resource or module)."""
    found = []
    for entry in parsed.get(kind, []):
        for type_or_name, bodies in entry.items():
            if kind == "module":
                found.append(("module", type_or_name.strip('"'), bodies))
                continue
            for name, body in bodies.items():
                found.append((type_or_name.strip('"'), name.strip('"'), body))
    return found


def _example_inputs(module_dir: Path, example: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """What `example` (examples/complete) passes to `module_dir`: values, and where from."""
    if not example.is_dir():
        return {}, {}
    defaults: dict[str, Any] = {}
    for path in sorted(example.glob("*.tf")):
        for entry in _load(path).get("variable", []):
            for name, body in entry.items():
                if "default" in body:
                    defaults[name.strip('"')] = body["default"]
    inputs: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for path in sorted(example.glob("*.tf")):
        for _, name, body in _blocks(_load(path), "module"):
            source = str(body.get("source", ""))
            if (example / source).resolve() != module_dir.resolve():
                continue
            for key, value in body.items():
                if key == "source":
                    continue
                if isinstance(value, str) and (match := _VAR.match(value)):
                    if match.group(1) in defaults:
                        inputs[key] = defaults[match.group(1)]
                        origins[key] = f"examples/complete var.{match.group(1)} default"
                elif not (isinstance(value, str) and "${" in value):
                    inputs[key] = value
                    origins[key] = f"examples/complete module.{name}"
    return inputs, origins


def _expression(raw: Any) -> str:
    """A block argument as python-hcl2 gives it, as a Terraform expression (a template)."""
    text = str(raw)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\\${", "${") + '"'


def _evaluate_expression(
    module_dir: Path, raw: Any, inputs: Mapping[str, Any], variables: set[str]
) -> Any:
    """One argument of a block, as Terraform evaluates it with the example's inputs.

    An expression of variables only is evaluated in a root holding just those variable blocks
    (their defaults and validations apply, nothing else is needed); one that reads locals
    needs the module's pure files and every input they take.
    """
    text = str(raw)
    used = set(re.findall(r"\bvar\.([A-Za-z_][A-Za-z0-9_]*)", text))
    if "local." in text:
        known = {k: v for k, v in inputs.items() if k in variables}
        return evaluate(module_dir, {"value": _expression(raw)}, known)["value"]
    blocks = "\n".join(variable_block(module_dir, name) for name in sorted(used))
    known = {k: v for k, v in inputs.items() if k in used}
    values = evaluate_sources(
        {"variables.tf": blocks}, {"value": _expression(raw)}, known, str(module_dir)
    )
    return values["value"]


def retention_in_force(terraform_dir: Path = TERRAFORM_DIR) -> list[Retention]:
    """Every log group's retention, as Terraform computes it for the complete example."""
    found: list[Retention] = []
    for module_dir in sorted(p for p in (terraform_dir / "modules").iterdir() if p.is_dir()):
        groups = [
            (name, body)
            for path in sorted(module_dir.glob("*.tf"))
            for kind, name, body in _blocks(_load(path), "resource")
            if kind == "aws_cloudwatch_log_group"
        ]
        if not groups:
            continue
        inputs, origins = _example_inputs(module_dir, terraform_dir / "examples" / "complete")
        variables = _variables_of(module_dir)
        for name, body in groups:
            raw = body.get("retention_in_days")
            days = None if raw is None else _evaluate_expression(module_dir, raw, inputs, variables)
            try:
                log_group = str(
                    _evaluate_expression(module_dir, body.get("name", ""), inputs, variables)
                )
            except TerraformError:
                expression = str(body.get("name", "")).replace("${", "").replace("}", "")
                log_group = f"{expression} (not evaluable offline)"
            used = _VAR.match(str(raw)) if raw is not None else None
            if raw is None:
                source = "no retention_in_days: never expire"
            elif used and used.group(1) in origins:
                source = f"{raw} = {days} ({origins[used.group(1)]})"
            elif used:
                source = f"{raw} = {days} (module default; examples/complete does not set it)"
            else:
                source = f"{raw} = {days}"
            found.append(
                Retention(
                    module=module_dir.name,
                    resource=f"aws_cloudwatch_log_group.{name}",
                    log_group=log_group,
                    days=None if days in (None, "", "0", 0) else int(str(days)),
                    source=source.replace("${", "").replace("}", ""),
                )
            )
    return found


def _variables_of(module_dir: Path) -> set[str]:
    names: set[str] = set()
    for path in sorted(module_dir.glob("*.tf")):
        for entry in _load(path).get("variable", []):
            names.update(name.strip('"') for name in entry)
    return names
