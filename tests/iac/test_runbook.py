"""docs/ops/runbook.md is the runbook the alarms and the dashboard point to.

Every alarm's `runbook` field names a section that exists (and every alarm section belongs to an
alarm); the dashboard section walks the widgets in the dashboard's order; the queries it names are
the agreed query files; its commands name the switches, alarms and namespaces that exist.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from naver_sms.config import constants as config_constants
from naver_sms.telemetry.catalog import COMPARISON_NAMESPACE
from naver_sms_tools.terraform_contract import QUERIES_DIR, QUERY_SUFFIX, markdown_anchors
from support.terraform import (
    FUNCTION_MODULE,
    FUNCTION_PURE_FILES,
    MONITORING_MODULE,
    MONITORING_PURE_FILES,
    NOTIFICATIONS_MODULE,
    NOTIFICATIONS_PURE_FILES,
    ROOT,
    RUNBOOK,
    evaluate,
)

pytestmark = pytest.mark.iac

# The saved queries the runbook refers to: one file each under docs/ops/queries/ (issue 12's
# ops work writes them; `make iac-generate` deploys them).
QUERY_NAMES = (
    "booking-timeline",
    "trace-by-xray-id",
    "discrepancies-by-store-channel",
    "match-percentage",
    "sms-sent-by-type-store",
    "sens-errors-latency",
    "telegram-failures",
    "dynamodb-throttles",
    "cold-starts",
    "slow-invocations",
    "telemetry-export-failures",
    "switch-approval-changes",
    "uncertain-deliveries",
    "invalid-bookings",
)
MONITORING_VARIABLES = {
    "aws_region": "ap-northeast-2",
    "function_name": "naver-sms",
    "table_name": "naver-sms-bookings",
    "alarm_topic_arn": "arn:aws:sns:ap-northeast-2:123456789012:naver-sms-alarms",
    "log_group_names": ["/aws/lambda/naver-sms"],
}


@pytest.fixture(scope="module")
def runbook() -> str:
    return RUNBOOK.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def alarms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    monitoring = evaluate(
        MONITORING_MODULE,
        MONITORING_PURE_FILES,
        MONITORING_VARIABLES,
        {"alarms": "local.alarms", "dashboard": "local.dashboard_body"},
        tmp_path_factory.mktemp("monitoring"),
    )
    notifications = evaluate(
        NOTIFICATIONS_MODULE,
        NOTIFICATIONS_PURE_FILES,
        {"aws_region": "ap-northeast-2", "package_path": "x.zip"},
        {"alarms": "local.alarms"},
        tmp_path_factory.mktemp("notifications"),
    )
    return {
        "monitoring": monitoring["alarms"],
        "notifications": notifications["alarms"],
        "dashboard": monitoring["dashboard"],
    }


def _section(runbook: str, heading: str) -> str:
    start = runbook.index(f"\n## {heading}\n")
    end = runbook.find("\n## ", start + 1)
    return runbook[start : end if end >= 0 else None]


def _h3(text: str) -> list[str]:
    return re.findall(r"^### (.+?)\s*$", text, flags=re.MULTILINE)


def test_every_alarm_names_a_runbook_section_that_exists(
    runbook: str, alarms: dict[str, Any]
) -> None:
    anchors = set(markdown_anchors(runbook))
    every = {**alarms["monitoring"], **alarms["notifications"]}
    missing = {key: a["runbook"] for key, a in every.items() if a["runbook"] not in anchors}
    assert not missing, f"no such section in {RUNBOOK.name}: {missing}"
    # ...and every alarm section is an alarm's: no stale section.
    sections = [h for h in _h3(_section(runbook, "Alarms")) if h.startswith("Alarm ")]
    assert sorted(sections) == sorted(f"Alarm `{key}`" for key in every)


def test_every_alarm_section_says_what_fired_how_to_triage_and_fix(runbook: str) -> None:
    body = _section(runbook, "Alarms")
    parts = re.split(r"^### ", body, flags=re.MULTILINE)[1:]
    assert parts
    for part in parts:
        title = part.splitlines()[0]
        for needed in ("**What fired**", "**Triage**", "**Fix or rollback**"):
            assert needed in part, f"{title}: no {needed}"
        named = [q for q in QUERY_NAMES if f"`{q}`" in part]
        forwarder = "naver-sms-alerts" in part
        assert named or forwarder, f"{title}: names no query to run"


def test_the_dashboard_section_walks_the_widgets_in_the_dashboards_order(
    runbook: str, alarms: dict[str, Any]
) -> None:
    widgets = json.loads(alarms["dashboard"])["widgets"]
    titles = [w["properties"]["title"] for w in widgets if "title" in w["properties"]]
    assert _h3(_section(runbook, "The dashboard, widget by widget")) == titles
    # The dashboard's own text widget links to that section.
    (text,) = [w["properties"]["markdown"] for w in widgets if w["type"] == "text"]
    (anchor,) = re.findall(r"\]\([^)#]*#([^)]+)\)", text)
    assert anchor in markdown_anchors(runbook)
    for part in re.split(
        r"^### ", _section(runbook, "The dashboard, widget by widget"), flags=re.M
    )[1:]:
        assert "**Normal**" in part or "As above" in part, part.splitlines()[0]


def test_the_runbook_uses_every_agreed_query_and_no_other(runbook: str) -> None:
    for name in QUERY_NAMES:
        assert f"`{name}`" in runbook, f"the runbook never names query {name}"
    directory = ROOT / QUERIES_DIR
    # The query files come with the ops work of issue 12; once they are in the tree, each name
    # the runbook uses must be one of them, and each of them must be in the runbook.
    if directory.is_dir():
        files = {p.name.removesuffix(QUERY_SUFFIX) for p in directory.glob(f"*{QUERY_SUFFIX}")}
        assert set(QUERY_NAMES) <= files, sorted(set(QUERY_NAMES) - files)
        assert files <= set(QUERY_NAMES), f"not in the runbook: {sorted(files - set(QUERY_NAMES))}"


def test_the_kill_switches_are_those_the_function_module_creates(
    runbook: str, tmp_path: Path
) -> None:
    switches = evaluate(
        FUNCTION_MODULE,
        FUNCTION_PURE_FILES,
        {
            "aws_region": "ap-northeast-2",
            "package_path": "x.zip",
            "kms_key_arn": "arn:aws:kms:ap-northeast-2:123456789012:key/k",
        },
        {"switches": "local.switch_parameter_names", "values": "local.switch_initial_values"},
        tmp_path,
    )
    table = _section(runbook, "Kill switches (no redeploy)")
    for name, parameter in switches["switches"].items():
        row = re.search(rf"^\| `{re.escape(parameter)}` \| `(\w+)` \|", table, flags=re.M)
        assert row, f"the switch {parameter} has no row"
        assert row.group(1) == switches["values"][name]
    approval = config_constants.DEFAULT_APPROVAL_PARAMETER
    workflow = _section(runbook, "SMS-sending approval workflow")
    assert f"--name {approval}" in workflow
    assert "delete-parameter --name /naver-sms/approval" in workflow


def test_the_recipes_name_what_exists(runbook: str, alarms: dict[str, Any]) -> None:
    smoke = _section(runbook, "Smoke test after a deployment")
    assert f"aws cloudwatch list-metrics --namespace {COMPARISON_NAMESPACE}" in smoke
    assert "aws lambda invoke --function-name naver-sms" in smoke
    event = re.search(r"head -1 (\S+) > event.json", smoke)
    assert event
    assert (ROOT / event.group(1)).is_file()
    capture = re.search(r"--include (\S+)=captures/legacy.jsonl", smoke)
    assert capture
    assert (ROOT / capture.group(1)).is_file()
    test = _section(runbook, "Alarm test: every channel receives it")
    (name,) = set(re.findall(r"set-alarm-state --alarm-name (\S+)", test))
    assert name.removeprefix("naver-sms-") in alarms["monitoring"]
    assert f"#alarm-{name.removeprefix('naver-sms-')}" in test


def test_the_runbooks_links_resolve(runbook: str) -> None:
    anchors = set(markdown_anchors(runbook))
    for target in re.findall(r"\]\(#([^)]+)\)", runbook):
        assert target in anchors, f"#{target}"
    # Relative links to other documents (cloudwatch-queries.md comes with issue 12's ops work).
    pending = {"cloudwatch-queries.md"}
    for path, anchor in re.findall(r"\]\((?!https?:|#)([^)#]+)(?:#([^)]+))?\)", runbook):
        if path in pending:
            continue
        document = (RUNBOOK.parent / path).resolve()
        assert document.is_file(), path
        if anchor:
            assert anchor in markdown_anchors(document.read_text(encoding="utf-8")), (
                f"{path}#{anchor}"
            )
