"""OTLP/HTTP export through the handler wrapper against real loopback endpoints."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import pytest
import structlog
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.metrics.v1.metrics_pb2 import AggregationTemporality

from naver_sms.privacy import register_secrets
from naver_sms.telemetry import catalog, instruments, setup, testing
from naver_sms.telemetry.handler import instrument_handler

pytestmark = pytest.mark.integration

CANARY_SECRET = "otlp-canary-secret-7f3a"
CANARY_PHONE = "01055556666"


@dataclass
class FakeContext:
    aws_request_id: str = "req-otlp"
    function_name: str = "naver-sms-it"
    invoked_function_arn: str = "arn:aws:lambda:ap-northeast-2:123456789012:function:naver-sms-it"
    remaining_ms: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def _configure(endpoint: str, flush_ms: int = 300) -> None:
    testing.reset(
        traces_exporter="otlp",
        metrics_exporter="otlp",
        flush_ms=flush_ms,
        environ={"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_EXPORTER_OTLP_HEADERS": "x-t=1"},
    )


@instrument_handler
def _handler(event: Any, context: Any) -> str:
    structlog.get_logger("it").info("sending", phone=CANARY_PHONE, token=CANARY_SECRET)
    with instruments.booking_span("b-1", "store-1"):
        url = f"https://sens.local/bot{CANARY_SECRET}/messages?to={CANARY_PHONE}"
        with instruments.sens_request(url, "confirm", "store-1", 1) as call:
            call.finish("success", 202, **{"sens.request_id": "rq-1"})
        instruments.record(catalog.SMS_SENT, sms_type="confirm", store_id="store-1", mode="live")
    return "done"


def _metric_points(bodies: list[bytes]) -> dict[tuple[str, tuple[tuple[str, str], ...]], Any]:
    points: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}
    for body in bodies:
        request = ExportMetricsServiceRequest.FromString(body)
        for rm in request.resource_metrics:
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    data = metric.sum if metric.HasField("sum") else metric.histogram
                    assert (
                        data.aggregation_temporality
                        == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
                    )
                    for point in data.data_points:
                        attrs = tuple(
                            sorted((a.key, a.value.string_value) for a in point.attributes)
                        )
                        value = point.as_int if metric.HasField("sum") else point.count
                        points[(metric.name, attrs)] = points.get((metric.name, attrs), 0) + value
    return points


def test_spans_and_delta_metrics_reach_the_receiver_without_secrets(
    otlp_receiver: Any,
) -> None:
    register_secrets([CANARY_SECRET])
    _configure(otlp_receiver.url)
    assert _handler({}, FakeContext()) == "done"
    assert _handler({}, FakeContext(aws_request_id="req-2")) == "done"

    traces = otlp_receiver.bodies("/v1/traces")
    metrics = otlp_receiver.bodies("/v1/metrics")
    assert len(traces) == 2
    assert len(metrics) == 2
    headers = otlp_receiver.requests[0][1]
    assert headers["Content-Type"] == "application/x-protobuf"
    assert headers["x-t"] == "1"
    request = ExportTraceServiceRequest.FromString(traces[0])
    resource = {a.key: a.value.string_value for a in request.resource_spans[0].resource.attributes}
    assert resource["service.name"] == "naver-sms"
    spans = [s for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans]
    assert sorted(s.name for s in spans) == ["POST", "naver-sms-it", "process_booking"]
    by_name = {s.name: s for s in spans}
    assert by_name["POST"].parent_span_id == by_name["process_booking"].span_id
    assert by_name["process_booking"].parent_span_id == by_name["naver-sms-it"].span_id

    points = _metric_points(metrics)
    assert (
        points[("sms_sent", (("mode", "live"), ("sms_type", "confirm"), ("store_id", "store-1")))]
        == 2
    )
    assert points[("sens_requests", (("outcome", "success"),))] == 2
    assert points[("sens_latency", (("outcome", "success"),))] == 2

    for _, _, body in otlp_receiver.requests:
        assert CANARY_SECRET.encode() not in body
        assert CANARY_PHONE.encode() not in body


def _timed(context: FakeContext | None = None) -> float:
    started = time.monotonic()
    assert _handler({}, context or FakeContext()) == "done"
    return time.monotonic() - started


def test_collector_down_costs_nothing_and_failures_are_counted_then_exported(
    closed_port: int, otlp_receiver: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _configure(f"http://127.0.0.1:{closed_port}", flush_ms=300)
    for _ in range(3):
        assert _timed() < 0.3 + 1.0
    warnings = [
        json.loads(line)
        for line in capsys.readouterr().out.splitlines()
        if "telemetry_export_failed" in line
    ]
    assert sorted(w["signal"] for w in warnings) == ["metrics", "traces"]  # once each, not 3x

    # The collector comes back: the failures counted so far go out with the next flush.
    state = setup.current()
    assert state is not None
    health = state.health
    setup.configure(
        force=True,
        traces_exporter="otlp",
        metrics_exporter="otlp",
        environ={"OTEL_EXPORTER_OTLP_ENDPOINT": otlp_receiver.url},
    )
    assert state.health is health
    _handler({}, FakeContext())
    points = _metric_points(otlp_receiver.bodies("/v1/metrics"))
    assert points[("telemetry_export_failures", (("signal", "traces"),))] == 3
    assert points[("telemetry_export_failures", (("signal", "metrics"),))] == 3
    assert "telemetry_export_recovered" in capsys.readouterr().out


def test_hanging_collector_is_bounded_by_the_flush_budget(hanging_collector: int) -> None:
    _configure(f"http://127.0.0.1:{hanging_collector}", flush_ms=300)
    for _ in range(2):
        assert _timed() < 0.3 + 1.0


def test_hanging_collector_is_bounded_by_the_time_lambda_has_left(hanging_collector: int) -> None:
    _configure(f"http://127.0.0.1:{hanging_collector}", flush_ms=5_000)
    assert _timed(FakeContext(remaining_ms=150)) < 0.15 + 1.0


def test_refusing_collector_is_a_counted_failure(otlp_receiver: Any) -> None:
    otlp_receiver.status = 503
    _configure(otlp_receiver.url)
    assert _timed() < 0.3 + 1.0
    state = setup.current()
    assert state is not None
    assert state.health.failures == {"traces": 1, "metrics": 1}


def test_spans_and_metrics_are_in_flight_together(otlp_receiver: Any) -> None:
    """The receiver holds each request until both signals' requests have arrived: a flush
    that waited for the span answer before sending metrics could not satisfy it."""
    otlp_receiver.together = 2
    _configure(otlp_receiver.url, flush_ms=10_000)
    _handler({}, FakeContext())
    assert sorted(p for p, _, _ in otlp_receiver.requests) == ["/v1/metrics", "/v1/traces"]
    assert otlp_receiver.overlapping == [True, True]
    state = setup.current()
    assert state is not None
    assert state.health.failures == {}


def test_connection_is_kept_alive_across_invocations(otlp_receiver: Any) -> None:
    _configure(otlp_receiver.url)
    for _ in range(3):
        _handler({}, FakeContext())
    assert len(otlp_receiver.bodies("/v1/traces")) == 3
    assert otlp_receiver.connections == 2  # one per signal, reused by every flush


def test_connection_closed_by_the_collector_is_replaced_and_nothing_sent_twice(
    otlp_receiver: Any,
) -> None:
    otlp_receiver.drop_after_response = True
    _configure(otlp_receiver.url)
    for _ in range(3):
        _handler({}, FakeContext())
        # As with an idle timeout: the collector closed them while the function was idle.
        otlp_receiver.wait_all_closed()
    assert len(otlp_receiver.bodies("/v1/traces")) == 3
    assert len(otlp_receiver.bodies("/v1/metrics")) == 3
    state = setup.current()
    assert state is not None
    assert state.health.failures == {}
