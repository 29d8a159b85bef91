"""Child processes of a comparison: index one capture, or compare a share of bookings in full.

``python -m naver_sms.comparison.worker PATH [--skip-invalid]`` indexes one capture;
``python -m naver_sms.comparison.worker --full TASK`` compares the bookings of a pickled task.

The parent (:func:`naver_sms.comparison.engine.index_pair`) starts one indexer per capture
and reads the pickled :class:`~naver_sms.comparison.capture.CaptureIndex` (or the
``CaptureError``) from each one's stdout. A plain child interpreter, rather than
``multiprocessing``, needs no ``__main__`` guard in the caller and never forks a process that
may hold telemetry threads.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from naver_sms.comparison.capture import CaptureError, CaptureIndex, index_capture

if TYPE_CHECKING:
    from naver_sms.comparison.engine import DiscrepancyRecord


def start(path: str | Path, *, skip_invalid: bool, hash_seed: int) -> subprocess.Popen[bytes]:
    """Start indexing ``path`` in a child interpreter; collect it with :func:`finish`.

    Fingerprints are ``hash()`` values, which Python randomises per process: both sides must
    be indexed under the same ``PYTHONHASHSEED`` for their fingerprints to be comparable.
    """
    command = [sys.executable, "-m", "naver_sms.comparison.worker", str(path)]
    if skip_invalid:
        command.append("--skip-invalid")
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    return subprocess.Popen(command, stdout=subprocess.PIPE, env=env)


def finish(process: subprocess.Popen[bytes]) -> CaptureIndex:
    """Wait for the child; return its index or raise the ``CaptureError``/``OSError`` it met."""
    payload, _ = process.communicate()
    if process.returncode != 0 or not payload:
        raise RuntimeError(f"capture index worker failed (exit code {process.returncode})")
    status, value = pickle.loads(payload)  # noqa: S301 - our own child process wrote it
    if status == "error":
        raise value
    if not isinstance(value, CaptureIndex):
        raise RuntimeError("capture index worker returned something else")
    return value


def start_full(
    old_path: str | Path,
    new_path: str | Path,
    old_wanted: Mapping[int, str],
    new_wanted: Mapping[int, str],
    ids: Sequence[str],
) -> FullComparisonJob:
    """Start comparing ``ids`` in full in a child (see ``engine.compare_lines``)."""
    # The task goes through a file: writing it to a pipe would block the parent until the
    # child has started up and begun reading.
    with tempfile.NamedTemporaryFile("wb", prefix="naver-sms-compare-", delete=False) as task:
        pickle.dump(
            (str(old_path), str(new_path), dict(old_wanted), dict(new_wanted), list(ids)),
            task,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    command = [sys.executable, "-m", "naver_sms.comparison.worker", "--full", task.name]
    try:
        return FullComparisonJob(subprocess.Popen(command, stdout=subprocess.PIPE), task.name)
    except BaseException:
        Path(task.name).unlink(missing_ok=True)
        raise


@dataclass
class FullComparisonJob:
    """A running share of the full comparison; :meth:`stop` whatever happens."""

    process: subprocess.Popen[bytes]
    task_path: str

    def stop(self) -> None:
        """Kill the child if still running and remove the task file (idempotent)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        Path(self.task_path).unlink(missing_ok=True)


def finish_full(job: FullComparisonJob) -> tuple[list[DiscrepancyRecord], int]:
    """The child's (records, matched bookings)."""
    process = job.process
    assert process.stdout is not None
    payload = process.stdout.read()
    process.wait()
    if process.returncode != 0 or not payload:
        raise RuntimeError(f"full comparison worker failed (exit code {process.returncode})")
    records, matched = pickle.loads(payload)  # noqa: S301 - our own child process wrote it
    return records, matched


def _full(task_path: str) -> int:
    from naver_sms.comparison.engine import compare_lines  # noqa: PLC0415 - child side only

    path = Path(task_path)
    try:
        task = pickle.loads(path.read_bytes())  # noqa: S301 - our own parent wrote it
    finally:
        path.unlink(missing_ok=True)
    result = compare_lines(*task)
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--full"]:
        return _full(args[1])
    path = args[0]
    try:
        result: tuple[str, object] = (
            "ok",
            index_capture(path, skip_invalid="--skip-invalid" in args),
        )
    except (CaptureError, OSError) as exc:  # re-raised in the parent, as if it had read
        result = ("error", exc)
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
