"""OTLP/HTTP export through the handler wrapper against real loopback endpoints, with the
upstream exporters: JSON bodies (the default) and protobuf (`http/protobuf`)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import pytest
import structlog

from naver_sms.privacy import register_secrets
from naver_sms.telemetry import catalog, instruments, setup, testing
from naver_sms.telemetry.handler import instrument_handler
from support import otlp_bodies

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


PROTOCOLS = ("http/json", "http/protobuf")
CONTENT_TYPES = {"http/json": "application/json", "http/protobuf": "application/x-protobuf"}


def _configure(endpoint: str, flush_ms: int = 300, protocol: str = "http/json") -> None:
    testing.reset(
        traces_exporter="otlp",
        metrics_exporter="otlp",
        flush_ms=flush_ms,
        environ={
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_EXPORTER_OTLP_HEADERS": "x-t=1",
            "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
        },
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


def _metric_points(
    bodies: list[bytes], protocol: str = "http/json"
) -> dict[tuple[str, tuple[tuple[str, str], ...]], Any]:
    points: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}
    for body in bodies:
        for point in otlp_bodies.metric_points(body, CONTENT_TYPES[protocol]):
            assert point["temporality"] == otlp_bodies.DELTA
            key = (point["name"], tuple(sorted(point["attributes"].items())))
            points[key] = points.get(key, 0) + point["value"]
    return points


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_spans_and_delta_metrics_reach_the_receiver_without_secrets(
    otlp_receiver: Any, protocol: str
) -> None:
    register_secrets([CANARY_SECRET])
    _configure(otlp_receiver.url, protocol=protocol)
    assert _handler({}, FakeContext()) == "done"
    assert _handler({}, FakeContext(aws_request_id="req-2")) == "done"

    traces = otlp_receiver.bodies("/v1/traces")
    metrics = otlp_receiver.bodies("/v1/metrics")
    assert len(traces) == 2
    assert len(metrics) == 2
    headers = {k.lower(): v for k, v in otlp_receiver.requests[0][1].items()}
    assert headers["content-type"] == CONTENT_TYPES[protocol]
    assert headers["x-t"] == "1"
    spans = otlp_bodies.spans(traces[0], CONTENT_TYPES[protocol])
    assert spans[0]["resource"]["service.name"] == "naver-sms"
    assert sorted(s["name"] for s in spans) == ["POST", "naver-sms-it", "process_booking"]
    by_name = {s["name"]: s for s in spans}
    assert by_name["POST"]["parent_span_id"] == by_name["process_booking"]["span_id"]
    assert by_name["process_booking"]["parent_span_id"] == by_name["naver-sms-it"]["span_id"]

    points = _metric_points(metrics, protocol)
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
