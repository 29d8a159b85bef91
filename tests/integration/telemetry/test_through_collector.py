"""Our exporter into the real collector (built by `make collector`): the collector accepts the
OTLP protobuf we write ourselves, turns the metrics into the EMF the catalog declares and the
spans into X-Ray segments of the same trace as the logs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from naver_sms.telemetry import catalog, instruments, setup, testing
from naver_sms.telemetry.handler import instrument_handler
from support.collector import LOCAL_CONFIG, CollectorProcess, require_binary, wait_until
from support.collector_backends import XRayEndpoint
from support.collector_outputs import emf_points, parse_stdout, reference_errors, schema_errors

pytestmark = [pytest.mark.integration, pytest.mark.collector]

ROOT = "6761a3f0c3d2b1a09f8e7d6c5b4a3929"


class Context:
    aws_request_id = "req-collector"
    function_name = "naver-sms"
    invoked_function_arn = "arn:aws:lambda:ap-northeast-2:123456789012:function:naver-sms"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture
def collector() -> Iterator[tuple[CollectorProcess, XRayEndpoint]]:
    require_binary()
    with XRayEndpoint() as xray:
        env = {"NAVER_SMS_XRAY_PORT": str(xray.port)}
        with CollectorProcess(LOCAL_CONFIG, env) as process:
            yield process, xray


@instrument_handler
def _handler(event: Any, context: Any) -> None:
    structlog.get_logger("it").info("booking_started", booking_id="C-1")
    with instruments.booking_span("C-1", "store-1"):
        with instruments.dynamodb_call("GetItem", "naver-sms-bookings", "ap-northeast-2") as call:
            call.finish("success", **{"aws.request_id": "R1"})
        url = "https://sens.apigw.ntruss.com/sms/v2/services/REDACTED/messages"
        with instruments.sens_request(url, "confirm", "store-1", 1) as call:
            call.finish("success", 202)
        instruments.record(catalog.SMS_SENT, sms_type="confirm", store_id="store-1", mode="live")
        with instruments.telegram_request(
            "https://api.telegram.org/botREDACTED/sendMessage", 1
        ) as c:
            c.finish("success", 200)
    instruments.record(catalog.BOOKINGS_PROCESSED, store_id="store-1")


def test_collector_accepts_our_otlp_and_emits_catalog_emf_and_xray(
    collector: tuple[CollectorProcess, XRayEndpoint],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    process, xray = collector
    monkeypatch.setenv(
        "_X_AMZN_TRACE_ID", f"Root=1-{ROOT[:8]}-{ROOT[8:]};Parent=a1b2c3d4e5f60718;Sampled=1"
    )
    testing.reset(
        traces_exporter="otlp",
        metrics_exporter="otlp",
        flush_ms=5_000,
        environ={"OTEL_EXPORTER_OTLP_ENDPOINT": process.otlp_http_endpoint},
    )
    for _ in range(2):
        _handler({}, Context())
    state = setup.current()
    assert state is not None
    assert state.health.failures == {}

    def emf_docs() -> list[dict[str, Any]]:
        return parse_stdout(process.stdout()).emf

    def sms_sent() -> int:
        return sum(v for n, _, v in emf_points(emf_docs(), catalog.NAMESPACE) if n == "sms_sent")

    wait_until(lambda: sms_sent() >= 2, what="EMF sms_sent")
    wait_until(lambda: len(xray.documents()) >= 2 * 5, what="X-Ray segments")
    docs = emf_docs()
    assert schema_errors(docs) == []
    assert [e for doc in docs for e in reference_errors(doc)] == []
    points = emf_points(docs, catalog.NAMESPACE)
    totals: dict[tuple[str, str], Any] = {}
    for name, attrs, value in points:
        key = (name, json.dumps(attrs, sort_keys=True))
        totals[key] = totals.get(key, 0) + (value if not isinstance(value, tuple) else value[0])
    assert (
        totals[("sms_sent", '{"mode": "live", "sms_type": "confirm", "store_id": "store-1"}')] == 2
    )
    assert totals[("bookings_processed", '{"store_id": "store-1"}')] == 2
    assert totals[("sens_latency", '{"outcome": "success"}')] == 2

    segments = xray.documents()
    assert {doc["trace_id"] for doc in segments} == {f"1-{ROOT[:8]}-{ROOT[8:]}"}
    names = sorted(doc["name"] for doc in segments)
    assert names.count("DynamoDB") == 2
    logs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    started = [line for line in logs if line.get("event") == "booking_started"]
    assert {line["xray_trace_id"] for line in started} == {segments[0]["trace_id"]}
