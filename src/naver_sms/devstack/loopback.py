"""A stdlib HTTP server on loopback, in a daemon thread, that records every exchange.

The local SENS, Telegram and Slack servers share this base: they differ only in how a request is
judged. Recording happens before the response is written, so a test that has its answer can
always see the exchange; secrets are redacted by the subclass before anything is recorded.

``reset()`` starts a new generation. A request that arrived before it belongs to the previous
test: however late its handler runs (released from an injected hang, or just scheduled late
on a busy machine) it takes no fault, records nothing, leaves no message and gets no response,
so it can never show up in the next test's log.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, cast
from urllib.parse import parse_qsl, unquote, urlsplit

from naver_sms.devstack.faults import Fault, FaultQueue
from naver_sms.devstack.lifecycle import Service

_log = logging.getLogger("naver_sms.devstack")

MAX_BODY_BYTES = 1024 * 1024
DISCONNECTED = 0
"""Status recorded for an exchange whose connection was dropped on purpose (no response)."""


@dataclass(frozen=True)
class IncomingRequest:
    """One HTTP request as the handler saw it."""

    method: str
    target: str
    """The raw request target (path and query) exactly as sent: the SENS signature covers it."""
    path: str
    """Percent-decoded path without the query."""
    query: dict[str, str]
    headers: Mapping[str, str]
    """Header names lower-cased."""
    body: bytes
    generation: int = 0
    """The server's reset generation at arrival; see ``LoopbackServer.is_current``."""


@dataclass(frozen=True)
class Reply:
    """What a server answers; ``reason`` says why a request was refused (None when accepted)."""

    status: int
    body: Any
    reason: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    request_body: Any = None
    """The request body as the server decoded it, for the record (raw text if None)."""


@dataclass(frozen=True)
class Exchange:
    """One recorded request/response pair; secrets already redacted."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int
    response: Any
    reason: str | None
    received_at: float
    injected: bool
    """True when a queued fault produced the response."""

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300 and not self.injected


def _require_loopback(host: str) -> None:
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise ValueError(f"local servers bind to loopback only, got host {host!r}")


class StaleRequest(Exception):
    """The request arrived before the last ``reset()``; it must leave no trace."""


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: LoopbackServer


class _Handler(BaseHTTPRequestHandler):
    timeout = 30
    server_version = "naver-sms-devstack"

    def _owner(self) -> LoopbackServer:
        return cast(_HttpServer, self.server).owner

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("%s: " + format, self._owner().name, *args)

    def _read_body(self) -> bytes | Reply:
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            if self.headers.get("Transfer-Encoding"):
                return Reply(411, {"error": "Content-Length required"}, "no Content-Length")
            return b""
        try:
            length = int(length_header)
        except ValueError:
            return Reply(400, {"error": "bad Content-Length"}, f"Content-Length {length_header!r}")
        if length < 0 or length > MAX_BODY_BYTES:
            return Reply(413, {"error": "body too large"}, f"Content-Length {length}")
        return self.rfile.read(length)

    def _serve(self) -> None:
        owner = self._owner()
        generation, stopping = owner.admit()
        received_at = time.time()
        split = urlsplit(self.path)
        body = self._read_body()
        request = IncomingRequest(
            method=self.command,
            target=self.path,
            path=unquote(split.path),
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body if isinstance(body, bytes) else b"",
            generation=generation,
        )
        try:
            fault = owner.take_fault(request)
        except StaleRequest:
            self._drop()
            return
        if fault is not None:
            if fault.delay:
                # The event current at arrival: reset() sets it even if it already replaced it.
                stopping.wait(fault.delay)
                if not owner.is_current(request):
                    self._drop()  # released by reset(): the test that sent it is over
                    return
            if fault.disconnect:
                owner.record(request, Reply(DISCONNECTED, None, "injected disconnect"), received_at)
                self._drop()
                return
        if fault is not None and fault.status is not None:
            reply = owner.fault_reply(fault)
            recorded = owner.record(request, reply, received_at, injected=True)
        else:
            reply = body if isinstance(body, Reply) else owner.dispatch(request)
            recorded = owner.record(request, reply, received_at)
        if not recorded:
            self._drop()  # reset() ran while it was being judged
            return
        self._write(reply)

    def _drop(self) -> None:
        """Close the connection without any response."""
        self.close_connection = True

    def _write(self, reply: Reply) -> None:
        if isinstance(reply.body, bytes):  # plain-text APIs (Slack webhooks answer "ok")
            payload, content_type = reply.body, "text/plain; charset=utf-8"
        else:
            payload = json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (e.g. timed out on an injected hang); nothing left to tell it.
            self.close_connection = True


class LoopbackServer(Service):
    """Base of the local wire-contract servers: start/stop, recording, fault injection."""

    name = "loopback"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        _require_loopback(host)
        self._host = host
        self._requested_port = port
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._exchanges: list[Exchange] = []
        self._generation = 0
        self.faults = FaultQueue()
        self.stopping = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        if self._httpd is not None:
            return self
        httpd = _HttpServer((self._host, self._requested_port), _Handler)
        httpd.owner = self
        self.stopping = threading.Event()
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{self.name}-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; wakes handlers that are hanging on an injected delay. Idempotent."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError(f"{self.name} server is not running")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, no trailing slash."""
        return f"http://{self._host}:{self.port}"

    # -- recording and faults ----------------------------------------------------------------

    @property
    def exchanges(self) -> list[Exchange]:
        """Every request received so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._exchanges)

    @property
    def accepted(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.accepted]

    @property
    def rejected(self) -> list[Exchange]:
        """Refused by validation or answered by an injected fault."""
        return [e for e in self.exchanges if not e.accepted]

    def inject(
        self,
        status: int | None = None,
        *,
        times: int = 1,
        delay: float = 0.0,
        body: Any = None,
        retry_after: int | None = None,
        disconnect: bool = False,
    ) -> Fault:
        """Make the next ``times`` requests fail (or hang ``delay`` s first); queued in order."""
        fault = Fault(
            status=status,
            times=times,
            delay=delay,
            body=body,
            retry_after=retry_after,
            disconnect=disconnect,
        )
        self.faults.push(fault)
        return fault

    def reset(self) -> None:
        """Forget recorded exchanges and queued faults, wake hung handlers (between tests).

        Starts a new generation: requests that arrived before are dropped whenever their
        handlers get to run. Subclasses clear their own state after calling this.
        """
        with self._lock:
            self._generation += 1
            self.faults.clear()
            hung, self.stopping = self.stopping, threading.Event()
            self._exchanges.clear()
        hung.set()

    def admit(self) -> tuple[int, threading.Event]:
        """The generation a request arriving now belongs to, and the event that wakes its hang."""
        with self._lock:
            return self._generation, self.stopping

    def is_current(self, request: IncomingRequest) -> bool:
        """False once ``reset()`` ran after the request arrived.

        Subclasses check it under the lock that guards their own records (cleared after the
        generation changes), so a stale request cannot slip a message into the next test.
        """
        return request.generation == self._generation

    def take_fault(self, request: IncomingRequest) -> Fault | None:
        """The fault for this request; raises StaleRequest rather than eat the next test's."""
        with self._lock:
            if not self.is_current(request):
                raise StaleRequest
            return self.faults.take()

    def record(
        self, request: IncomingRequest, reply: Reply, received_at: float, *, injected: bool = False
    ) -> bool:
        """Record one exchange; False (nothing recorded) when the request is stale."""
        body = reply.request_body
        if body is None and request.body:
            body = request.body.decode("utf-8", errors="replace")
        exchange = Exchange(
            method=request.method,
            path=self._redact_path(request.path),
            headers=self._redact_headers(dict(request.headers)),
            body=body,
            status=reply.status,
            response=reply.body,
            reason=reply.reason,
            received_at=received_at,
            injected=injected,
        )
        with self._lock:
            if not self.is_current(request):
                _log.debug("%s: dropped a request that arrived before reset()", self.name)
                return False
            self._exchanges.append(exchange)
        return True

    def dispatch(self, request: IncomingRequest) -> Reply:
        """Judge a request; a bug in the judge becomes a 500 that names it, never a hang."""
        try:
            return self._handle(request)
        except Exception as exc:
            _log.exception("%s server failed on %s", self.name, self._redact_path(request.path))
            return Reply(500, {"error": "local server bug"}, f"local server bug: {exc!r}")

    def fault_reply(self, fault: Fault) -> Reply:
        status = fault.status if fault.status is not None else 500
        if fault.body is not None:
            return Reply(status, fault.body, f"injected {status}", dict(fault.headers))
        return self._fault_reply(status, fault)

    # -- subclass hooks ----------------------------------------------------------------------

    @abstractmethod
    def _handle(self, request: IncomingRequest) -> Reply:
        """Judge one request against the wire contract."""

    @abstractmethod
    def _fault_reply(self, status: int, fault: Fault) -> Reply:
        """The service's own error body for an injected status."""

    def _redact_path(self, path: str) -> str:
        return path

    def _redact_headers(self, headers: dict[str, str]) -> dict[str, str]:
        return headers
