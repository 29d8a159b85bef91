"""`naver-sms replay` end to end: the handler over captured invocations on the local stack,
the comparison with the legacy capture, the reports and the audit evidence."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INVOCATIONS = REPO / "examples" / "invocations-2026-11-20.jsonl"
LEGACY = REPO / "examples" / "legacy-capture-2026-11-20.jsonl"
# What examples/make_legacy_capture.py planted in the legacy capture, as the spec names them.
PLANTED = {
    ("2200229", "sms", "confirm#0", "mismatch"),
    ("2200422", "sms", "guide#0", "mismatch"),
    ("2200804", "telegram", "-1001987654321#0", "mismatch"),
    ("2200366", "telegram", "-1001987654321#0", "mismatch"),
    ("2200366", "telegram", "-1001987654321#1", "extra_in_new"),
    ("2200047", "dynamodb", 'naver-sms-bookings#{"booking_id":"2200047"}', "mismatch"),
    ("2200083", "sms", "cancel#0", "missing_in_new"),
}


def naver_sms(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AWS_", "SENS_"))}
    env.pop("TELEGRAM_CHAT_ID", None)
    # Metrics left to the replay's default: EMF into its logs.jsonl (the evidence reads them).
    env.update(OTEL_TRACES_EXPORTER="none")
    return subprocess.run(
        [sys.executable, "-m", "naver_sms.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("campaign")
    proc = naver_sms("replay", str(INVOCATIONS), "--legacy", str(LEGACY), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "verdict NO-GO" in proc.stdout
    return out


def test_finds_exactly_the_planted_discrepancies(campaign: Path) -> None:
    report = json.loads((campaign / "report.json").read_text())
    found = {(r["booking_id"], r["channel"], r["key"], r["kind"]) for r in report["records"]}
    assert found == PLANTED
    assert report["discrepancies"] == len(PLANTED)
    assert report["bookings_compared"] == 42
    assert report["bookings_matched"] == 42 - len({p[0] for p in PLANTED})
    by_key = {(r["booking_id"], r["key"]): r for r in report["records"]}
    trailing = by_key[("2200229", "confirm#0")]
    assert trailing["fields"] == ["content"]
    assert trailing["first_diff_index"] == 37  # the legacy's extra trailing space


def test_report_is_reproducible_with_compare(campaign: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.json"
    proc = naver_sms("compare", str(LEGACY), str(campaign / "capture.jsonl"), "--json", str(again))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(again.read_text()) == json.loads((campaign / "report.json").read_text())


def test_validation_evidence(campaign: Path) -> None:
    text = (campaign / "VALIDATION.md").read_text()
    assert "**Verdict: NO-GO**" in text
    assert "window covers 1 day(s) (must be 7)" in text
    assert "2026-11-20 to 2026-11-20 (KST): 1 day(s)" in text
    assert "naver-sms replay" in text
    for path in (INVOCATIONS, LEGACY):
        assert f"`{path}`" in text
    assert hashlib.sha256(LEGACY.read_bytes()).hexdigest() in text
    assert "| 2200047 | gangnam-01 | dynamodb |" in text
    assert "010-" not in text or "010-****-" in text


def test_logs_carry_per_invocation_and_campaign_comparison_lines(campaign: Path) -> None:
    lines = [json.loads(x) for x in (campaign / "logs.jsonl").read_text().splitlines()]
    summaries = [x for x in lines if x.get("event") == "comparison_summary"]
    scopes = [x.get("scope") for x in summaries]
    assert scopes.count("campaign") == 1
    assert scopes.count("invocation") >= 1
    campaign_summary = next(x for x in summaries if x.get("scope") == "campaign")
    assert campaign_summary["discrepancies"] == len(PLANTED)
    assert campaign_summary["window"] == "2026-11-20..2026-11-20"
    discrepancy_lines = [
        x
        for x in lines
        if x.get("event") == "comparison_discrepancy" and x.get("scope") == "campaign"
    ]
    assert len(discrepancy_lines) == len(PLANTED)
    # Comparison mode forced dry run at every invocation.
    modes = {x["mode"] for x in lines if x.get("event") == "sending_mode"}
    assert modes == {"dry_run"}
    assert "+82" not in (campaign / "logs.jsonl").read_text()


def test_a_campaign_against_its_own_capture_matches_fully(campaign: Path, tmp_path: Path) -> None:
    proc = naver_sms(
        "replay",
        str(INVOCATIONS),
        "--legacy",
        str(campaign / "capture.jsonl"),
        "--out",
        str(tmp_path / "self"),
        "--fail-on-discrepancy",
        "--no-ops-evidence",
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "self" / "report.json").read_text())
    assert report["discrepancies"] == 0
    assert report["match_percentage"] == 100.0
    validation = (tmp_path / "self" / "VALIDATION.md").read_text()
    # Only the window keeps it from GO.
    assert "NO-GO** — window covers 1 day(s) (must be 7)." in validation
    assert "## Operations evidence" not in validation  # --no-ops-evidence


def test_validation_carries_operations_evidence_from_the_replays_own_logs(
    campaign: Path,
) -> None:
    text = (campaign / "VALIDATION.md").read_text()
    assert text.count("## Operations evidence") == 1
    assert "At least 7 days of logs (and the EMF documents in them) are kept: **yes**" in text
    # The match-percentage query's transcript: the campaign's own summary line.
    assert "| campaign | 2026-11-20..2026-11-20 | 1 | 85.71 | 85.71 | 42 | 7 |" in text
    # The comparison metrics, as EMF in the replay's logs, drive the comparison alarms.
    assert "| `naver-sms-comparison-discrepancies` | INSUFFICIENT_DATA | **ALARM** | 12 |" in text
    assert (
        "| `naver-sms-comparison-match-percentage` | INSUFFICIENT_DATA | **ALARM** | 85.71 |"
        in text
    )
    for image in ("dashboard.png", "report.png"):
        assert f"]({image})" in text
        assert (campaign / image).stat().st_size > 20_000
    reports = [
        json.loads(x)
        for x in (campaign / "logs.jsonl").read_text().splitlines()
        if '"platform.report"' in x
    ]
    assert len(reports) == 7  # one per replayed invocation


def test_bad_invocations_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "inv.jsonl"
    bad.write_text(
        '{"now": "2026-11-20T09:00:00+09:00", "bookings": []}\n{"now": "noon", "bookings": []}\n'
    )
    proc = naver_sms("replay", str(bad), "--legacy", str(LEGACY), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert f"{bad}:2: 'now' is not ISO-8601" in proc.stderr
    missing = naver_sms(
        "replay",
        str(INVOCATIONS),
        "--legacy",
        str(tmp_path / "nope.jsonl"),
        "--out",
        str(tmp_path / "o"),
    )
    assert missing.returncode == 2
    assert "legacy capture not found" in missing.stderr


def test_ctrl_c_leaves_no_half_written_report(tmp_path: Path) -> None:
    out = tmp_path / "interrupted"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AWS_"))}
    # Metrics left to the replay's default: EMF into its logs.jsonl (the evidence reads them).
    env.update(OTEL_TRACES_EXPORTER="none")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "naver_sms.cli",
            "replay",
            str(INVOCATIONS),
            "--legacy",
            str(LEGACY),
            "--out",
            str(out),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until the campaign has started writing
        work = list(out.glob(".replay-*/logs.jsonl")) if out.exists() else []
        if work and work[0].stat().st_size > 0:
            break
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the campaign never started")
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted; no report written" in stderr
    assert sorted(p.name for p in out.iterdir()) == []
