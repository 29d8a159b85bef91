"""The collector built by `make collector`, run as a real process on loopback ports (tests, demo).

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
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Self

from naver_sms.devstack.lifecycle import Service

REPO = Path(__file__).resolve().parents[3]
COLLECTOR_DIR = REPO / "collector"
COLLECTOR_BIN = COLLECTOR_DIR / "_build" / "otelcol" / "otelcol-adot-lambda"
LAMBDA_CONFIG = COLLECTOR_DIR / "config.yaml"
OTLP_CONFIG = COLLECTOR_DIR / "otlp.yaml"
LOCAL_CONFIG = COLLECTOR_DIR / "local.yaml"
ALL_CONFIGS = (LAMBDA_CONFIG, OTLP_CONFIG, LOCAL_CONFIG)
# Overlay merged over local.yaml by the demo: also copies spans and metric points, as OTLP,
# to a local receiver so they can be written out and read.
INSPECT_OVERLAY = COLLECTOR_DIR / "inspect.yaml"

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
    config: Path, env: Mapping[str, str] | None = None, overlays: Sequence[Path] = ()
) -> subprocess.CompletedProcess[str]:
    """Run the collector's own `validate` command on a configuration (plus merged overlays)."""
    return subprocess.run(
        [
            str(require_binary()),
            "validate",
            f"--config={config}",
            *(f"--config={overlay}" for overlay in overlays),
        ],
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


class CollectorProcess(Service):
    """One running collector; use as a context manager."""

    def __init__(
        self,
        config: Path,
        env: Mapping[str, str] | None = None,
        *,
        pin_receiver: bool = False,
        overrides: Sequence[str] = (),
        overlays: Sequence[Path] = (),
    ) -> None:
        """`pin_receiver` moves a config's fixed localhost:4317/4318 receiver to free ports with
        `--set` overrides, so a production config runs unchanged apart from its ports;
        `overrides` are further `--set=key=value` settings; `overlays` are configuration files
        merged over `config` (the collector merges repeated `--config` flags in order)."""
        self.config = config
        self.overlays = tuple(overlays)
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

    def start(self, timeout: float = 30.0) -> Self:
        self._process = subprocess.Popen(
            [
                str(require_binary()),
                f"--config={self.config}",
                *(f"--config={overlay}" for overlay in self.overlays),
                *self.overrides,
            ],
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


class InspectedCollector(Service):
    """The collector with local.yaml + the inspect overlay, and every destination it writes to.

    On exit it stops the collector (which flushes), then writes what came out:
    `emf.jsonl` (the EMF documents of its stdout), `xray-segments.jsonl` (what the X-Ray API
    received), `spans.jsonl` and `metrics.jsonl` (the OTLP copy), and `collector.log`.
    """

    def __init__(self, out: Path) -> None:
        from naver_sms.devstack.collector_sinks import OtlpReceiver, XRayEndpoint  # noqa: PLC0415

        self.out = out
        self.xray = XRayEndpoint()
        self.inspect = OtlpReceiver()
        self.process: CollectorProcess | None = None

    def start(self) -> Self:
        require_binary()
        self.xray.start()
        self.inspect.start()
        try:
            self.process = CollectorProcess(
                LOCAL_CONFIG,
                {
                    "NAVER_SMS_XRAY_PORT": str(self.xray.port),
                    "NAVER_SMS_INSPECT_PORT": str(self.inspect.port),
                },
                overlays=(INSPECT_OVERLAY,),
            ).start()
        except BaseException:
            self.inspect.stop()
            self.xray.stop()
            raise
        return self

    def lambda_env(self) -> dict[str, str]:
        """What points the Lambda's OTLP exporters at this collector (as the layer would be)."""
        assert self.process is not None
        return {
            "OTEL_TRACES_EXPORTER": "otlp",
            "OTEL_METRICS_EXPORTER": "otlp",
            "OTEL_EXPORTER_OTLP_ENDPOINT": self.process.otlp_http_endpoint,
        }

    def stop(self) -> None:
        try:
            if self.process is not None:
                self.process.stop()
                self._write()
        finally:
            self.inspect.stop()
            self.xray.stop()

    def _write(self) -> None:
        from naver_sms.devstack.otlp_json import metric_points_json, spans_json  # noqa: PLC0415

        assert self.process is not None
        self.out.mkdir(parents=True, exist_ok=True)
        # The one awsemf exporter prints only EMF (no plain copies of undeclared metrics), so
        # this keeps every metric line; it only guards against anything else on stdout.
        emf = [line for line in self.process.stdout() if '"_aws"' in line]
        _write_lines(self.out / "emf.jsonl", emf)
        _write_lines(
            self.out / "xray-segments.jsonl",
            [json.dumps(doc, ensure_ascii=False) for doc in self.xray.documents()],
        )
        _write_lines(self.out / "spans.jsonl", spans_json(self.inspect))
        _write_lines(self.out / "metrics.jsonl", metric_points_json(self.inspect))
        _write_lines(self.out / "collector.log", self.process.stderr())


def _write_lines(path: Path, lines: Sequence[str]) -> None:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
