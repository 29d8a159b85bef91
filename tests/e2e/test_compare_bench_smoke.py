"""`make bench-compare` must not rot: the harness end to end on a tiny generated pair.

No timing is asserted (benchmarks are not tests): what is checked is that the generator
plants what it says, the three variants run in their own processes, and the one-process and
parallel comparisons produce the same report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_compare_bench_harness_runs_every_variant(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.compare_bench",
            "--bookings",
            "3000",
            "--rounds",
            "1",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((tmp_path / "compare.json").read_text(encoding="utf-8"))
    assert set(summary["samples"]) == {"baseline", "sequential", "parallel"}
    for samples in summary["samples"].values():
        assert samples[0]["seconds"] > 0
        assert samples[0]["peak_mb"] > 5
    sequential = json.loads((tmp_path / "compare" / "report-sequential.json").read_text())
    parallel = json.loads((tmp_path / "compare" / "report-parallel.json").read_text())
    assert sequential == parallel
    planted = summary["captures"]["planted"]
    kinds = [(r["channel"], r["kind"]) for r in sequential["records"]]
    # every planted extra booking shows up as an extra write, every missing one as missing
    extra_bookings = {
        r["booking_id"]
        for r in sequential["records"]
        if r["kind"] == "extra_in_new" and r["channel"] == "dynamodb"
    }
    assert len(extra_bookings) == planted.get("extra_booking", 0)
    missing_bookings = {
        r["booking_id"]
        for r in sequential["records"]
        if r["kind"] == "missing_in_new" and r["channel"] == "dynamodb"
    }
    assert len(missing_bookings) == planted.get("missing_booking", 0)
    assert ("sms", "mismatch") in kinds
    assert sequential["discrepancies"] == len(sequential["records"]) > 0
    assert "| compare, one process |" in done.stdout
