"""`naver-sms compare` as a user runs it: exit codes, report file, messages on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SPEC = Path("/work/shared/spec/examples")
CLI = [sys.executable, "-m", "naver_sms.cli", "compare"]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


def test_spec_example_report_and_summary(tmp_path: Path) -> None:
    report = tmp_path / "out" / "report.json"
    html = tmp_path / "out" / "report.html"
    done = run(SPEC / "old.jsonl", SPEC / "new.jsonl", "--json", report, "--html", html)
    assert done.returncode == 0, done.stderr
    expected = json.loads((SPEC / "expected-report.json").read_text(encoding="utf-8"))
    assert json.loads(report.read_text(encoding="utf-8")) == expected
    assert "bookings matched   7 (50.00%)" in done.stdout
    assert "insert  old[37:37] «∅» -> new[37:38] «·»" in done.stdout  # the trailing space
    assert "<svg" in html.read_text(encoding="utf-8")
    assert not list(report.parent.glob(".*"))  # no temporary files left behind


def test_fail_on_discrepancy(tmp_path: Path) -> None:
    assert run(SPEC / "old.jsonl", SPEC / "new.jsonl", "--fail-on-discrepancy").returncode == 1
    same = run(SPEC / "old.jsonl", SPEC / "old.jsonl", "--fail-on-discrepancy")
    assert same.returncode == 0
    assert "discrepancies      0" in same.stdout


def test_invalid_capture_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "new.jsonl"
    lines = (SPEC / "new.jsonl").read_text(encoding="utf-8").splitlines()
    lines.insert(4, '{"booking_id": "1100050", "sms": [{"content": "no type"}]}')
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = tmp_path / "report.json"
    done = run(SPEC / "old.jsonl", bad, "--json", report)
    assert done.returncode == 2
    assert f"{bad}:5: sms[0].type must be a string" in done.stderr
    assert not report.exists()
    skipped = run(SPEC / "old.jsonl", bad, "--json", report, "--skip-invalid")
    assert skipped.returncode == 0
    assert json.loads(report.read_text(encoding="utf-8"))["invalid_lines"] == 1
    assert f"skipped {bad}:5: sms[0].type must be a string" in skipped.stderr


def test_nothing_to_compare_or_unreadable_is_exit_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    done = run(empty, empty)
    assert done.returncode == 2
    assert "nothing to compare" in done.stderr
    missing = run(tmp_path / "nope.jsonl", empty)
    assert missing.returncode == 2
    assert "nope.jsonl" in missing.stderr


def test_console_output_masks_phone_numbers_and_names(tmp_path: Path) -> None:
    old = tmp_path / "old.jsonl"
    new = tmp_path / "new.jsonl"
    line = {
        "booking_id": "1",
        "sms": [{"type": "confirm", "content": "홍길동님 문의 010-1234-5678 감사"}],
    }
    old.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    line["sms"][0]["content"] = "홍길동님 문의 010-1234-5679 감사"
    new.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    done = run(old, new)
    assert done.returncode == 0
    assert "1234" not in done.stdout
    assert "길동" not in done.stdout
    assert "010-****-5678" in done.stdout.replace("·", " ")


def test_missing_file_in_parallel_mode_is_exit_2(tmp_path: Path) -> None:
    """A large new file makes the CLI index in worker processes; their errors still count."""
    big = tmp_path / "big.jsonl"
    line = (SPEC / "old.jsonl").read_text(encoding="utf-8").splitlines()[0] + "\n"
    with big.open("w", encoding="utf-8") as handle:
        handle.write(line * (33 * 1024 * 1024 // len(line.encode()) + 1))
    done = run(tmp_path / "nope.jsonl", big)
    assert done.returncode == 2
    assert "cannot read capture" in done.stderr
    assert "nope.jsonl" in done.stderr
