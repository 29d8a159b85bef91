"""The saved Logs Insights queries (docs/ops/queries/*.insights): each parses, runs only on
fields the telemetry catalog declares (or Lambda's own records), and is indexed in
docs/ops/cloudwatch-queries.md. Running them on the demo's logs: tests/e2e/test_ops_on_demo.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from naver_sms.ops.insights.engine import connect, translate_query
from naver_sms.ops.lambda_platform import DISCOVERED_FIELDS, REPORT_FIELDS
from naver_sms.telemetry.catalog import LOG_FIELDS

REPO = Path(__file__).resolve().parents[3]
QUERIES = REPO / "docs" / "ops" / "queries"
INDEX = REPO / "docs" / "ops" / "cloudwatch-queries.md"
REQUIRED = {
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
}
# Lambda's platform.report fields (JSON log format) and what Logs Insights discovers itself.
ALLOWED_OUTSIDE_CATALOG = frozenset(REPORT_FIELDS) | frozenset(DISCOVERED_FIELDS)


def undeclared_fields(text: str) -> set[str]:
    """Fields `text` reads that neither the catalog nor Lambda's records declare."""
    declared = {f.name for f in LOG_FIELDS} | ALLOWED_OUTSIDE_CATALOG
    return translate_query(text, connect()).log_fields - declared


def query_files() -> list[Path]:
    return sorted(QUERIES.glob("*.insights"))


def test_the_required_queries_exist() -> None:
    assert {p.stem for p in query_files()} >= REQUIRED


@pytest.mark.parametrize("path", query_files(), ids=lambda p: p.stem)
def test_query_starts_with_its_purpose_and_reads_only_declared_fields(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert re.match(r"# \S.{20,}", first), f"{path.name}: first line must say what it answers"
    assert undeclared_fields(text) == set(), path.name


def test_the_check_catches_an_undeclared_field() -> None:
    text = 'fields @timestamp, customer_name | filter event = "sms_sent" and record.metrics.x > 1'
    assert undeclared_fields(text) == {"customer_name", "record.metrics.x"}


def test_every_query_is_indexed_and_every_index_entry_exists() -> None:
    index = INDEX.read_text(encoding="utf-8")
    linked = set(re.findall(r"\(queries/([a-z0-9-]+)\.insights\)", index))
    assert linked == {p.stem for p in query_files()}
