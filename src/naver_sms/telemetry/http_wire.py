"""HTTP/1.1 POST on a kept-alive socket, written and parsed by hand: the OTLP exporter's wire.

Why not `http.client`: per request it builds headers through several layers and parses the
answer with the `email` package, ~120 µs of CPU per POST where the bytes on the wire take
~25 µs, twice per flush (traces, metrics). An OTLP/HTTP exchange needs one request shape and
three answer headers (`Content-Length`, `Transfer-Encoding: chunked`, `Connection: close`),
so this module writes the request in one `sendall` and reads the answer with `recv` into one
buffer. TLS (an `https` endpoint) wraps the same socket.

Errors are :class:`WireError`; :class:`PeerClosed` says the peer closed a kept connection
before sending a byte of answer (it may not have read the request: the caller decides whether
a retry on a fresh connection is safe).
"""

from __future__ import annotations

import select
import socket
import ssl
import time
from collections.abc import Mapping

_MAX_HEAD = 64 * 1024
_MIN_TIMEOUT = 0.001
_CRLF2 = b"\r\n\r\n"


class WireError(Exception):
    """The exchange failed (refused, timed out, malformed or cut answer)."""


class PeerClosed(WireError):
    """The peer closed the connection before any byte of the answer."""


class Answer:
    __slots__ = ("status", "will_close")

    def __init__(self, status: int, will_close: bool) -> None:
        self.status = status
        self.will_close = will_close


class WireConnection:
    """One kept-alive connection to `host:port`; not thread-safe (one flush at a time)."""

    def __init__(self, host: str, port: int, *, tls: bool = False) -> None:
        self.host = host
        self.port = port
        self.tls = tls
        self.sock: socket.socket | None = None
        host_header = host if port in (80, 443) else f"{host}:{port}"
        self._host_line = f"Host: {host_header}\r\n".encode("latin-1")

    def request_head(self, path: str, headers: Mapping[str, str]) -> bytes:
        """Everything of the request before the body length (built once per endpoint).

        Raises ValueError for a header that cannot go on the wire as it is (a line break,
        which would inject headers, or a character outside latin-1), naming the header.
        """
        lines = [f"POST {_checked('path', path)} HTTP/1.1\r\n".encode("latin-1"), self._host_line]
        for name, value in headers.items():
            line = f"{_checked('header name', name)}: {_checked(f'header {name!r}', value)}\r\n"
            lines.append(line.encode("latin-1"))
        return b"".join(lines)

    def connect(self, timeout: float) -> None:
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.tls:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = sock

    def send(self, head: bytes, body: bytes, timeout: float) -> None:
        """Write one request within `timeout` seconds in all (connecting included); raises
        OSError as the socket does (the caller classifies)."""
        deadline = time.monotonic() + timeout
        if self.sock is None:
            self.connect(timeout)
        assert self.sock is not None
        self.sock.settimeout(max(deadline - time.monotonic(), _MIN_TIMEOUT))
        self.sock.sendall(b"%sContent-Length: %d\r\n\r\n%s" % (head, len(body), body))

    def dropped(self) -> bool:
        """True when the kept connection was closed by the peer (or has unread bytes, which
        no answer-less idle connection should): it must not carry a request."""
        sock = self.sock
        if sock is None:
            return False
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def receive(self, timeout: float) -> Answer:
        """Read one whole answer (body discarded) within `timeout` seconds in all.

        The timeout bounds the whole answer, not each `recv`: a peer trickling bytes must not
        hold the flush longer than the caller allowed.
        """
        sock = self.sock
        if sock is None:
            raise WireError("no request in flight")
        sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        buffer = bytearray()
        started = False  # a byte of answer came (an interim 100 Continue counts: it was read)
        while True:
            end = buffer.find(_CRLF2)
            while end < 0:
                if len(buffer) > _MAX_HEAD:
                    raise WireError("answer headers exceed 64 KiB")
                buffer += self._recv(sock, started, deadline)
                started = True
                end = buffer.find(_CRLF2)
            if end > _MAX_HEAD:  # bound the head only, not body bytes read along with it
                raise WireError("answer headers exceed 64 KiB")
            status, length, chunked, close = _parse_head(bytes(buffer[:end]))
            del buffer[: end + 4]
            if 100 <= status < 200:  # interim answer (100 Continue): the real one follows
                continue
            if status in (204, 304):
                pass  # never a body, whatever the headers say (RFC 9112 section 6.3)
            elif chunked:
                self._read_chunked(sock, buffer, deadline)
            elif length is not None:
                while len(buffer) < length:
                    buffer += self._recv(sock, True, deadline)
            else:
                while self._recv_or_eof(sock, buffer, deadline):  # no length: ends at close
                    pass
                close = True
            return Answer(status, close)

    def _read_chunked(self, sock: socket.socket, buffer: bytearray, deadline: float) -> None:
        while True:
            line_end = buffer.find(b"\r\n")
            while line_end < 0:
                buffer += self._recv(sock, True, deadline)
                line_end = buffer.find(b"\r\n")
            try:
                size = int(bytes(buffer[:line_end]).split(b";")[0], 16)
            except ValueError as exc:
                raise WireError("malformed chunked answer") from exc
            del buffer[: line_end + 2]
            if size == 0:
                while buffer.find(b"\r\n") != 0 and buffer.find(_CRLF2) < 0:
                    buffer += self._recv(sock, True, deadline)  # trailers, then the blank line
                return
            while len(buffer) < size + 2:
                buffer += self._recv(sock, True, deadline)
            del buffer[: size + 2]

    @staticmethod
    def _recv(sock: socket.socket, started: bool, deadline: float) -> bytes:
        if started:  # later reads get what is left (the first uses the timeout as set)
            _shrink_timeout(sock, deadline)
        try:
            chunk = sock.recv(65536)
        except TimeoutError as exc:
            raise WireError("timed out waiting for the answer") from exc
        if not chunk:
            if not started:
                raise PeerClosed("connection closed before any answer")
            raise WireError("connection closed in the middle of the answer")
        return chunk

    @staticmethod
    def _recv_or_eof(sock: socket.socket, buffer: bytearray, deadline: float) -> bool:
        _shrink_timeout(sock, deadline)
        try:
            chunk = sock.recv(65536)
        except TimeoutError as exc:
            raise WireError("timed out reading the answer") from exc
        buffer += chunk
        return bool(chunk)

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None


def _shrink_timeout(sock: socket.socket, deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise WireError("timed out waiting for the answer")
    sock.settimeout(remaining)


def _checked(what: str, text: str) -> str:
    if "\r" in text or "\n" in text:
        raise ValueError(f"OTLP {what} contains a line break")
    try:
        text.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise ValueError(f"OTLP {what} has a character HTTP headers cannot carry") from exc
    return text


def _parse_head(head: bytes) -> tuple[int, int | None, bool, bool]:
    """(status, content length, chunked, connection close) of an answer's head."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
        raise WireError(f"not an HTTP answer: {lines[0][:60]!r}")
    try:
        status = int(parts[1])
    except ValueError as exc:
        raise WireError(f"bad status line: {lines[0][:60]!r}") from exc
    length: int | None = None
    chunked = False
    close = parts[0] == b"HTTP/1.0"
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        value = value.strip().lower()
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError as exc:
                raise WireError("bad Content-Length") from exc
        elif name == b"transfer-encoding":
            chunked = value.endswith(b"chunked")
        elif name == b"connection":
            close = value == b"close" or (close and value != b"keep-alive")
    return status, length, chunked, close
