"""http_wire against a real scripted TCP server on 127.0.0.1: the exact bytes each side sees."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest

from naver_sms.telemetry.http_wire import Answer, PeerClosed, WireConnection, WireError
from naver_sms.telemetry.otlp import ExportError, OtlpHttpSender

# Script steps, run in order per connection by the server:
READ = "read"  # read one whole request (head + Content-Length body) and record its raw bytes
CLOSE = "close"  # close the connection (graceful FIN)
HANG = "hang"  # keep the connection open, silent, until the test ends
Step = bytes | float | str  # bytes: sent as one segment; float: sleep that many seconds

OK_EMPTY = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
HEADERS = {"Content-Type": "application/x-protobuf", "x-t": "1"}


@dataclass
class Conn:
    requests: list[bytes] = field(default_factory=list)
    closed: threading.Event = field(default_factory=threading.Event)


class ScriptedServer:
    """Connection i runs scripts[i]; a connection beyond the scripts is closed at once."""

    def __init__(self, scripts: Sequence[Sequence[Step]]) -> None:
        self.scripts = [list(s) for s in scripts]
        self.conns: list[Conn] = []
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port: int = self.listener.getsockname()[1]
        self.threads: list[threading.Thread] = []
        self.accepter = threading.Thread(target=self._accept, daemon=True)
        self.accepter.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                sock, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            index = len(self.conns)
            conn = Conn()
            self.conns.append(conn)
            script = self.scripts[index] if index < len(self.scripts) else [CLOSE]
            thread = threading.Thread(target=self._run, args=(sock, conn, script), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _run(self, sock: socket.socket, conn: Conn, script: list[Step]) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(5)
        pending = bytearray()
        try:
            for step in script:
                if step == READ:
                    conn.requests.append(_read_request(sock, pending))
                elif step == CLOSE:
                    break
                elif step == HANG:
                    self.stop.wait(10)
                elif isinstance(step, float):
                    time.sleep(step)
                elif isinstance(step, bytes):
                    sock.sendall(step)
        except OSError:
            pass
        finally:
            sock.close()
            conn.closed.set()

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        self.accepter.join(2)
        for thread in self.threads:
            thread.join(2)


def _read_request(sock: socket.socket, pending: bytearray) -> bytes:
    while b"\r\n\r\n" not in pending:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("client closed")
        pending += chunk
    end = pending.index(b"\r\n\r\n") + 4
    length = 0
    for line in bytes(pending[:end]).split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(pending) < end + length:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("client closed")
        pending += chunk
    raw = bytes(pending[: end + length])
    del pending[: end + length]
    return raw


@pytest.fixture
def serve() -> Iterator[type[ScriptedServer]]:
    servers: list[ScriptedServer] = []

    class Tracked(ScriptedServer):
        def __init__(self, scripts: Sequence[Sequence[Step]]) -> None:
            super().__init__(scripts)
            servers.append(self)

    yield Tracked
    for server in servers:
        server.close()


def _exchange(server: ScriptedServer, body: bytes = b"payload", timeout: float = 3.0) -> Answer:
    wire = WireConnection("127.0.0.1", server.port)
    try:
        wire.send(wire.request_head("/v1/traces", HEADERS), body, timeout)
        return wire.receive(timeout)
    finally:
        wire.close()


# --- request bytes ------------------------------------------------------------------------


def test_request_bytes_are_exact_and_two_requests_share_one_connection(serve: type) -> None:
    server = serve([[READ, OK_EMPTY, READ, OK_EMPTY, HANG]])
    wire = WireConnection("127.0.0.1", server.port)
    head = wire.request_head("/v1/traces?x=1", HEADERS)
    for body in (b"\x00first\r\n\r\n", b"second-body"):
        wire.send(head, body, 3.0)
        answer = wire.receive(3.0)
        assert (answer.status, answer.will_close) == (200, False)
    wire.close()
    assert len(server.conns) == 1
    prefix = (
        b"POST /v1/traces?x=1 HTTP/1.1\r\n"
        + f"Host: 127.0.0.1:{server.port}\r\n".encode()
        + b"Content-Type: application/x-protobuf\r\nx-t: 1\r\n"
    )
    assert server.conns[0].requests == [
        prefix + b"Content-Length: 10\r\n\r\n\x00first\r\n\r\n",
        prefix + b"Content-Length: 11\r\n\r\nsecond-body",
    ]


@pytest.mark.parametrize(
    ("port", "host_line"),
    [
        (80, b"Host: h.example\r\n"),
        (443, b"Host: h.example\r\n"),
        (4318, b"Host: h.example:4318\r\n"),
    ],
)
def test_host_header_names_the_port_unless_it_is_the_default(port: int, host_line: bytes) -> None:
    head = WireConnection("h.example", port).request_head("/p", {})
    assert head == b"POST /p HTTP/1.1\r\n" + host_line


def test_empty_body_is_sent_with_content_length_zero(serve: type) -> None:
    server = serve([[READ, OK_EMPTY]])
    assert _exchange(server, b"").status == 200
    assert server.conns[0].requests[0].endswith(b"\r\nContent-Length: 0\r\n\r\n")


# --- answers ------------------------------------------------------------------------------


def test_content_length_body_split_across_segments_is_read_whole(serve: type) -> None:
    body = b"x" * 3000
    script: list[Step] = [READ, b"HTTP/1.1 200 OK\r\nConte", 0.05, b"nt-Length: 3000\r\n\r\n"]
    for start in range(0, 3000, 1000):
        script += [0.05, body[start : start + 1000]]
    # The next answer on the same connection proves the body was consumed, no more, no less.
    script += [READ, b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", HANG]
    server = serve([script])
    wire = WireConnection("127.0.0.1", server.port)
    head = wire.request_head("/", {})
    wire.send(head, b"a", 3.0)
    first = wire.receive(3.0)
    wire.send(head, b"b", 3.0)
    second = wire.receive(3.0)
    wire.close()
    assert (first.status, first.will_close, second.status, second.will_close) == (
        200,
        False,
        201,
        False,
    )
    assert [len(c.requests) for c in server.conns] == [2]


def test_chunked_answer_with_extensions_and_trailers(serve: type) -> None:
    script: list[Step] = [
        READ,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        0.03,
        b"5;name=value\r\nhello\r\n",
        0.03,
        b"1A\r\n" + b"z" * 26 + b"\r\n",
        0.03,
        b"0;last\r\nX-Trailer: 1\r\n",
        0.03,
        b"X-Other: 2\r\n\r\n",
        READ,
        OK_EMPTY,
        HANG,
    ]
    server = serve([script])
    wire = WireConnection("127.0.0.1", server.port)
    head = wire.request_head("/", {})
    wire.send(head, b"a", 3.0)
    assert wire.receive(3.0).will_close is False
    wire.send(head, b"b", 3.0)
    assert wire.receive(3.0).status == 200
    wire.close()
    assert [len(c.requests) for c in server.conns] == [2]


def test_chunked_answer_split_inside_size_line_and_data(serve: type) -> None:
    script: list[Step] = [
        READ,
        b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n1",
        0.03,
        b"0\r\n" + b"a" * 8,
        0.03,
        b"b" * 8 + b"\r",
        0.03,
        b"\n0\r\n",
        0.03,
        b"\r\n",
        HANG,
    ]
    answer = _exchange(serve([script]))
    assert (answer.status, answer.will_close) == (202, False)


def test_malformed_chunk_size_is_a_wire_error(serve: type) -> None:
    script: list[Step] = [
        READ,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        HANG,
    ]
    with pytest.raises(WireError, match="chunked"):
        _exchange(serve([script]))


def test_no_length_reads_until_close_and_will_close(serve: type) -> None:
    script: list[Step] = [READ, b"HTTP/1.1 200 OK\r\n\r\nsome", 0.05, b" body", 0.05, CLOSE]
    answer = _exchange(serve([script]))
    assert (answer.status, answer.will_close) == (200, True)


def test_no_content_answer_has_no_body_and_keeps_the_connection(serve: type) -> None:
    server = serve([[READ, b"HTTP/1.1 204 No Content\r\n\r\n", HANG]])
    started = time.monotonic()
    answer = _exchange(server, timeout=3.0)
    assert (answer.status, answer.will_close) == (204, False)
    assert time.monotonic() - started < 2.0  # did not wait for a body or a close


def test_not_modified_with_content_length_has_no_body(serve: type) -> None:
    # RFC 9112 §6.3: a 204/304 answer ends at its blank line whatever its headers say.
    server = serve([[READ, b"HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n", HANG]])
    answer = _exchange(server, timeout=1.0)
    assert (answer.status, answer.will_close) == (304, False)


def test_connection_close_header_means_will_close(serve: type) -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: Close\r\n\r\nok"
    answer = _exchange(serve([[READ, reply, HANG]]))
    assert (answer.status, answer.will_close) == (200, True)


@pytest.mark.parametrize(
    ("reply", "will_close"),
    [
        (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", True),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok", False),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok", False),
    ],
)
def test_http_1_0_closes_by_default_unless_keep_alive(
    serve: type, reply: bytes, will_close: bool
) -> None:
    answer = _exchange(serve([[READ, reply, HANG]]))
    assert (answer.status, answer.will_close) == (200, will_close)


def test_interim_100_continue_is_skipped_for_the_real_answer(serve: type) -> None:
    script: list[Step] = [
        READ,
        b"HTTP/1.1 100 Continue\r\n\r\n",
        0.05,
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
        HANG,
    ]
    answer = _exchange(serve([script]))
    assert (answer.status, answer.will_close) == (200, False)


def test_interim_and_final_answer_in_one_segment(serve: type) -> None:
    reply = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    assert _exchange(serve([[READ, reply, HANG]])).status == 200


@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_non_2xx_status_is_reported_not_raised(serve: type, status: int) -> None:
    reply = b"HTTP/1.1 %d Whatever\r\nContent-Length: 4\r\n\r\nnope" % status
    answer = _exchange(serve([[READ, reply, HANG]]))
    assert (answer.status, answer.will_close) == (status, False)


def test_head_just_under_64_kib_followed_by_a_body_is_accepted(serve: type) -> None:
    # The 64 KiB bound is on the head, not on the head plus the body read with it.
    filler = b"X-Filler: " + b"f" * (60 * 1024) + b"\r\n"
    body = b"b" * 20_000
    script: list[Step] = [
        READ,
        b"HTTP/1.1 200 OK\r\n" + filler,
        0.1,
        b"Content-Length: 20000\r\n\r\n" + body,
        HANG,
    ]
    answer = _exchange(serve([script]))
    assert (answer.status, answer.will_close) == (200, False)


# --- errors -------------------------------------------------------------------------------


def test_peer_closing_before_any_byte_is_peer_closed(serve: type) -> None:
    with pytest.raises(PeerClosed):
        _exchange(serve([[READ, CLOSE]]))


@pytest.mark.parametrize(
    "partial",
    [
        b"H",
        b"HTTP/1.1 200 OK\r\nContent-Len",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n",
    ],
)
def test_close_in_the_middle_of_the_answer_is_a_wire_error_not_peer_closed(
    serve: type, partial: bytes
) -> None:
    with pytest.raises(WireError) as caught:
        _exchange(serve([[READ, partial, 0.05, CLOSE]]))
    assert not isinstance(caught.value, PeerClosed)
    assert "middle" in str(caught.value)


def test_close_after_an_interim_answer_is_not_peer_closed(serve: type) -> None:
    # The peer read the request (it said 100 Continue): retrying it could send it twice.
    with pytest.raises(WireError) as caught:
        _exchange(serve([[READ, b"HTTP/1.1 100 Continue\r\n\r\n", 0.05, CLOSE]]))
    assert not isinstance(caught.value, PeerClosed)


@pytest.mark.parametrize(
    "status_line",
    [b"SMTP ready\r\n", b"HTTP/1.1 OK fine\r\n", b"HTTP/1.1\r\n", b"\x16\x03\x01garbage\r\n"],
)
def test_garbage_status_line_is_a_wire_error(serve: type, status_line: bytes) -> None:
    with pytest.raises(WireError) as caught:
        _exchange(serve([[READ, status_line + b"Content-Length: 0\r\n\r\n", HANG]]))
    assert not isinstance(caught.value, PeerClosed)


def test_bad_content_length_is_a_wire_error(serve: type) -> None:
    with pytest.raises(WireError, match="Content-Length"):
        _exchange(serve([[READ, b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", HANG]]))


def test_headers_over_64_kib_are_a_wire_error(serve: type) -> None:
    line = b"X-Big: " + b"h" * 1000 + b"\r\n"
    script: list[Step] = [READ, b"HTTP/1.1 200 OK\r\n"]
    script += [line * 10, 0.01] * 7  # ~70 KiB of head, never finished
    script += [HANG]
    with pytest.raises(WireError, match="64 KiB"):
        _exchange(serve([script]))


def test_silent_server_is_a_wire_error_within_the_timeout(serve: type) -> None:
    server = serve([[READ, HANG]])
    started = time.monotonic()
    with pytest.raises(WireError, match="timed out"):
        _exchange(server, timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_trickling_server_is_bounded_by_the_timeout_in_all(serve: type) -> None:
    # Each byte arrives well within the timeout, the whole answer would not.
    script: list[Step] = [READ]
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
        script += [0.1, bytes([byte])]
    script += [HANG]
    server = serve([script])
    started = time.monotonic()
    with pytest.raises(WireError, match="timed out"):
        _exchange(server, timeout=0.8)
    assert time.monotonic() - started < 1.8


def test_connection_refused_on_send_is_an_os_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    wire = WireConnection("127.0.0.1", port)
    with pytest.raises(ConnectionRefusedError):
        wire.send(wire.request_head("/", {}), b"x", 1.0)
    assert wire.sock is None


def test_receive_without_a_request_is_a_wire_error() -> None:
    with pytest.raises(WireError, match="no request"):
        WireConnection("127.0.0.1", 9).receive(0.1)


# --- OtlpHttpSender on top ----------------------------------------------------------------


def test_sender_replaces_a_connection_closed_while_idle_and_sends_once(serve: type) -> None:
    server = serve([[READ, OK_EMPTY, 0.05, CLOSE], [READ, OK_EMPTY, HANG]])
    sender = OtlpHttpSender(f"http://127.0.0.1:{server.port}/v1/traces", {"x-t": "1"})
    try:
        sender.post(b"first", time.monotonic() + 3)
        assert server.conns[0].closed.wait(3)
        time.sleep(0.05)  # the FIN reaches the client's kept socket
        sender.post(b"second", time.monotonic() + 3)
    finally:
        sender.close()
    assert len(server.conns) == 2
    bodies = [[r.split(b"\r\n\r\n", 1)[1] for r in c.requests] for c in server.conns]
    assert bodies == [[b"first"], [b"second"]]


def test_sender_raises_export_error_naming_a_500(serve: type) -> None:
    reply = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nboom"
    server = serve([[READ, reply, HANG]])
    sender = OtlpHttpSender(f"http://127.0.0.1:{server.port}/v1/metrics", {})
    try:
        with pytest.raises(ExportError, match="500"):
            sender.post(b"m", time.monotonic() + 3)
    finally:
        sender.close()
    assert [len(c.requests) for c in server.conns] == [1]


def test_sender_does_not_resend_after_an_interim_answer_then_close(serve: type) -> None:
    # 100 Continue proves the collector read the request: resending could duplicate data.
    interim = b"HTTP/1.1 100 Continue\r\n\r\n"
    server = serve([[READ, OK_EMPTY, READ, interim, 0.05, CLOSE], [READ, OK_EMPTY, HANG]])
    sender = OtlpHttpSender(f"http://127.0.0.1:{server.port}/v1/traces", {})
    try:
        sender.post(b"first", time.monotonic() + 3)
        with pytest.raises(ExportError):
            sender.post(b"second", time.monotonic() + 3)
    finally:
        sender.close()
    assert sum(len(c.requests) for c in server.conns) == 2


def test_sender_never_resends_a_request_the_collector_read_then_closed_without_answer(
    serve: type,
) -> None:
    """The collector may have counted it (delta metrics would double): an error, not a resend."""
    server = serve([[READ, OK_EMPTY, READ, CLOSE], [READ, OK_EMPTY, HANG]])
    sender = OtlpHttpSender(f"http://127.0.0.1:{server.port}/v1/metrics", {})
    try:
        sender.post(b"first", time.monotonic() + 3)
        with pytest.raises(ExportError):
            sender.post(b"second", time.monotonic() + 3)
    finally:
        sender.close()
    assert sum(len(c.requests) for c in server.conns) == 2  # "second" went out once


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"api-key": "a\r\nX-Injected: 1"}, "line break"),
        ({"api-key\n": "a"}, "line break"),
        ({"api-key": "✓abc"}, "cannot carry"),
    ],
)
def test_headers_that_cannot_go_on_the_wire_are_refused_by_name(
    headers: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        OtlpHttpSender("http://127.0.0.1:4318/v1/traces", headers)
