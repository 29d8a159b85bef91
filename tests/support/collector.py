"""The collector built by `make collector`, run as a real process on loopback ports.

`CollectorProcess` starts the binary with one of the configurations in `collector/`, passing
ports and endpoints through the environment variables the configuration reads, collects what
it writes (stdout: EMF documents; stderr: its own logs and the debug exporter), and stops it
with SIGTERM (SIGKILL only if it hangs).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[2]
COLLECTOR_DIR = REPO / "collector"
COLLECTOR_BIN = COLLECTOR_DIR / "_build" / "otelcol" / "otelcol-adot-lambda"
LAMBDA_CONFIG = COLLECTOR_DIR / "config.yaml"
OTLP_CONFIG = COLLECTOR_DIR / "otlp.yaml"
LOCAL_CONFIG = COLLECTOR_DIR / "local.yaml"
ALL_CONFIGS = (LAMBDA_CONFIG, OTLP_CONFIG, LOCAL_CONFIG)

# Headers the OTLP-swap tests give the collector through NAVER_SMS_OTLP_BACKEND_HEADERS.
OTLP_BACKEND_HEADERS = {"api-key": "test-backend-key"}
# What the collector may see of the developer's environment: nothing that points at real AWS.
_SAFE_ENV = ("PATH", "HOME", "LANG", "TMPDIR")
# The awsxray exporter signs its calls; the local X-Ray endpoint accepts any signature.
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # not a secret: the local endpoint only
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def require_binary() -> Path:
    """The built collector; a clear failure (not a skip) when `make collector` has not run."""
    if not os.access(COLLECTOR_BIN, os.X_OK):
        raise RuntimeError(f"{COLLECTOR_BIN} is missing: run `make collector` first")
    return COLLECTOR_BIN


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def collector_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: os.environ[k] for k in _SAFE_ENV if k in os.environ}
    env.update(FAKE_AWS_ENV)
    env.update(extra or {})
    return env


def validate(
    config: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the collector's own `validate` command on a configuration."""
    return subprocess.run(
        [str(require_binary()), "validate", f"--config={config}"],
        env=collector_env(env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _wait_for_port(port: int, deadline: float, process: subprocess.Popen[str]) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"collector exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"collector not listening on 127.0.0.1:{port}")


class CollectorProcess:
    """One running collector; use as a context manager."""

    def __init__(
        self,
        config: Path,
        env: Mapping[str, str] | None = None,
        *,
        pin_receiver: bool = False,
        overrides: Sequence[str] = (),
    ) -> None:
        """`pin_receiver` moves a config's fixed localhost:4317/4318 receiver to free ports with
        `--set` overrides, so a production config runs unchanged apart from its ports;
        `overrides` are further `--set=key=value` settings."""
        self.config = config
        self.grpc_port = free_port()
        self.http_port = free_port()
        self.overrides: list[str] = []
        if pin_receiver:
            self.overrides = [
                f"--set=receivers.otlp.protocols.grpc.endpoint=127.0.0.1:{self.grpc_port}",
                f"--set=receivers.otlp.protocols.http.endpoint=127.0.0.1:{self.http_port}",
            ]
        self.overrides += [f"--set={item}" for item in overrides]
        self.env = collector_env(
            {
                "NAVER_SMS_COLLECTOR_GRPC_PORT": str(self.grpc_port),
                "NAVER_SMS_COLLECTOR_HTTP_PORT": str(self.http_port),
                **(env or {}),
            }
        )
        self.stdout_lines: list[str] = []
        self.stderr_lines: list[str] = []
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._readers: list[threading.Thread] = []

    @property
    def otlp_http_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def _read(self, stream: IO[str], sink: list[str]) -> None:
        for line in stream:
            with self._lock:
                sink.append(line.rstrip("\n"))

    def start(self, timeout: float = 30.0) -> CollectorProcess:
        self._process = subprocess.Popen(
            [str(require_binary()), f"--config={self.config}", *self.overrides],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        for stream, sink in (
            (self._process.stdout, self.stdout_lines),
            (self._process.stderr, self.stderr_lines),
        ):
            assert stream is not None
            reader = threading.Thread(target=self._read, args=(stream, sink), daemon=True)
            reader.start()
            self._readers.append(reader)
        deadline = time.monotonic() + timeout
        try:
            _wait_for_port(self.http_port, deadline, self._process)
            _wait_for_port(self.grpc_port, deadline, self._process)
        except Exception:
            self.stop()
            raise RuntimeError("collector failed to start:\n" + "\n".join(self.stderr())) from None
        return self

    def stdout(self) -> list[str]:
        with self._lock:
            return list(self.stdout_lines)

    def stderr(self) -> list[str]:
        with self._lock:
            return list(self.stderr_lines)

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, wait for a clean shutdown (exporters flush); SIGKILL only if it hangs."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        for reader in self._readers:
            reader.join(5)
        return process.returncode

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def __enter__(self) -> CollectorProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_emitter(
    endpoint: str, *, store: str = "store-1", sms: int = 3, random_ids: bool = False
) -> dict[str, Any]:
    """One cold start: `support.collector_emitter` in a fresh interpreter; returns its report."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AWS_"))}
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
        env=env,
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
