"""Run a query: parse, translate, load the events into DuckDB, execute, decode the rows."""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from naver_sms.ops.insights import sql
from naver_sms.ops.insights.events import write_staging
from naver_sms.ops.insights.parser import parse_query
from naver_sms.ops.insights.sql import Translation


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[dict[str, Any]]
    events: int
    """How many log events the query ran over."""


def connect() -> Any:
    import duckdb  # noqa: PLC0415 - the ops extra; only when a query runs

    connection = duckdb.connect(":memory:")
    for macro in sql.MACROS:
        connection.execute(macro)
    return connection


def regex_checker(connection: Any) -> sql.RegexCheck:
    import duckdb  # noqa: PLC0415

    def check(pattern: str) -> str | None:
        try:
            connection.execute("SELECT regexp_matches('', ?)", [pattern]).fetchall()
        except duckdb.Error as exc:
            return str(exc).split("\n", 1)[0].removeprefix("Invalid Input Error: ")
        return None

    return check


def translate_query(text: str, connection: Any | None = None) -> Translation:
    """`text` parsed and translated (regexes checked when a connection is given)."""
    query = parse_query(text)
    return sql.translate(query, regex_checker(connection) if connection is not None else None)


def run_query(text: str, paths: Sequence[Path]) -> QueryResult:
    """Run the Logs Insights query `text` over the JSON-lines files `paths`."""
    connection = connect()
    try:
        translation = translate_query(text, connection)
        with tempfile.TemporaryDirectory(prefix="naver-sms-logs-") as scratch:
            staging = Path(scratch) / "events.jsonl"
            with staging.open("w", encoding="utf-8") as out:
                count = write_staging(paths, out)
            connection.execute(
                "CREATE TABLE events AS SELECT i AS _idx, t AS _ts, m AS _msg, f AS _flat "
                "FROM read_json(?, format='newline_delimited', columns={'i': 'BIGINT', "
                "'t': 'BIGINT', 'm': 'VARCHAR', 'f': 'MAP(VARCHAR, JSON)'}, "
                "maximum_object_size=1073741824)",
                [str(staging)],
            )
        rows = connection.execute(translation.sql).fetchall()
    finally:
        connection.close()
    names = [column.name for column in translation.columns]
    decoded = [
        {
            column.name: decode(value, column.kind)
            for column, value in zip(translation.columns, row, strict=True)
        }
        for row in rows
    ]
    return QueryResult(names, decoded, count)


def decode(value: Any, kind: str) -> Any:
    """A SQL result value as the JSON value a reader expects (whole numbers as integers)."""
    if value is None:
        return None
    if kind == sql.JSON:
        value = json.loads(value)
    elif kind == sql.TIMESTAMP:
        return format_timestamp(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return int(value)
    return value


def format_timestamp(ms: int) -> str:
    """As the Logs Insights console prints @timestamp: ``2026-12-04 03:14:30.995`` (UTC)."""
    try:
        moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return str(ms)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
