"""The instant a handler's first line runs, for the cold-start figure (monotonic, ns).

Every variant's handler calls :func:`first_line` as its first statement, inside whatever
wrapper its telemetry library puts around it, so "up to the first line of the handler"
means the same thing for all of them.
"""

from __future__ import annotations

import time

first_line_ns: int | None = None
# CPU time (user + system, all threads, kept across exec) the process had used by then: far
# less sensitive than wall time to other work on a shared machine.
first_line_cpu_ns: int | None = None


def first_line() -> None:
    global first_line_ns, first_line_cpu_ns  # noqa: PLW0603 - one mark per process, by design
    if first_line_ns is None:
        first_line_ns = time.monotonic_ns()
        first_line_cpu_ns = time.process_time_ns()
