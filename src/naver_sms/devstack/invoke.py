"""A local Lambda execution environment: invokes the handler once per event, like the runtime.

`python -m naver_sms.devstack.invoke EVENTS.jsonl --results RESULTS.jsonl`

One process is one execution environment (the first invocation is the cold start). Before each
invocation a fresh `_X_AMZN_TRACE_ID` is set, as Lambda active tracing does, so the handler's
spans continue that trace. stdout carries what the function's log group would hold: the
Lambda's own JSON logs and, after each invocation, the runtime's `platform.report` record as
Lambda writes it with the JSON log format (duration, billed duration, memory, the init duration
on a cold start, status, tracing). That record is this module's emulation of the runtime:
its durations are measured here, init from this process's start to the handler imported. The
results, with each invocation's request id and X-Ray trace id, go to the results file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import secrets
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from naver_sms.devstack.lambda_context import LambdaContext

# The emulated runtime starts here: a cold start's init runs from now to the handler imported.
_RUNTIME_STARTED = time.perf_counter()


def new_trace_header() -> tuple[str, str]:
    """A Lambda-style `_X_AMZN_TRACE_ID` value and its X-Ray trace id."""
    trace_id = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return f"Root={trace_id};Parent={secrets.token_hex(8)};Sampled=1", trace_id


def platform_report(
    request_id: str,
    duration_ms: float,
    status: str,
    trace_header: str,
    init_duration_ms: float | None,
) -> dict[str, Any]:
    """The `platform.report` record Lambda writes after an invocation (JSON log format)."""
    metrics: dict[str, Any] = {
        "durationMs": round(duration_ms, 2),
        "billedDurationMs": max(1, math.ceil(duration_ms)),
        "memorySizeMB": int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")),
        # ru_maxrss is in KiB on Linux: the peak of the whole environment, as Lambda reports it.
        "maxMemoryUsedMB": math.ceil(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if init_duration_ms is not None:
        metrics["initDurationMs"] = round(init_duration_ms, 2)
    now = datetime.now(UTC)
    return {
        "time": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "type": "platform.report",
        "record": {
            "requestId": request_id,
            "metrics": metrics,
            "tracing": {"type": "X-Amzn-Trace-Id", "value": trace_header},
            "status": status,
        },
    }


def run(events: list[Any], results_path: Path, function_name: str, timeout_s: float) -> int:
    os.environ.setdefault("AWS_LAMBDA_FUNCTION_NAME", function_name)
    from naver_sms.app.handler import lambda_handler  # noqa: PLC0415 - import is the cold start

    init_duration_ms: float | None = (time.perf_counter() - _RUNTIME_STARTED) * 1000
    failures = 0
    with results_path.open("a", encoding="utf-8") as out:
        for event in events:
            header, xray_trace_id = new_trace_header()
            os.environ["_X_AMZN_TRACE_ID"] = header
            context = LambdaContext(function_name=function_name, timeout_s=timeout_s)
            started = time.perf_counter()
            record: dict[str, Any] = {
                "request_id": context.aws_request_id,
                "xray_trace_id": xray_trace_id,
                "now": event.get("now") if isinstance(event, dict) else None,
            }
            status = "success"
            try:
                record["result"] = lambda_handler(event, context)
            except Exception as exc:
                failures += 1
                status = "error"
                record["error"] = {"type": type(exc).__name__, "message": str(exc)}
            elapsed_ms = (time.perf_counter() - started) * 1000
            record["duration_ms"] = round(elapsed_ms, 1)
            report = platform_report(
                context.aws_request_id, elapsed_ms, status, header, init_duration_ms
            )
            init_duration_ms = None  # only the cold start reports an init
            sys.stdout.write(json.dumps(report) + "\n")
            sys.stdout.flush()
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("events", type=Path, help="JSON Lines, one Lambda event per line")
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--function-name", default="naver-sms")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per invocation")
    args = parser.parse_args(argv)
    events = [
        json.loads(line) for line in args.events.read_text("utf-8").splitlines() if line.strip()
    ]
    failures = run(events, args.results, args.function_name, args.timeout)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
