"""Every field the package logs is declared in the catalog (and so documented): Logs Insights
queries, metric filters and the runbook depend on these names."""

from __future__ import annotations

import ast
from pathlib import Path

from naver_sms.telemetry.catalog import LOG_FIELDS

PACKAGE = Path(__file__).resolve().parents[3] / "src" / "naver_sms"
LOG_METHODS = {"debug", "info", "warning", "error", "critical", "exception", "msg", "bind"}


def logged_fields() -> dict[str, set[str]]:
    """field -> {"file:event"} for every log call with a literal event name (devstack, the
    local tooling, excepted)."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if "devstack" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in LOG_METHODS:
                continue
            literal_event = bool(node.args) and isinstance(node.args[0], ast.Constant)
            if not literal_event and node.func.attr != "bind":
                continue
            where = f"{path.name}:{node.lineno}"
            for keyword in node.keywords:
                if keyword.arg is not None:
                    found.setdefault(keyword.arg, set()).add(where)
    return found


def test_the_scan_finds_the_log_calls() -> None:
    fields = logged_fields()
    assert "booking_id" in fields
    assert "sleep_s" in fields  # keyword arguments of a retry warning in the clients


def test_every_logged_field_is_declared() -> None:
    declared = {field.name for field in LOG_FIELDS}
    undeclared = {
        name: sorted(places) for name, places in logged_fields().items() if name not in declared
    }
    assert undeclared == {}
