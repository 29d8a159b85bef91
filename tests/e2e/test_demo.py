"""`make demo` end to end: the handler through the real collector on the local stack, and the
campaign; every artefact it promises, consistent with each other, with no personal data."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from naver_sms.telemetry.catalog import LOG_FIELDS
from support.demo import CANARY

pytestmark = [pytest.mark.collector, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
SAMPLE = json.loads((REPO / "examples" / "bookings-2026-11-20.json").read_text("utf-8"))
# Not inside a longer token: span ids, request ids and nanosecond times hold such digit runs.
FULL_PHONE = re.compile(r"(?<![0-9A-Za-z.])01[016789]-?\d{3,4}-?\d{4}(?![0-9A-Za-z])")
PLATFORM = "platform."


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def function_lines(path: Path) -> list[dict[str, Any]]:
    """The function's own log lines (not the runtime's platform.* records beside them)."""
    return [line for line in jsonl(path) if not str(line.get("type", "")).startswith(PLATFORM)]


def test_prints_a_readable_summary(demo: tuple[Path, str]) -> None:
    _, stdout = demo
    assert "phase 1 — dry run" in stdout
    assert "phase 2 — live" in stdout
    assert "DynamoDB throttled 5 requests" in stdout
    assert "ProvisionedThroughputExceededException" in stdout
    assert "store 'daegu-09' is not configured" in stdout
    assert "verdict NO-GO" in stdout
    assert "campaign/report.html" in stdout


def test_dry_run_sent_nothing_and_live_sent_exactly_what_the_handler_reported(
    demo: tuple[Path, str],
) -> None:
    out, _ = demo
    dry = jsonl(out / "results-dry-run.jsonl")
    live = jsonl(out / "results-live.jsonl")
    assert {r["result"]["mode"] for r in dry} == {"dry_run"}
    assert {r["result"]["mode"] for r in live} == {"live"}
    received = jsonl(out / "sens-received.jsonl")
    assert len(received) == sum(r["result"]["sent"] for r in live)
    assert len(received) == len({(r["request_id"]) for r in received})
    telegrams = jsonl(out / "telegram-received.jsonl")
    assert len(telegrams) == sum(r["result"]["notified"] for r in live)
    per_booking = Counter((r["to"], r["type"]) for r in received)
    assert max(per_booking.values()) <= 3  # confirm/guide/cancel share a number at most


def test_logs_are_json_and_correlated_with_xray(demo: tuple[Path, str]) -> None:
    out, _ = demo
    logs = function_lines(out / "logs.jsonl")
    xray_ids = {seg["trace_id"] for seg in jsonl(out / "xray-segments.jsonl")}
    results = jsonl(out / "results-dry-run.jsonl") + jsonl(out / "results-live.jsonl")
    # The run whose span export the collector refused (the demo's injected 503) is the only
    # trace missing from X-Ray; its logs say so.
    lost = {
        line["xray_trace_id"]
        for line in logs
        if line.get("event") == "telemetry_export_failed" and line.get("signal") == "traces"
    }
    assert len(lost) == 1
    assert {r["xray_trace_id"] for r in results} - xray_ids == lost
    traced = [line for line in logs if "trace_id" in line]
    assert traced
    for line in traced:
        assert re.fullmatch(r"[0-9a-f]{32}", line["trace_id"])
        assert line["xray_trace_id"] == f"1-{line['trace_id'][:8]}-{line['trace_id'][8:]}"
        assert line["xray_trace_id"] in xray_ids | lost
    for line in logs:
        assert {"timestamp", "level", "event", "service"} <= set(line)


def test_emf_covers_both_namespaces_and_only_emf(demo: tuple[Path, str]) -> None:
    out, _ = demo
    namespaces = Counter()
    for doc in jsonl(out / "emf.jsonl"):
        for directive in doc["_aws"]["CloudWatchMetrics"]:
            namespaces[directive["Namespace"]] += 1
    assert set(namespaces) == {"naver-sms", "naver-sms/comparison"}
    assert jsonl(out / "spans.jsonl")
    assert jsonl(out / "metrics.jsonl")


def test_no_phone_name_or_secret_in_any_telemetry_or_log(demo: tuple[Path, str]) -> None:
    out, _ = demo
    names = {b["customer_name"] for b in SAMPLE["bookings"] if isinstance(b, dict)}
    for artefact in (
        "logs.jsonl",
        "emf.jsonl",
        "spans.jsonl",
        "metrics.jsonl",
        "xray-segments.jsonl",
        "collector.log",
        "campaign/logs.jsonl",
        "campaign/VALIDATION.md",
        "campaign/dashboard.html",
        "aws-metrics.jsonl",
    ):
        # NFC first: a decomposed (NFD) name must not slip past the check.
        text = unicodedata.normalize("NFC", (out / artefact).read_text("utf-8"))
        assert not FULL_PHONE.search(text), artefact
        assert CANARY not in text, artefact
        leaked = [n for n in names if n in text]
        assert not leaked, (artefact, leaked)


def test_every_log_field_is_declared_in_the_catalog(demo: tuple[Path, str]) -> None:
    """Logs Insights queries and metric filters rely on these names (docs/telemetry.md)."""
    out, _ = demo
    declared = {f.name for f in LOG_FIELDS}
    seen: set[str] = set()
    for artefact in ("logs.jsonl", "campaign/logs.jsonl"):
        for line in function_lines(out / artefact):
            seen.update(line)
    assert seen - declared == set()


def test_the_runtime_writes_a_platform_report_after_each_invocation(
    demo: tuple[Path, str],
) -> None:
    out, _ = demo
    reports = [line for line in jsonl(out / "logs.jsonl") if line.get("type") == "platform.report"]
    results = jsonl(out / "results-dry-run.jsonl") + jsonl(out / "results-live.jsonl")
    assert [r["record"]["requestId"] for r in reports] == [r["request_id"] for r in results]
    # One cold start per execution environment (the dry-run phase and the live phase).
    assert sum("initDurationMs" in r["record"]["metrics"] for r in reports) == 2
    for report, result in zip(reports, results, strict=True):
        metrics = report["record"]["metrics"]
        assert abs(metrics["durationMs"] - result["duration_ms"]) < 1
        assert metrics["billedDurationMs"] >= metrics["durationMs"]
        assert metrics["memorySizeMB"] == 256
        assert report["record"]["tracing"]["value"].startswith(f"Root={result['xray_trace_id']};")


def _descendants(root: int) -> set[int]:
    """Every live process below `root` (from /proc, no extra dependency)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_ctrl_c_stops_every_process_the_demo_started(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AWS_"))}
    demo = subprocess.Popen(
        [sys.executable, "-m", "naver_sms.devstack.demo", "--out", str(tmp_path / "demo")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started: set[int] = set()
    deadline = time.monotonic() + 60
    # moto, the collector and the Lambda's own process: wait until all three run.
    while time.monotonic() < deadline and len(started) < 3:
        started |= _descendants(demo.pid)
        time.sleep(0.05)
    assert len(started) >= 3, f"the demo started only {started}"
    demo.send_signal(signal.SIGINT)
    _, stderr = demo.communicate(timeout=60)
    assert demo.returncode == 130, stderr[-2000:]
    assert "every process the demo started has been stopped" in stderr
    end = time.monotonic() + 15
    while time.monotonic() < end and any(_alive(pid) for pid in started):
        time.sleep(0.1)
    assert [pid for pid in started if _alive(pid)] == []
