"""moto in server mode as a child process on loopback, reached by real boto3 over HTTP.

The child binds port 0 itself and reports the port it got through a file, so there is no
window in which another process can take a port we picked. It runs in its own process group
(stopped as a group: SIGTERM, then SIGKILL) and exits by itself if its parent dies, so a
crashed or killed test run leaves no moto behind.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from types import FrameType
from typing import IO, Self

from naver_sms.devstack.lifecycle import Service

STARTUP_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 5.0
_PARENT_POLL_SECONDS = 0.5

_live: set[MotoServer] = set()
_live_lock = threading.Lock()


class MotoServerError(RuntimeError):
    """moto did not start; the message carries the tail of its log."""


class MotoServer(Service):
    """One moto server process; a context manager. ``endpoint_url`` is for AWS_ENDPOINT_URL."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        log_path: Path | None = None,
        startup_timeout: float = STARTUP_TIMEOUT_SECONDS,
        python: str = sys.executable,
    ) -> None:
        self.host = host
        self.startup_timeout = startup_timeout
        self._python = python
        self._requested_log = log_path
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._log_file: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._port: int | None = None
        self.log_path: Path | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        if self._process is not None:
            return self
        self._workdir = tempfile.TemporaryDirectory(prefix="naver-sms-moto-")
        ready_file = Path(self._workdir.name) / "port"
        self.log_path = self._requested_log or Path(self._workdir.name) / "moto.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = self.log_path.open("ab")
        src_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src_root, env.get("PYTHONPATH")) if p)
        command = [
            self._python,
            "-m",
            "naver_sms.devstack.moto_server",
            "--host",
            self.host,
            "--ready-file",
            str(ready_file),
            "--parent-pid",
            str(os.getpid()),
        ]
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=self._log_file,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
            with _live_lock:
                _live.add(self)
            self._port = self._wait_ready(ready_file)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, ready_file: Path) -> int:
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if ready_file.exists():
                text = ready_file.read_text().strip()
                if text:
                    return int(text)
            if self._process.poll() is not None:
                raise MotoServerError(
                    f"moto server exited with code {self._process.returncode} before it was "
                    f"ready; log {self.log_path}:\n{self._log_tail()}"
                )
            time.sleep(0.02)
        raise MotoServerError(
            f"moto server not ready after {self.startup_timeout:.0f} s; "
            f"log {self.log_path}:\n{self._log_tail()}"
        )

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Stop the process group (SIGTERM, then SIGKILL after ``timeout``). Idempotent."""
        process = self._process
        if process is not None:
            if process.poll() is None:
                _signal_group(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    _signal_group(process.pid, signal.SIGKILL)
                    process.wait(timeout=timeout)
            # The leader is gone; take down anything it left in its group.
            _signal_group(process.pid, signal.SIGKILL)
        with _live_lock:
            _live.discard(self)
        self._process = None
        self._port = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    # -- facts -------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("moto server is not running")
        return self._process.pid

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("moto server is not running")
        return self._port

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def reset(self) -> None:
        """Drop every resource in every moto backend (``POST /moto-api/reset``)."""
        url = f"{self.endpoint_url}/moto-api/reset"  # always http://<loopback>
        request = urllib.request.Request(url, method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()

    def _log_tail(self, lines: int = 20) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


@atexit.register
def stop_all() -> None:
    """Stop every moto server this process started (also run at interpreter exit)."""
    with _live_lock:
        servers = list(_live)
    for server in servers:
        server.stop()


# -- child process ---------------------------------------------------------------------------


def _serve(host: str, ready_file: Path, parent_pid: int) -> None:
    # Imported here, in the child only: moto takes ~1.5 s to import.
    from moto.moto_server.werkzeug_app import (  # noqa: PLC0415
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server  # noqa: PLC0415

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(host, 0, app, threaded=True, request_handler=MotoRequestHandler)
    port = int(server.server_address[1])
    os.environ["MOTO_PORT"] = str(port)  # moto builds some resource URLs from it

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        os._exit(0)  # all state is in memory and disposable: exit at once, no drain

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    partial = ready_file.with_suffix(".tmp")
    partial.write_text(str(port))
    partial.replace(ready_file)  # atomic: the parent never reads half a port
    while os.getppid() == parent_pid:
        time.sleep(_PARENT_POLL_SECONDS)
    os._exit(0)  # orphaned: the test run or demo died without stopping us


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="moto server child of a naver-sms local stack")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--parent-pid", type=int, required=True)
    args = parser.parse_args(argv)
    _serve(args.host, args.ready_file, args.parent_pid)


if __name__ == "__main__":
    main()
