"""`make demo` run by the tests: once per session (tests/e2e/conftest.py), with a canary secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CANARY = "canary-secret-7f3a9e1c"


def run_demo(out: Path) -> str:
    """Run the demo into `out`; returns its stdout (fails the test when the demo fails)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AWS_"))}
    env["SENS_SECRET_KEY"] = CANARY  # "works with any values of the secret variables"
    proc = subprocess.run(
        [sys.executable, "-m", "naver_sms.devstack.demo", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout
