"""The child process: a minimal Lambda runtime emulator for one variant.

Started by :mod:`benchmarks.run` in the variant's own virtualenv, with a Lambda-like
environment. Like the Lambda runtime it imports the handler named by ``_HANDLER`` (the ADOT
layers point that at their wrapper, which imports ``ORIG_HANDLER``), then invokes it with a
fresh ``_X_AMZN_TRACE_ID`` and context per invocation. Timings use the system-wide monotonic
clock, so the cold start counts from the instant the parent spawned the process
(``BENCH_SPAWN_NS``): interpreter start-up, any ``sitecustomize`` auto-instrumentation,
imports and initialisation, the first invocation and its flush: the time a user waits at a
cold start (cost moved from import into the first flush is not saved). The instant the
handler's first line runs is kept too, to decompose it.

The result is written as JSON to the file named in the spec, never to stdout: stdout is the
function's log stream (structlog / Powertools / EMF lines), captured to a file by the parent.
"""

from __future__ import annotations

import time

_RUNNER_START_NS = time.monotonic_ns()

import importlib  # noqa: E402 - the clock above must run first
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import secrets  # noqa: E402
import sys  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks import marks  # noqa: E402

ACCOUNT = "123456789012"


class LambdaContext:
    """What the Lambda runtime passes as `context`, with a real countdown."""

    def __init__(self, timeout_s: float = 60.0) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "naver-sms")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        region = os.environ.get("AWS_REGION", "ap-northeast-2")
        self.invoked_function_arn = (
            f"arn:aws:lambda:{region}:{ACCOUNT}:function:{self.function_name}"
        )
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"))
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def peak_rss_kb() -> int:
    """This process's peak RSS (VmHWM). Not `ru_maxrss`: Linux carries that over `execve`
    from the forked parent, so a small child would report the orchestrator's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def trace_header() -> str:
    """A new sampled X-Ray trace header, as Lambda active tracing sets at every invocation."""
    root = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return f"Root={root};Parent={secrets.token_hex(8)};Sampled=1"


def _bookings(path: str) -> list[dict[str, Any]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    bookings: list[dict[str, Any]] = data["bookings"] if isinstance(data, dict) else data
    return bookings


def make_event(spec: dict[str, Any], index: int, template: list[dict[str, Any]]) -> Any:
    """Reference workload: an empty event. Real handler: N bookings with fresh ids, so every
    invocation does the same work (nothing is 'already sent')."""
    if spec["workload"] != "real":
        return {}
    run = spec.get("run_id", "r")
    bookings = []
    for position, booking in enumerate(template):
        fresh = dict(booking)
        if "booking_id" in fresh:
            fresh["booking_id"] = f"{run}-{index}-{position}-{booking['booking_id']}"
        bookings.append(fresh)
    return {"bookings": bookings, "now": spec["now"]}


def main() -> None:
    spec: dict[str, Any] = json.loads(os.environ["BENCH_SPEC"])
    spawn_ns = int(os.environ.get("BENCH_SPAWN_NS", _RUNNER_START_NS))
    template = (
        _bookings(spec["bookings"])[: spec.get("bookings_per_invocation", 20)]
        if (spec["workload"] == "real")
        else []
    )
    module_name, _, attr = os.environ["_HANDLER"].rpartition(".")
    import_start = time.monotonic_ns()
    handler = getattr(importlib.import_module(module_name), attr)
    imported = time.monotonic_ns()
    durations: list[int] = []
    cpu: list[int] = []
    results: list[Any] = []
    first_end: list[int] = []  # monotonic ns and process CPU ns at the end of invocation 1

    def invoke(count: int) -> None:
        for _ in range(count):
            index = len(durations)
            os.environ["_X_AMZN_TRACE_ID"] = trace_header()
            event = make_event(spec, index, template)
            context = LambdaContext()
            started_cpu = time.process_time_ns()
            started = time.perf_counter_ns()
            result = handler(event, context)
            durations.append(time.perf_counter_ns() - started)
            cpu.append(time.process_time_ns() - started_cpu)
            if not first_end:
                first_end.extend((time.monotonic_ns(), time.process_time_ns()))
            if index < 2:
                results.append(result)
        sys.stdout.flush()

    if spec.get("reply_fd") is None:
        invoke(int(spec["invocations"]))
    else:
        # Driven: the parent interleaves batches of every variant's process (one running at a
        # time), so background noise spreads evenly over the variants.
        with os.fdopen(int(spec["reply_fd"]), "w", buffering=1) as reply:
            reply.write("ready\n")
            for line in sys.stdin:
                if line.strip() == "end":
                    break
                invoke(int(line))
                reply.write("ok\n")
    first_line = marks.first_line_ns
    out = {
        "spawn_to_runner_ms": (_RUNNER_START_NS - spawn_ns) / 1e6,
        "handler_import_ms": (imported - import_start) / 1e6,
        # Process start to the end of the first invocation, its flush included.
        "cold_start_ms": (first_end[0] - spawn_ns) / 1e6 if first_end else None,
        "cold_to_first_line_ms": (first_line - spawn_ns) / 1e6 if first_line else None,
        "in_process_init_ms": (first_line - _RUNNER_START_NS) / 1e6 if first_line else None,
        "first_invocation_ms": durations[0] / 1e6 if durations else None,
        "invocation_ms": [d / 1e6 for d in durations],
        "invocation_cpu_ms": [d / 1e6 for d in cpu],
        "cold_start_cpu_ms": first_end[1] / 1e6 if first_end else None,
        "max_rss_kb": peak_rss_kb(),
        "results": results,
        "modules": len(sys.modules),
    }
    Path(spec["result"]).write_text(json.dumps(out, default=str), encoding="utf-8")
    sys.stdout.flush()
    sys.stderr.flush()
    # Like a frozen Lambda environment, nothing runs after the last invocation: skip the
    # interpreter shutdown (atexit exporters, thread joins) that a real function never pays.
    os._exit(0)


if __name__ == "__main__":
    main()
