"""Test helpers around the collector; the runner itself lives in `naver_sms.devstack.collector`
(the demo uses it too)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from naver_sms.devstack.collector import (
    ALL_CONFIGS,
    COLLECTOR_BIN,
    COLLECTOR_DIR,
    FAKE_AWS_ENV,
    INSPECT_OVERLAY,
    LAMBDA_CONFIG,
    LOCAL_CONFIG,
    OTLP_BACKEND_HEADERS,
    OTLP_CONFIG,
    REPO,
    CollectorProcess,
    collector_env,
    free_port,
    require_binary,
    validate,
)

__all__ = [
    "ALL_CONFIGS",
    "COLLECTOR_BIN",
    "COLLECTOR_DIR",
    "FAKE_AWS_ENV",
    "INSPECT_OVERLAY",
    "LAMBDA_CONFIG",
    "LOCAL_CONFIG",
    "OTLP_BACKEND_HEADERS",
    "OTLP_CONFIG",
    "CollectorProcess",
    "collector_env",
    "free_port",
    "require_binary",
    "run_emitter",
    "validate",
    "wait_until",
]


def run_emitter(
    endpoint: str,
    *,
    store: str = "store-1",
    sms: int = 3,
    random_ids: bool = False,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One cold start: `support.collector_emitter` in a fresh interpreter; returns its report.
    The emitter sees no OTEL_*/AWS_* variable of ours, only those given in `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AWS_"))}
    child_env = {**clean, **(env or {})}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "support.collector_emitter",
            endpoint,
            "--store",
            store,
            "--sms",
            str(sms),
            *(["--random-ids"] if random_ids else []),
        ],
        cwd=REPO / "tests",
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"emitter failed ({result.returncode}):\n{result.stderr}")
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def wait_until(
    predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition"
) -> None:
    """Poll until `predicate()` holds; exports are synchronous, so this rarely waits at all."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.05)
