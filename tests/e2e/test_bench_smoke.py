"""`make bench` must not rot: its harness, end to end, for the baseline variant in a tiny mode.

No timing is asserted (benchmarks are not tests); what is checked is that the harness really
spawns Lambda-like processes, that they do the reference workload (5 log lines and 3 client
calls per invocation, seen from the outside), and that the report and raw results come out.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_harness_runs_the_baseline_variant(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--tiny",
            "--in-place",
            "--variants",
            "baseline",
            "--phases",
            "cold,warm",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads((tmp_path / "latest.json").read_text())
    samples = [json.loads(line) for line in (tmp_path / "latest-samples.jsonl").open()]
    cfg = document["config"]
    baseline = document["summary"]["per_variant"]["baseline"]

    cold = [s for s in samples if s["phase"] == "cold" and s["variant"] == "baseline"]
    assert len(cold) == cfg["cold_runs"]
    for proc in cold:
        # spawn -> interpreter -> runner -> import -> first line: each step takes time.
        assert 0 < proc["spawn_to_runner_ms"] < proc["cold_start_ms"]
        assert proc["emitted"]["downstream_requests"] == 3
        assert proc["emitted"]["stdout_lines"] == 5

    (warm,) = [s for s in samples if s["phase"] == "warm"]
    invocations = cfg["warm_invocations"]
    assert len(warm["invocation_ms"]) == invocations
    assert all(ms > 0 for ms in warm["invocation_ms"])
    assert warm["emitted"]["downstream_requests"] == 3 * invocations
    assert warm["emitted"]["stdout_lines"] == 5 * invocations
    assert warm["max_rss_kb"] > 10_000
    assert baseline["warm_ms"]["n"] == invocations - cfg["warm_discard"]

    report = (tmp_path / "benchmarks.md").read_text()
    assert "| baseline |" in report
    assert "## Targets (issue 11)" in report
