"""The Logs Insights parser: what it accepts, how it rejects, and that nothing crashes it.

The fuzz tests feed arbitrary text and grammar-shaped token soups: every input either parses
or raises QueryError whose position points into the text; parsed queries either translate or
raise QueryError; translated ones run in DuckDB. Hypothesis' deadline turns a hang into a
failure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from naver_sms.ops.insights import QueryError, UnsupportedSyntax, parse_query
from naver_sms.ops.insights import syntax as ast
from naver_sms.ops.insights.engine import connect, run_query, translate_query


def rejection(text: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        translate_query(text)
    return caught.value


def test_parses_every_command_into_the_ast() -> None:
    query = parse_query(
        "fields @timestamp, event as what # a comment\n"
        '| filter booking_id = "2200229" and (level in ["error", "critical"] or x like /a\\/b/)\n'
        "| parse @message /(?<user>\\w+)@/\n"
        "| stats count(*) as n, pct(record.metrics.durationMs, 95) by bin(5m), store_id\n"
        "| sort n desc, store_id | limit 20 | display n"
    )
    kinds = [type(c).__name__ for c in query.commands]
    assert kinds == ["Fields", "Filter", "Parse", "Stats", "Sort", "Limit", "Display"]
    fields = query.commands[0]
    assert isinstance(fields, ast.Fields)
    assert [i.alias for i in fields.items] == [None, "what"]
    filt = query.commands[1]
    assert isinstance(filt, ast.Filter)
    match = next(n for n in ast.walk(filt.condition) if isinstance(n, ast.Match))
    assert isinstance(match.pattern, ast.Regex)
    assert match.pattern.pattern == "a/b"
    stats = query.commands[3]
    assert isinstance(stats, ast.Stats)
    assert [type(g.expr).__name__ for g in stats.groups] == ["Call", "Field"]
    bin_call = stats.groups[0].expr
    assert isinstance(bin_call, ast.Call)
    (duration,) = bin_call.args
    assert isinstance(duration, ast.Duration)
    assert duration.milliseconds == 300_000
    assert query.text[duration.start : duration.end] == "5m"
    sort = query.commands[4]
    assert isinstance(sort, ast.Sort)
    assert [k.descending for k in sort.keys] == [True, False]


def test_precedence_and_binds_tighter_than_or_and_not_than_and() -> None:
    query = parse_query("filter not a = 1 and b = 2 or c = 3")
    command = query.commands[0]
    assert isinstance(command, ast.Filter)
    top = command.condition
    assert isinstance(top, ast.Binary)
    assert isinstance(top.left, ast.Binary)
    assert isinstance(top.left.left, ast.Unary)
    assert (top.op, top.left.op, top.left.left.op) == ("or", "and", "not")
    fields = parse_query("fields 1 + 2 * 3 as x").commands[0]
    assert isinstance(fields, ast.Fields)
    arithmetic = fields.items[0].expr
    assert isinstance(arithmetic, ast.Binary)
    assert isinstance(arithmetic.right, ast.Binary)
    assert (arithmetic.op, arithmetic.right.op) == ("+", "*")


@pytest.mark.parametrize(
    ("text", "line", "column", "token", "fragment"),
    [
        ("fields a |", 1, 11, "", "expected a command"),
        ("filter a = = b", 1, 12, "=", "expected a field"),
        ("dedup booking_id", 1, 1, "dedup", "'dedup' is not supported"),
        ("fields a\n| unnest b", 2, 3, "unnest", "not supported"),
        ("filter a like /x/i", 1, 18, "i", "write (?i) inside the regex"),
        ("stats count(*) by", 1, 18, "", "expression was expected"),
        ("limit 1.5", 1, 7, "1.5", "whole number"),
        ('filter x = "abc', 1, 12, '"abc', "unterminated string"),
        ("filter a < b < c", 1, 14, "<", "do not chain"),
        ("stats count(*) by bin(1q)", 1, 23, "1q", "calendar unit"),
        ("filter a in []", 1, 14, "]", "a string or a number"),
        ("fields a ; b", 1, 10, ";", "unexpected character"),
        ("filter a = 'x\\q'", 1, 14, "\\q", "unknown escape"),
        ("fields `", 1, 8, "`", "unterminated `field name`"),
    ],
)
def test_syntax_errors_name_the_token_and_its_position(
    text: str, line: int, column: int, token: str, fragment: str
) -> None:
    error = rejection(text)
    assert (error.line, error.column, error.token) == (line, column, token), str(error)
    assert fragment in str(error)
    assert str(error).startswith(f"{line}:{column}: ")


@pytest.mark.parametrize(
    ("text", "token", "fragment"),
    [
        ("stats sum(x) / count(*) as avg", "sum(x) / count(*)", "arithmetic on aggregates"),
        ("stats count(*) | stats count(*)", "stats count(*)", "second stats"),
        ("filter x =~ /(?=a)/", "/(?=a)/", "RE2"),
        ("fields earliest(@timestamp)", "earliest(@timestamp)", "not supported"),
        ("filter @duration > 100", "@duration", "JSON format"),
        ("fields @logStream", "@logStream", "not available offline"),
        ("filter event", "event", "needs a condition"),
        ("fields count(*)", "count(*)", "aggregate"),
        ("stats count(*) as n | fields booking_id", "booking_id", "not a result of stats"),
        ("stats pct(x, 101)", "101", "between 0 and 100"),
        ("stats count(*) by bin(x)", "x", "duration"),
        ("limit 10001", "limit 10001", "between 1 and 10,000"),
        ('parse @message "a*b*" as x', '"a*b*"', "2 '*' but 1 name"),
        ("parse @message /(\\w+)/", "/(\\w+)/", "named groups"),
        ("filter x = 1 = 2", "=", "do not chain"),
        ("stats count(*) | sort sum(x)", "sum(x)", "name it with 'as'"),
    ],
)
def test_unsupported_or_meaningless_queries_are_rejected_at_the_token(
    text: str, token: str, fragment: str
) -> None:
    with pytest.raises(QueryError) as caught:
        translate_query(text, connect())
    error = caught.value
    assert error.token == token, str(error)
    assert fragment in str(error)
    assert text[error.offset :].startswith(token)


def test_unsupported_commands_raise_the_unsupported_subtype() -> None:
    with pytest.raises(UnsupportedSyntax):
        parse_query("pattern @message")


def test_depth_and_length_are_bounded() -> None:
    deep = "fields " + "(" * 70 + "a" + ")" * 70
    assert "nested more than" in str(rejection(deep))
    chain = "filter " + " or ".join(["a = 1"] * 80)
    assert "nested more than" in str(rejection(chain))
    long_query = "fields a" + ", a" * 5000
    assert "Logs Insights allows 10,000" in str(rejection(long_query))


# --- fuzzing -------------------------------------------------------------------------------

VOCABULARY = [
    "fields", "filter", "stats", "sort", "limit", "display", "parse", "dedup", "by", "as",
    "and", "or", "not", "in", "like", "asc", "desc", "count", "count_distinct", "sum", "avg",
    "min", "max", "pct", "bin", "ispresent", "isempty", "tolower", "strlen", "abs",
    "@timestamp", "@message", "@duration", "event", "store_id", "record.metrics.durationMs",
    "`odd name`", "|", ",", "(", ")", "[", "]", "=", "!=", "<", "<=", ">", ">=", "=~", "+",
    "-", "*", "/", "%", '"x"', "'y'", '"a*b"', "/re/", "/(?<g>\\w+)/", "0", "5", "2.5",
    "95", "5m", "1h", "10001", "#", "\n", "(*)",
]  # fmt: skip
LOG = [
    {"timestamp": "2026-11-20T00:00:00Z", "event": "x", "store_id": "s1", "n": 1},
    {"timestamp": "2026-11-20T00:01:00Z", "event": "y", "record": {"metrics": {"durationMs": 3}}},
]
EXAMPLES = int(os.environ.get("NAVER_SMS_FUZZ_EXAMPLES", "400"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=2000,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
# Each example runs a whole pipeline in DuckDB: fewer of them by default.
FUZZ_RUNS = settings(FUZZ, max_examples=max(EXAMPLES // 3, 1))


def check_rejection(text: str, error: QueryError) -> None:
    assert 0 <= error.offset <= len(text)
    assert error.line >= 1
    assert error.column >= 1
    assert text[error.offset :].startswith(error.token[:10])
    assert str(error)


@FUZZ
@given(st.text(max_size=200))
def test_fuzz_arbitrary_text_parses_or_is_rejected_with_a_position(text: str) -> None:
    try:
        parse_query(text)
    except QueryError as error:
        check_rejection(text, error)


@FUZZ
@given(st.lists(st.sampled_from(VOCABULARY), max_size=25))
def test_fuzz_token_soup_parses_translates_and_runs_or_is_rejected(
    tmp_path: Path, tokens: list[str]
) -> None:
    text = " ".join(tokens)
    try:
        parse_query(text)
    except QueryError as error:
        check_rejection(text, error)
        return
    logs = tmp_path / "logs.jsonl"
    logs.write_text("".join(json.dumps(e) + "\n" for e in LOG), encoding="utf-8")
    try:
        result = run_query(text, [logs])
    except QueryError as error:
        check_rejection(text, error)
        return
    assert len(result.rows) <= 10_000
    for row in result.rows:
        assert list(row) == result.columns


@FUZZ_RUNS
@given(
    st.lists(
        st.sampled_from(
            [
                "fields event, store_id as s",
                'filter event = "x"',
                "filter n > 0 or not ispresent(n)",
                'filter store_id like /s/ and event in ["x", "y"]',
                "stats count(*) as c by event",
                "stats sum(n) as total, pct(n, 50) as p by bin(1m)",
                "sort @timestamp desc",
                "sort c desc",
                "limit 1",
                "display event",
                'parse event "*" as whole',
                "fields strlen(event) as l",
            ]
        ),
        min_size=1,
        max_size=6,
    )
)
def test_fuzz_pipelines_of_valid_commands_run_or_name_what_is_missing(
    tmp_path: Path, commands: list[str]
) -> None:
    text = " | ".join(commands)
    logs = tmp_path / "logs.jsonl"
    logs.write_text("".join(json.dumps(e) + "\n" for e in LOG), encoding="utf-8")
    try:
        result = run_query(text, [logs])
    except QueryError as error:
        check_rejection(text, error)
        reasons = [error.message]  # only a name used after stats, or a second stats
        assert any("not a result of stats" in r or "second stats" in r for r in reasons)
        return
    assert all(list(row) == result.columns for row in result.rows)
