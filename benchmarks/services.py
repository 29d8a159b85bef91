"""What the benchmarked functions talk to, all on loopback, run by the orchestrator.

- :class:`Downstream`: the reference workload's three dependencies in one HTTP server: a
  DynamoDB-shaped JSON endpoint (GetItem), a SENS-shaped and a Telegram-shaped endpoint. It
  answers instantly so that what the variants differ in (their telemetry) is what is measured.
- :class:`UdpSink`: stands in for the X-Ray daemon (Powertools' segments, the ADOT distro's
  OTLP-over-UDP spans); counts datagrams and bytes so the report can show data really left.
- :class:`Collector`: the collector built by ``make collector`` with a benchmark config (OTLP/HTTP
  receiver, debug exporter): the live receiver for naver-sms and the ADOT layer style. When the
  binary is missing, :class:`PyReceiver` (a stdlib OTLP/HTTP endpoint answering 200) stands in
  and the report says so.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COLLECTOR_BIN = ROOT / "collector" / "_build" / "otelcol" / "otelcol-adot-lambda"
COLLECTOR_CONFIG = Path(__file__).resolve().parent / "collector.yaml"


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _DownstreamHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive for botocore's pool, like the real endpoints
    # One write per response and no Nagle: otherwise a keep-alive client waits for the
    # delayed ACK (~40 ms) between the header and body segments.
    wbufsize = -1
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        server: Any = self.server
        server.counts[self._kind()] = server.counts.get(self._kind(), 0) + 1
        target = self.headers.get("X-Amz-Target", "")
        if target.endswith(".GetItem"):
            body = {"Item": {"booking_id": {"S": "B-1"}, "confirm_sms": {"BOOL": True}}}
            self._reply(200, body, "application/x-amz-json-1.0")
        elif target:
            self._reply(200, {}, "application/x-amz-json-1.0")
        elif "/sms/" in self.path:
            self._reply(
                202,
                {"requestId": uuid.uuid4().hex, "statusCode": "202", "statusName": "success"},
                "application/json",
            )
        else:
            self._reply(200, {"ok": True, "result": {"message_id": 1}}, "application/json")

    def _kind(self) -> str:
        if self.headers.get("X-Amz-Target"):
            return "dynamodb"
        return "sens" if "/sms/" in self.path else "telegram"

    def _reply(self, status: int, body: dict[str, Any], content_type: str) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", uuid.uuid4().hex)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return None


class _ThreadedServer:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = _Server(("127.0.0.1", 0), handler)
        self.server.counts = {}  # type: ignore[attr-defined]
        self.port: int = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = self.server.counts  # type: ignore[attr-defined]
        return counts

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Downstream(_ThreadedServer):
    def __init__(self) -> None:
        super().__init__(_DownstreamHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class _ReceiverHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = -1
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        server: Any = self.server
        server.counts[self.path] = server.counts.get(self.path, 0) + 1
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


class PyReceiver(_ThreadedServer):
    """Fallback OTLP/HTTP receiver (answers 200 to every export) when no collector is built."""

    description = "stdlib OTLP/HTTP endpoint (collector binary not built)"

    def __init__(self) -> None:
        super().__init__(_ReceiverHandler)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def received(self) -> dict[str, int]:
        return dict(self.counts)


class Collector:
    """The `make collector` binary, receiving OTLP/HTTP on a free loopback port."""

    def __init__(self, log_path: Path) -> None:
        self.http_port = free_port()
        self.grpc_port = free_port()
        self.metrics_port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.description = f"{COLLECTOR_BIN.relative_to(ROOT)} (OTLP/HTTP receiver, debug exporter)"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, timeout_s: float = 20.0) -> None:
        env = {
            "BENCH_OTLP_HTTP_PORT": str(self.http_port),
            "BENCH_OTLP_GRPC_PORT": str(self.grpc_port),
            "BENCH_TELEMETRY_PORT": str(self.metrics_port),
        }
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [str(COLLECTOR_BIN), "--config", str(COLLECTOR_CONFIG)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        started = time.monotonic()
        deadline = started + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"collector exited early; see {self.log_path}")
            try:
                with socket.create_connection(("127.0.0.1", self.http_port), timeout=0.2):
                    self.start_ms = (time.monotonic() - started) * 1000
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"collector did not listen on {self.http_port}; see {self.log_path}")

    def footprint(self) -> dict[str, Any]:
        """What the collector process itself costs (not counted in any variant's figures)."""
        out: dict[str, Any] = {"start_to_listening_ms": getattr(self, "start_ms", None)}
        if self.process is not None and self.process.poll() is None:
            try:
                status = Path(f"/proc/{self.process.pid}/status").read_text()
            except OSError:
                return out
            for line in status.splitlines():
                if line.startswith(("VmHWM:", "VmRSS:")):
                    out[line.split(":")[0]] = int(line.split()[1]) / 1024.0
        return out

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None) is not None:
            self._log.close()

    def received(self) -> dict[str, int]:
        """Spans and metric points the OTLP receiver accepted (the collector's own metrics)."""
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                text = response.read().decode()
        except OSError:
            return {"spans": 0, "metric_points": 0}
        totals = {"spans": 0, "metric_points": 0}
        for line in text.splitlines():
            for key, metric in (
                ("spans", "otelcol_receiver_accepted_spans"),
                ("metric_points", "otelcol_receiver_accepted_metric_points"),
            ):
                if line.startswith(metric):
                    totals[key] += int(float(line.rsplit(" ", 1)[1]))
        return totals


class UdpSink:
    """A local X-Ray daemon stand-in: receives and counts every datagram."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port: int = self.sock.getsockname()[1]
        self.datagrams = 0
        self.bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            self.datagrams += 1
            self.bytes += len(data)

    def snapshot(self) -> tuple[int, int]:
        return self.datagrams, self.bytes

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()
