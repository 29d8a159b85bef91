"""`OTEL_TRACES_EXPORTER=xray_udp`: spans as OTLP datagrams to an X-Ray daemon on loopback.

A real UDP socket stands in for the daemon; every datagram is checked for the framing the ADOT
distro's `OTLPUdpSpanExporter` uses and decoded with the official generated classes.
"""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import structlog
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan as Span
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export import SpanExportResult as ExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from naver_sms.telemetry import catalog, instruments, setup, testing
from naver_sms.telemetry.exporters.memory import memory
from naver_sms.telemetry.exporters.xray_udp import XrayUdpSpanExporter, parse_daemon_address
from naver_sms.telemetry.handler import instrument_handler
from naver_sms.telemetry.setup.selection import (
    ExporterConfigError,
    exporter_name,
    metric_exporter,
    span_exporter,
)

pytestmark = pytest.mark.integration

HEADER = b'{"format":"json","version":1}\n'
CANARY_PHONE = "01077778888"


class Daemon:
    """A UDP socket on loopback that keeps every datagram it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(2.0)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"

    def receive(self, count: int) -> list[bytes]:
        return [self.sock.recvfrom(70_000)[0] for _ in range(count)]

    def drain(self) -> list[bytes]:
        """Every datagram still arriving (none for 0.2 s ends it)."""
        self.sock.settimeout(0.2)
        received: list[bytes] = []
        try:
            while True:
                received.append(self.sock.recvfrom(70_000)[0])
        except TimeoutError:
            return received
        finally:
            self.sock.settimeout(2.0)


@pytest.fixture
def daemon() -> Iterator[Daemon]:
    d = Daemon()
    yield d
    d.sock.close()


def decode(datagram: bytes) -> ExportTraceServiceRequest:
    assert datagram.startswith(HEADER + b"T1S"), datagram[:40]
    request = ExportTraceServiceRequest()
    request.ParseFromString(base64.b64decode(datagram[len(HEADER) + 3 :], validate=True))
    return request


def spans_of(request: ExportTraceServiceRequest) -> list[Any]:
    return [s for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans]


SCOPE = "naver-sms-udp-test-scope"


def make_spans(count: int, big: str = "") -> list[Span]:
    ended = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource({"service.name": "naver-sms-udp-test"}))
    provider.add_span_processor(SimpleSpanProcessor(ended))
    tracer = provider.get_tracer(SCOPE)
    with tracer.start_as_current_span("root", attributes={"faas.trigger": "timer"}):
        for index in range(count - 1):
            with tracer.start_as_current_span(f"child-{index}") as span:
                span.set_attribute("index", index)
                if big and index == 0:
                    span.set_attribute("big", big)
    return list(ended.get_finished_spans())


def test_one_datagram_decodes_to_the_spans(daemon: Daemon) -> None:
    spans = make_spans(4)
    exporter = XrayUdpSpanExporter(daemon.address)
    assert exporter.export(spans) is ExportResult.SUCCESS
    (datagram,) = daemon.receive(1)
    request = decode(datagram)
    (resource_spans,) = request.resource_spans
    resource = {kv.key: kv.value.string_value for kv in resource_spans.resource.attributes}
    assert resource["service.name"] == "naver-sms-udp-test"
    assert resource_spans.scope_spans[0].scope.name == SCOPE
    got = {s.name: s for s in spans_of(request)}
    assert set(got) == {s.name for s in spans}
    for span in spans:
        wire = got[span.name]
        assert wire.trace_id == span.context.trace_id.to_bytes(16, "big")
        assert wire.span_id == span.context.span_id.to_bytes(8, "big")
        attrs = {kv.key: kv.value for kv in wire.attributes}
        if span.name == "root":
            assert attrs["faas.trigger"].string_value == "timer"
            assert wire.parent_span_id == b""
        else:
            assert attrs["index"].int_value == int(span.name.split("-")[1])
            assert wire.parent_span_id != b""
    assert daemon.drain() == []


def test_ten_spans_at_most_per_datagram_each_span_once(daemon: Daemon) -> None:
    spans = make_spans(23)
    exporter = XrayUdpSpanExporter(daemon.address)
    assert exporter.export(spans) is ExportResult.SUCCESS
    requests = [decode(d) for d in daemon.receive(3)]
    assert [len(spans_of(r)) for r in requests] == [10, 10, 3]
    sent = [s.span_id for r in requests for s in spans_of(r)]
    assert sorted(sent) == sorted(s.context.span_id.to_bytes(8, "big") for s in spans)
    assert daemon.drain() == []


def test_oversized_datagrams_are_split_and_a_too_large_span_dropped(daemon: Daemon) -> None:
    spans = make_spans(5, big="x" * 3000)
    # 3000 bytes of attribute grow to ~4 kB in base64: alone over a 3.5 kB limit.
    exporter = XrayUdpSpanExporter(daemon.address, max_bytes=3500)
    assert exporter.export(spans) is ExportResult.FAILURE
    assert exporter.dropped_spans == 1
    assert "child-0" in (exporter.last_error or "")
    received = daemon.drain()
    assert len(received) >= 2  # the four spans left did not fit in one 3.5 kB datagram
    assert all(len(d) <= 3500 for d in received)
    names = sorted(s.name for d in received for s in spans_of(decode(d)))
    assert names == sorted(s.name for s in spans if s.name != "child-0")


def test_a_bad_address_fails_the_export_without_raising() -> None:
    exporter = XrayUdpSpanExporter("no-port-here")
    assert exporter.export(make_spans(1)) is ExportResult.FAILURE
    assert "AWS_XRAY_DAEMON_ADDRESS='no-port-here'" in (exporter.last_error or "")
    assert exporter.export([]) is ExportResult.SUCCESS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ("127.0.0.1", 2000)),
        ("169.254.79.129:2000", ("169.254.79.129", 2000)),
        ("tcp:127.0.0.1:2000 udp:127.0.0.2:2001", ("127.0.0.2", 2001)),
    ],
)
def test_daemon_address_forms(raw: str | None, expected: tuple[str, int]) -> None:
    assert parse_daemon_address(raw) == expected


def test_selected_for_traces_only() -> None:
    assert exporter_name("OTEL_TRACES_EXPORTER", {"OTEL_TRACES_EXPORTER": "xray_udp"}, None) == (
        "xray_udp"
    )
    with pytest.raises(ExporterConfigError, match="no metrics exporter named 'xray_udp'"):
        metric_exporter("xray_udp", {})
    exporter = span_exporter("xray_udp", {"AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2999"})
    assert isinstance(exporter, XrayUdpSpanExporter)
    assert exporter.address == "127.0.0.1:2999"


@dataclass
class FakeContext:
    aws_request_id: str = "req-udp"
    function_name: str = "naver-sms-udp"
    invoked_function_arn: str = "arn:aws:lambda:ap-northeast-2:123456789012:function:naver-sms-udp"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@instrument_handler
def _handler(event: Any, context: Any) -> str:
    structlog.get_logger("it").info("sending", phone=CANARY_PHONE)
    with instruments.sens_request(
        "https://sens.example/sms/v2/services/x/messages", sms_type="SMS", store_id="s1", attempt=1
    ) as call:
        call.finish("success", 202, **{"sens.request_id": "r-1"})
    instruments.record(catalog.BOOKINGS_PROCESSED, 1, store_id="s1")
    return "ok"


def test_handler_flush_sends_the_invocation_as_one_datagram(
    daemon: Daemon, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "_X_AMZN_TRACE_ID",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    )
    testing.reset(
        traces_exporter="xray_udp",
        metrics_exporter="memory",
        environ={"AWS_XRAY_DAEMON_ADDRESS": daemon.address},
    )
    try:
        assert _handler({}, FakeContext()) == "ok"
        request = decode(daemon.receive(1)[0])
        wire = spans_of(request)
        assert {s.name for s in wire} >= {"naver-sms-udp"}
        assert len(wire) == 2
        trace_id = bytes.fromhex("5759e988bd862e3fe1be46a994272793")
        assert all(s.trace_id == trace_id for s in wire)
        assert CANARY_PHONE.encode() not in request.SerializeToString()
        state = setup.current()
        assert state is not None
        assert state.pipeline is not None
        assert state.health.pending == {}
    finally:
        testing.reset()


def test_handler_counts_a_failing_datagram_export(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("_X_AMZN_TRACE_ID", raising=False)
    testing.reset(
        traces_exporter="xray_udp",
        metrics_exporter="memory",
        environ={"AWS_XRAY_DAEMON_ADDRESS": "bad-address"},
    )
    try:
        assert _handler({}, FakeContext()) == "ok"
        assert _handler({}, FakeContext()) == "ok"
        points = memory().metric_points()
        failures = [p for p in points if p[0] == catalog.TELEMETRY_EXPORT_FAILURES.name]
        # Each invocation's failed span export is counted in that same flush's metrics.
        assert [(p[1], p[2]) for p in failures] == [({"signal": "traces"}, 1)] * 2
    finally:
        testing.reset()
