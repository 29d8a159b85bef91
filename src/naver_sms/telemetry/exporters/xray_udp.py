"""Spans to Lambda's X-Ray daemon over UDP, fire and forget: an SDK `SpanExporter`.

`OTEL_TRACES_EXPORTER=xray_udp` (also under `opentelemetry-instrument`: it is an entry point).
With active tracing on, Lambda runs the X-Ray daemon on `AWS_XRAY_DAEMON_ADDRESS` (UDP), and it
accepts OTLP spans as well as segment documents; the ADOT Python distro uses exactly this path
in its Lambda configuration (`OTLPUdpSpanExporter`). Each datagram is framed as the distro
frames it:

    {"format":"json","version":1}\\n  T1S  base64(ExportTraceServiceRequest protobuf)

The request is encoded by the upstream OTLP protobuf encoder
(`opentelemetry-exporter-otlp-proto-common`). This module opens a UDP socket because that is
the daemon's only interface and no light upstream package sends OTLP to it (the distro's
exporter comes with the whole distro: an exact SDK pin and ~50 instrumentations). Nothing waits
for an answer, so a flush costs the encoding and one `sendto` per datagram, and no collector
extension is needed for traces (pair it with `OTEL_METRICS_EXPORTER=emf`). As in the distro's
Lambda setup, at most :data:`MAX_SPANS_PER_DATAGRAM` spans go into one datagram; one that would
still exceed what UDP carries (:data:`MAX_DATAGRAM_BYTES`) is split further, and a single span
too large on its own is dropped and reported. Failures are kept in `last_error` and returned
as FAILURE; nothing raises into the Lambda.
"""

from __future__ import annotations

import base64
import os
import socket
from collections.abc import Sequence

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from naver_sms.telemetry.constants import AWS_XRAY_DAEMON_ADDRESS, DEFAULT_XRAY_DAEMON_ADDRESS

PROTOCOL_HEADER = b'{"format":"json","version":1}\n'
SAMPLED_PREFIX = b"T1S"
UNSAMPLED_PREFIX = b"T1U"
# The ADOT distro batches spans by 10 in Lambda (LAMBDA_SPAN_EXPORT_BATCH_SIZE) so that a
# datagram stays well under the daemon's 64 KiB limit.
MAX_SPANS_PER_DATAGRAM = 10
MAX_DATAGRAM_BYTES = 65_507  # the largest UDP payload over IPv4


def parse_daemon_address(raw: str | None) -> tuple[str, int]:
    """`host:port`, or the daemon's two-address form `tcp:host:port udp:host:port`."""
    value = (raw or "").strip() or DEFAULT_XRAY_DAEMON_ADDRESS
    for part in value.split():
        if part.startswith("udp:"):
            value = part[len("udp:") :]
            break
    host, sep, port = value.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        number = -1
    if not sep or not host or not 0 < number < 65536:
        raise ValueError(
            f"{AWS_XRAY_DAEMON_ADDRESS}={raw!r} is not a host:port "
            f"(e.g. {DEFAULT_XRAY_DAEMON_ADDRESS})"
        )
    return host, number


def frame(payload: bytes, sampled: bool = True) -> bytes:
    """One datagram: the daemon's header line, the OTLP prefix, the base64 protobuf."""
    prefix = SAMPLED_PREFIX if sampled else UNSAMPLED_PREFIX
    return PROTOCOL_HEADER + prefix + base64.b64encode(payload)


class XrayUdpSpanExporter(SpanExporter):
    """Sends spans as OTLP datagrams to the X-Ray daemon; never waits, never raises."""

    def __init__(
        self,
        address: str | None = None,
        *,
        max_spans: int = MAX_SPANS_PER_DATAGRAM,
        max_bytes: int = MAX_DATAGRAM_BYTES,
    ) -> None:
        # None: Lambda's AWS_XRAY_DAEMON_ADDRESS, read when the socket opens (the SDK's
        # configurator builds entry-point exporters without arguments).
        self.address = address
        self.max_spans = max(max_spans, 1)
        self.max_bytes = max_bytes
        self.last_error: str | None = None
        self.dropped_spans = 0  # single spans too large for a datagram
        self._target: tuple[str, int] | None = None
        self._socket: socket.socket | None = None

    def _open(self) -> tuple[socket.socket, tuple[str, int]]:
        if self._socket is None or self._target is None:
            host, port = parse_daemon_address(
                self.address or os.environ.get(AWS_XRAY_DAEMON_ADDRESS)
            )
            # Resolve once: `sendto` with a name would ask the resolver at every flush.
            family, _, _, _, sockaddr = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
            sock = socket.socket(family, socket.SOCK_DGRAM)
            sock.setblocking(False)
            self._socket, self._target = sock, (str(sockaddr[0]), int(sockaddr[1]))
        return self._socket, self._target

    def datagrams(self, spans: Sequence[ReadableSpan]) -> list[bytes]:
        """The framed datagrams for `spans`, each within the span and byte limits."""
        out: list[bytes] = []
        for start in range(0, len(spans), self.max_spans):
            self._fit(spans[start : start + self.max_spans], out)
        return out

    def _fit(self, spans: Sequence[ReadableSpan], out: list[bytes]) -> None:
        datagram = frame(encode_spans(spans).SerializeToString())
        if len(datagram) <= self.max_bytes:
            out.append(datagram)
            return
        if len(spans) == 1:
            self.dropped_spans += 1
            self.last_error = (
                f"span {spans[0].name!r} is {len(datagram)} bytes framed, over the "
                f"{self.max_bytes}-byte datagram limit: dropped"
            )
            return
        half = len(spans) // 2
        self._fit(spans[:half], out)
        self._fit(spans[half:], out)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if not spans:
            return SpanExportResult.SUCCESS
        dropped = self.dropped_spans
        self.last_error = None
        try:
            sock, target = self._open()
            for datagram in self.datagrams(spans):
                sock.sendto(datagram, target)
        except Exception as exc:
            self.last_error = f"{type(exc).__name__}: {exc}"
            return SpanExportResult.FAILURE
        if self.dropped_spans != dropped:
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True

    def shutdown(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
