"""A real OTLP/HTTP receiver on loopback, plus collectors that are down or hang."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from naver_sms.telemetry import testing


@dataclass
class OtlpReceiver:
    """Accepts OTLP/HTTP protobuf posts and keeps the raw requests (path, headers, body)."""

    url: str
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200
    connections: int = 0
    closed: int = 0  # connections the receiver has closed
    # Close each connection after answering, without saying so (an idle-timeout close).
    drop_after_response: bool = False
    # When set, each request waits (up to 2 s) until this many requests are in the receiver
    # at once; `overlapping` says whether they were.
    together: int = 0
    overlapping: list[bool] = field(default_factory=list)

    def bodies(self, path: str) -> list[bytes]:
        return [body for p, _, body in self.requests if p == path]

    def wait_all_closed(self, timeout: float = 5.0) -> None:
        """Until every connection the receiver accepted has been closed by it."""
        deadline = time.monotonic() + timeout
        while self.closed < self.connections:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.connections - self.closed} connection(s) still open")
            time.sleep(0.005)


@pytest.fixture
def otlp_receiver() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver(url="")
    barrier: list[threading.Barrier] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like the collector's Go server

        def setup(self) -> None:
            receiver.connections += 1
            super().setup()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.requests.append((self.path, dict(self.headers.items()), body))
            if receiver.together:
                if not barrier:
                    barrier.append(threading.Barrier(receiver.together))
                try:
                    barrier[0].wait(timeout=2.0)
                    receiver.overlapping.append(True)
                except threading.BrokenBarrierError:
                    receiver.overlapping.append(False)
            self.send_response(receiver.status)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()
            if receiver.drop_after_response:
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            return None

    class Server(ThreadingHTTPServer):
        def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
            super().shutdown_request(request)
            receiver.closed += 1

    server = Server(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def hanging_collector() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                accepted.append(conn)  # held open, never read from or answered
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(sock.getsockname()[1])
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    sock.close()


@pytest.fixture(autouse=True)
def _memory_afterwards(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("_X_AMZN_TRACE_ID", raising=False)
    yield
    testing.reset()
