"""Index one capture in a child: ``python -m naver_sms.comparison.worker PATH [--skip-invalid]``.

The parent (:func:`naver_sms.comparison.engine.index_pair`) indexes the other file meanwhile
and reads the pickled :class:`~naver_sms.comparison.capture.CaptureIndex` (or the
``CaptureError``) from this process's stdout. A plain child interpreter, rather than
``multiprocessing``, needs no ``__main__`` guard in the caller and never forks a process that
may hold telemetry threads.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from naver_sms.comparison.capture import CaptureError, CaptureIndex, index_capture


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
    """Wait for the child; return its index or raise the ``CaptureError`` it met."""
    payload, _ = process.communicate()
    if process.returncode != 0 or not payload:
        raise RuntimeError(f"capture index worker failed (exit code {process.returncode})")
    status, value = pickle.loads(payload)  # noqa: S301 - our own child process wrote it
    if status == "error":
        raise value
    if not isinstance(value, CaptureIndex):
        raise RuntimeError("capture index worker returned something else")
    return value


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = args[0]
    try:
        result: tuple[str, object] = (
            "ok",
            index_capture(path, skip_invalid="--skip-invalid" in args),
        )
    except CaptureError as exc:
        result = ("error", exc)
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
