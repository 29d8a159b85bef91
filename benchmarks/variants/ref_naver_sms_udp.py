"""Prototype, not a package feature: recommendation 1 of docs/benchmarks.md, measured.

The naver-sms reference handler unchanged, with metrics as EMF on stdout (the package's
`OTEL_METRICS_EXPORTER=emf`) and the span exporter swapped after `configure()` for a
fire-and-forget one that sends the package's own OTLP encoding of the spans over UDP to
`AWS_XRAY_DAEMON_ADDRESS`, framed the way the ADOT distro's `OTLPUdpSpanExporter` frames it
for the X-Ray daemon (a `{"format":"json","version":1}` header line, `T1S`, base64 OTLP). It
shows what the export would cost if nothing waited on another process.
"""

from __future__ import annotations

import base64
import os
import socket
from collections.abc import Sequence

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from benchmarks.variants.ref_naver_sms import handler
from naver_sms.telemetry import setup
from naver_sms.telemetry.otlp_proto import encode_spans

_HEADER = b'{"format":"json","version":1}\nT1S'


class UdpSpanExporter(SpanExporter):
    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        self._target = (host or "127.0.0.1", int(port))
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.setblocking(False)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        try:
            payload = _HEADER + base64.b64encode(encode_spans(spans))
            self._socket.sendto(payload, self._target)
        except OSError:
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self._socket.close()


_state = setup.current()
if _state is not None and _state.pipeline is not None:
    _state.pipeline.span_exporter = UdpSpanExporter(
        os.environ.get("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:2000")
    )

__all__ = ["handler"]
