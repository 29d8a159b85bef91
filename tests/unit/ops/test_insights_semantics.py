"""What logs-query answers, checked against the same question answered in plain Python.

A generated log (structlog-like lines, nested platform records, EMF documents, text lines,
missing and mistyped fields) is queried, and every answer is recomputed here from the raw
lines with the semantics docs/ops/logs-query.md states.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from naver_sms.ops.insights.command import run as run_command
from naver_sms.ops.insights.engine import QueryResult, run_query

START = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
EVENTS = ("sms_sent", "booking_invalid", "sens_attempt", "telegram_failed")
STORES = ("gangnam-01", "hongdae-02", "jamsil-03")


def make_log(seed: int = 7, count: int = 400) -> list[dict[str, Any] | str]:
    rng = random.Random(seed)
    lines: list[dict[str, Any] | str] = []
    for i in range(count):
        moment = START + timedelta(seconds=rng.randint(0, 3 * 3600), milliseconds=i)
        kind = rng.random()
        if kind < 0.05:
            lines.append(f"plain text line {i} ERROR something")
            continue
        if kind < 0.12:
            lines.append(
                {
                    "time": moment.isoformat().replace("+00:00", "Z"),
                    "type": "platform.report",
                    "record": {
                        "requestId": f"r-{i}",
                        "metrics": {"durationMs": round(rng.uniform(5, 900), 2)}
                        | ({"initDurationMs": round(rng.uniform(100, 400), 2)} if i % 3 else {}),
                        "status": rng.choice(["success", "success", "error"]),
                    },
                }
            )
            continue
        if kind < 0.18:
            lines.append(
                {
                    "_aws": {"Timestamp": int(moment.timestamp() * 1000)},
                    "sms_sent": rng.randint(1, 9),
                    "store_id": rng.choice(STORES),
                }
            )
            continue
        line: dict[str, Any] = {
            "event": rng.choice(EVENTS),
            "level": rng.choice(["info", "warning", "error"]),
            "timestamp": moment.isoformat().replace("+00:00", "Z"),
            "booking_id": str(2200000 + rng.randint(0, 40)),
        }
        if rng.random() < 0.8:
            line["store_id"] = rng.choice(STORES)
        if rng.random() < 0.7:
            line["latency_ms"] = round(rng.uniform(0.5, 300), 3)
        if rng.random() < 0.2:
            line["latency_ms"] = str(rng.randint(1, 99))  # a number written as a string
        if rng.random() < 0.3:
            line["reason"] = rng.choice(
                ["Throttled by DynamoDB", "store 'x' is not configured", None]
            )
        if rng.random() < 0.4:
            line["status"] = rng.choice([200, 429, 500, 503])
        lines.append(line)
    return lines


def flat(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= flat(value, name + ".")
        elif isinstance(value, list):
            out |= flat({str(i): v for i, v in enumerate(value)}, name + ".")
        elif value is not None:
            out[name] = value
    return out


def is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return (
        isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d*)?([eE][-+]?\d+)?", value) is not None
    )


@pytest.fixture(scope="module")
def log_lines() -> list[dict[str, Any] | str]:
    return make_log()


@pytest.fixture(scope="module")
def log_file(tmp_path_factory: pytest.TempPathFactory, log_lines: list[Any]) -> Path:
    path = tmp_path_factory.mktemp("logs") / "logs.jsonl"
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in log_lines),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def events(log_lines: list[Any]) -> list[dict[str, Any]]:
    """The Python view: each line's flattened fields, plus its raw text."""
    found = []
    for line in log_lines:
        if isinstance(line, str):
            found.append({"@message": line})
        else:
            found.append(flat(line) | {"@message": json.dumps(line)})
    return found


def query(log_file: Path, text: str) -> QueryResult:
    return run_query(text, [log_file])


def test_filter_and_stats_count_by_group(log_file: Path, events: list[dict[str, Any]]) -> None:
    result = query(
        log_file, 'filter event = "sms_sent" | stats count(*) as n by store_id | sort n desc'
    )
    expected = Counter(e.get("store_id") for e in events if e.get("event") == "sms_sent")
    assert {r["store_id"]: r["n"] for r in result.rows} == dict(expected)
    assert [r["n"] for r in result.rows] == sorted(expected.values(), reverse=True)
    assert result.columns == ["store_id", "n"]


def test_in_and_or_not_and_numeric_comparisons(
    log_file: Path, events: list[dict[str, Any]]
) -> None:
    result = query(
        log_file,
        'filter (status >= 500 or status = 429) and store_id in ["gangnam-01", "jamsil-03"] '
        'and not level = "info" | stats count(*) as n',
    )
    expected = sum(
        1
        for e in events
        if isinstance(e.get("status"), int)
        and (e["status"] >= 500 or e["status"] == 429)
        and e.get("store_id") in ("gangnam-01", "jamsil-03")
        and e.get("level") != "info"
    )
    assert result.rows == [{"n": expected}]


def test_a_comparison_with_a_missing_field_is_false_and_not_makes_it_true(
    log_file: Path, events: list[dict[str, Any]]
) -> None:
    different = query(log_file, 'filter store_id != "gangnam-01" | stats count(*) as n')
    negated = query(log_file, 'filter not store_id = "gangnam-01" | stats count(*) as n')
    present = [e for e in events if "store_id" in e]
    assert different.rows == [{"n": sum(1 for e in present if e["store_id"] != "gangnam-01")}]
    assert negated.rows == [{"n": sum(1 for e in events if e.get("store_id") != "gangnam-01")}]


def test_like_is_a_substring_and_regex_a_search_case_sensitive_unless_asked(
    log_file: Path, events: list[dict[str, Any]]
) -> None:
    substring = query(log_file, 'filter reason like "Throttl" | stats count(*) as n')
    regex = query(log_file, "filter reason like /not configured$/ | stats count(*) as n")
    tilde = query(log_file, "filter @message =~ /error/ | stats count(*) as n")
    insensitive = query(log_file, "filter @message like /(?i)ERROR/ | stats count(*) as n")
    negated = query(log_file, 'filter reason not like "Throttl" | stats count(*) as n')
    reasons = [e["reason"] for e in events if "reason" in e]
    assert substring.rows == [{"n": sum("Throttl" in r for r in reasons)}]
    assert regex.rows == [{"n": sum(r.endswith("not configured") for r in reasons)}]
    assert tilde.rows == [{"n": sum("error" in e["@message"] for e in events)}]
    assert insensitive.rows == [{"n": sum("error" in e["@message"].lower() for e in events)}]
    assert negated.rows == [{"n": sum("Throttl" not in e.get("reason", "") for e in events)}]


def test_ispresent_isempty_and_nested_fields(log_file: Path, events: list[dict[str, Any]]) -> None:
    cold = query(
        log_file,
        'filter type = "platform.report" and ispresent(record.metrics.initDurationMs) '
        "| stats count(*) as cold, avg(record.metrics.initDurationMs) as init_ms",
    )
    reports = [e for e in events if e.get("type") == "platform.report"]
    inits = [
        e["record.metrics.initDurationMs"] for e in reports if "record.metrics.initDurationMs" in e
    ]
    assert cold.rows[0]["cold"] == len(inits)
    assert math.isclose(cold.rows[0]["init_ms"], sum(inits) / len(inits))
    missing = query(
        log_file, "filter not ispresent(store_id) and isempty(store_id) | stats count(*) as n"
    )
    assert missing.rows == [{"n": sum(1 for e in events if "store_id" not in e)}]


def test_aggregates_by_group(log_file: Path, events: list[dict[str, Any]]) -> None:
    result = query(
        log_file,
        'filter event = "sens_attempt" | stats count(*) as n, count(latency_ms) as timed, '
        "count_distinct(booking_id) as bookings, sum(latency_ms) as total, "
        "avg(latency_ms) as mean, min(latency_ms) as low, max(latency_ms) as high, "
        "pct(latency_ms, 95) as p95, pct(latency_ms, 50) as p50 by store_id",
    )
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        if e.get("event") == "sens_attempt":
            groups[e.get("store_id")].append(e)
    assert len(result.rows) == len(groups)
    for row in result.rows:
        group = groups[row["store_id"]]
        values = sorted(float(e["latency_ms"]) for e in group if "latency_ms" in e)
        assert row["n"] == len(group)
        assert row["timed"] == len(values)
        assert row["bookings"] == len({e["booking_id"] for e in group})
        assert math.isclose(row["total"], sum(values))
        assert math.isclose(row["mean"], sum(values) / len(values))
        assert (row["low"], row["high"]) == (pytest.approx(values[0]), pytest.approx(values[-1]))
        # pct: nearest rank, the value of rank ceil(p / 100 * n) among the sorted values.
        for key, p in (("p95", 95), ("p50", 50)):
            rank = max(1, math.ceil(p / 100 * len(values)))
            assert row[key] == pytest.approx(values[rank - 1])


def test_bin_groups_by_time_buckets_aligned_to_the_epoch(
    log_file: Path, events: list[dict[str, Any]], log_lines: list[Any]
) -> None:
    result = query(log_file, "filter ispresent(event) | stats count(*) as n by bin(30m)")
    buckets: Counter[str] = Counter()
    for line in log_lines:
        if isinstance(line, dict) and "event" in line:
            moment = datetime.fromisoformat(line["timestamp"].replace("Z", "+00:00"))
            ms = int(moment.timestamp() * 1000)
            start = datetime.fromtimestamp((ms // 1_800_000) * 1800, tz=UTC)
            buckets[start.strftime("%Y-%m-%d %H:%M:%S.000")] += 1
    assert result.columns == ["bin(30m)", "n"]
    assert [(r["bin(30m)"], r["n"]) for r in result.rows] == sorted(buckets.items())


def test_fields_sort_limit_and_timestamp_format(log_file: Path, log_lines: list[Any]) -> None:
    result = query(
        log_file,
        "fields @timestamp, booking_id, latency_ms * 2 as double_latency "
        '| filter event = "sms_sent" and ispresent(latency_ms) | sort @timestamp desc | limit 5',
    )
    chosen = [
        line
        for line in log_lines
        if isinstance(line, dict) and line.get("event") == "sms_sent" and "latency_ms" in line
    ]
    chosen.sort(key=lambda line: line["timestamp"], reverse=True)
    assert result.columns == ["@timestamp", "booking_id", "double_latency"]
    assert len(result.rows) == 5
    for row, line in zip(result.rows, chosen[:5], strict=True):
        moment = datetime.fromisoformat(line["timestamp"].replace("Z", "+00:00"))
        assert (
            row["@timestamp"]
            == moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
        )
        assert row["booking_id"] == line["booking_id"]
        assert row["double_latency"] == pytest.approx(float(line["latency_ms"]) * 2)


def test_default_columns_and_order_are_timestamp_and_message_newest_first(log_file: Path) -> None:
    result = query(log_file, 'filter event = "telegram_failed" | limit 3')
    assert result.columns == ["@timestamp", "@message"]
    stamps = [r["@timestamp"] for r in result.rows]
    assert stamps == sorted(stamps, reverse=True)
    assert all('"telegram_failed"' in r["@message"] for r in result.rows)


def test_display_chooses_columns_and_parse_extracts(
    log_file: Path, events: list[dict[str, Any]]
) -> None:
    glob = query(
        log_file,
        'filter @message like "plain text" | parse @message "line * *" as number, rest '
        "| display number, rest | sort number asc",
    )
    texts = [e["@message"] for e in events if "plain text" in e["@message"]]
    expected = sorted((t.split(" ")[3], " ".join(t.split(" ")[4:])) for t in texts)
    assert glob.columns == ["number", "rest"]
    assert [(r["number"], r["rest"]) for r in glob.rows] == sorted(
        expected, key=lambda x: int(x[0])
    )
    regex = query(
        log_file,
        r"filter ispresent(reason) | parse reason /store (?<store>\S+) is/ "
        "| filter ispresent(store) | stats count(*) as n by store",
    )
    assert regex.rows == [
        {"store": "'x'", "n": sum(1 for e in events if "store 'x'" in e.get("reason", ""))}
    ]


def test_numbers_written_as_strings_compare_as_numbers(
    log_file: Path, events: list[dict[str, Any]]
) -> None:
    result = query(log_file, "filter latency_ms < 50 | stats count(*) as n")
    expected = sum(
        1
        for e in events
        if "latency_ms" in e and is_number(e["latency_ms"]) and float(e["latency_ms"]) < 50
    )
    assert result.rows == [{"n": expected}]


def test_sort_is_the_documented_natural_order(tmp_path: Path) -> None:
    # The ascending order AWS documents for `sort` (CWL_QuerySyntax-Sort).
    documented = [
        "!:",
        "#",
        "*%04",
        "0#",
        "5A",
        "111A",
        "2345_",
        "@",
        "@_",
        "A",
        "A9876fghj",
        "a12345hfh",
        "0",
    ]
    shuffled = documented[:]
    random.Random(3).shuffle(shuffled)
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps({"v": v}) + "\n" for v in shuffled), encoding="utf-8")
    ascending = run_query("fields v | sort v asc", [path])
    descending = run_query("fields v | sort v desc", [path])
    values = [r["v"] for r in ascending.rows]
    assert [str(v) for v in values] == documented
    assert [str(r["v"]) for r in descending.rows] == documented[::-1]


def test_stats_on_no_matching_event_gives_one_row_of_zero(log_file: Path) -> None:
    result = query(log_file, 'filter event = "never" | stats count(*) as n, sum(latency_ms) as s')
    assert result.rows == [{"n": 0, "s": None}]


def test_command_prints_json_rows_and_exits_2_naming_file_line_and_token(
    tmp_path: Path, log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.insights"
    good.write_text('# count\nfilter event = "sms_sent" | stats count(*) as n\n', encoding="utf-8")
    args = argparse.Namespace(query_file=str(good), logfiles=[str(log_file)], format="json")
    assert run_command(args) == 0
    rows = json.loads(capsys.readouterr().out)
    assert list(rows[0]) == ["n"]
    bad = tmp_path / "bad.insights"
    bad.write_text("# bad\nfilter event = \n| dedup x\n", encoding="utf-8")
    args.query_file = str(bad)
    assert run_command(args) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3:1: expected a field" in err
    missing = argparse.Namespace(
        query_file=str(good), logfiles=[str(tmp_path / "nope")], format="table"
    )
    assert run_command(missing) == 2
    assert "cannot read" in capsys.readouterr().err


FIELDS = ("status", "latency_ms", "store_id", "level", "booking_id")
LITERALS = st.one_of(
    st.sampled_from(
        [200, 429, 500, 50, 0, 2200010, "info", "error", "gangnam-01", "2200010", "12"]
    ),
    st.integers(min_value=-5, max_value=600),
)


def python_compare(value: Any, op: str, literal: Any) -> bool:
    """The documented rule: numbers as numbers, anything against a string as text."""
    if value is None:
        return False
    if isinstance(literal, str):
        text = value if isinstance(value, str) else json.dumps(value)
        outcomes = {"=": text == literal, "!=": text != literal}
        return outcomes.get(op, text < literal if op == "<" else text > literal)
    if not is_number(value):
        return False
    number = float(value)
    if op == "=":
        return bool(number == literal)
    if op == "!=":
        return bool(number != literal)
    return bool(number < literal if op == "<" else number > literal)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(FIELDS), st.sampled_from(["=", "!=", "<", ">"]), LITERALS)
def test_property_filter_counts_match_python(
    log_file: Path, events: list[dict[str, Any]], field: str, op: str, literal: Any
) -> None:
    rendered = json.dumps(literal)
    result = query(log_file, f"filter {field} {op} {rendered} | stats count(*) as n")
    expected = sum(1 for e in events if python_compare(e.get(field), op, literal))
    assert result.rows == [{"n": expected}]
