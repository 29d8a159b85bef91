"""One real invocation of the Lambda handler against the local stack, observed in memory.

The handler runs live (approval + switch on) over sample bookings, with real boto3 to moto
server and real HTTP to the local SENS and Telegram servers; telemetry goes to the in-memory
exporters through the same per-invocation flush as in production.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from opentelemetry.sdk.trace import ReadableSpan as Span
from opentelemetry.trace import SpanKind, StatusCode

from naver_sms.app import handler as app_handler
from naver_sms.devstack.lambda_context import LambdaContext
from naver_sms.devstack.stack import LocalStack
from naver_sms.telemetry import testing
from naver_sms.telemetry.exporters.memory import MemoryExporters
from support.live_handler import (
    CANARY_NAME,
    CANARY_PHONE,
    NOW,
    booking,
    go_live,
    xray_trace_header,
)

pytestmark = pytest.mark.integration

ROOT = "6761a3f0c3d2b1a09f8e7d6c5b4a3928"


@pytest.fixture
def live(
    lambda_env: dict[str, str], clean_stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MemoryExporters]:
    go_live(
        clean_stack,
        monkeypatch,
        trace_header=xray_trace_header(ROOT),
        approved_at=datetime.fromisoformat(NOW) - timedelta(hours=1),
    )
    yield testing.use_memory(flush_ms=2_000)
    app_handler.reset()


def _hex(value: int, width: int) -> str:
    return format(value, f"0{width}x")


def _tree(spans: list[Span]) -> list[tuple[str, str, str | None]]:
    """(name, kind, parent name) per span, in end order."""
    names = {s.context.span_id: s.name for s in spans}
    return [(s.name, s.kind.name, names.get(s.parent.span_id) if s.parent else None) for s in spans]


def test_one_invocation_yields_exactly_the_expected_telemetry(
    live: MemoryExporters,
    clean_stack: LocalStack,
    lambda_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = {"bookings": [booking("E2E-1"), booking("E2E-2", store_id="nowhere-99")], "now": NOW}
    result = app_handler.lambda_handler(event, LambdaContext(aws_request_id="req-e2e"))
    assert result["mode"] == "live"
    assert (result["sent"], result["invalid"]) == (1, 1)

    spans = live.spans()
    assert _tree(spans) == [
        ("DynamoDB.GetItem", "CLIENT", "process_booking"),  # booking state
        ("DynamoDB.UpdateItem", "CLIENT", "process_booking"),  # claim
        ("POST", "CLIENT", "process_booking"),  # SENS
        ("DynamoDB.UpdateItem", "CLIENT", "process_booking"),  # mark sent
        ("POST", "CLIENT", "process_booking"),  # Telegram
        ("DynamoDB.UpdateItem", "CLIENT", "process_booking"),  # mark notified
        ("process_booking", "INTERNAL", "naver-sms"),
        ("naver-sms", "SERVER", None),
    ]
    invocation = spans[-1]
    assert invocation.kind is SpanKind.SERVER
    assert _hex(invocation.context.trace_id, 32) == ROOT
    assert invocation.parent is not None
    assert _hex(invocation.parent.span_id, 16) == "a1b2c3d4e5f60718"
    assert {_hex(s.context.trace_id, 32) for s in spans} == {ROOT}
    assert dict(invocation.attributes or {}) == {
        "faas.trigger": "other",
        "faas.coldstart": True,
        "faas.invocation_id": "req-e2e",
        "cloud.resource_id": "arn:aws:lambda:ap-northeast-2:123456789012:function:naver-sms",
    }
    assert dict(spans[-2].attributes or {}) == {
        "booking.id": "E2E-1",
        "store.id": "gangnam-01",
        "booking.status": "confirmed",
        "booking.outcome": "sent",
    }
    get_item = dict(spans[0].attributes or {})
    assert get_item.pop("aws.request_id")
    assert get_item == {
        "rpc.system": "aws-api",
        "rpc.service": "DynamoDB",
        "rpc.method": "GetItem",
        # A list as recorded (the SDK turned it into a tuple); the same OTLP array value.
        "aws.dynamodb.table_names": ("naver-sms-bookings",),
        "cloud.region": "ap-northeast-2",
    }
    sens = dict(spans[2].attributes or {})
    assert sens.pop("sens.request_id") == clean_stack.sens.messages[0].request_id
    assert sens == {
        "peer.service": "naver-sens",
        "server.address": "127.0.0.1",
        "http.request.method": "POST",
        "url.full": f"{clean_stack.sens.base_url}/sms/v2/services/REDACTED/messages",
        "sms.type": "confirm",
        "store.id": "gangnam-01",
        "http.response.status_code": 202,
    }
    assert dict(spans[4].attributes or {}) == {
        "peer.service": "telegram",
        "server.address": "127.0.0.1",
        "http.request.method": "POST",
        "url.full": f"{clean_stack.telegram.base_url}/botREDACTED/sendMessage",
        "http.response.status_code": 200,
    }
    assert all(s.status.status_code is StatusCode.UNSET for s in spans)

    points = live.metric_points()
    latency = [p for p in points if p[0] == "sens_latency"]
    assert [(name, attrs, value[0]) for name, attrs, value in latency] == [
        ("sens_latency", {"outcome": "success"}, 1)
    ]
    assert Counter(
        (n, json.dumps(a, sort_keys=True), v) for n, a, v in points if n != "sens_latency"
    ) == Counter(
        [
            ("dynamodb_operations", '{"operation": "GetItem", "outcome": "success"}', 1),
            ("dynamodb_operations", '{"operation": "UpdateItem", "outcome": "success"}', 3),
            ("sens_requests", '{"outcome": "success"}', 1),
            ("sms_sent", '{"mode": "live", "sms_type": "confirm", "store_id": "gangnam-01"}', 1),
            ("telegram_notifications", '{"outcome": "success"}', 1),
            ("bookings_processed", '{"store_id": "gangnam-01"}', 1),
            ("bookings_failed", '{"reason": "invalid"}', 1),
        ]
    )

    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines()]
    span_ids = {_hex(s.context.span_id, 16): s for s in spans}
    for line in lines:
        assert line["trace_id"] == ROOT
        assert line["xray_trace_id"] == f"1-{ROOT[:8]}-{ROOT[8:]}"
        assert line["function_name"] == "naver-sms"
        assert line["function_request_id"] == "req-e2e"
        assert line["cold_start"] is True
        assert line["service"] == "naver-sms"
        if "span_id" in line:
            assert line["span_id"] in span_ids
    app_lines = [line for line in lines if "logger" not in line]  # not boto3's
    assert [line["event"] for line in app_lines] == [
        "sending_mode",
        "sens_attempt",
        "sms_sent",
        "booking_invalid",
        "invocation_summary",
    ]
    assert span_ids[app_lines[1]["span_id"]].name == "POST"  # inside the SENS attempt's span
    assert span_ids[app_lines[2]["span_id"]].name == "process_booking"
    assert app_lines[2]["phone"] == "010-****-7365"
    assert span_ids[app_lines[0]["span_id"]] is invocation

    outputs = "\n".join(
        [out, *(s.to_json() for s in spans), repr(points), repr(live.metric_batches())]
    )
    secrets = [
        lambda_env["SENS_ACCESS_KEY"],
        lambda_env["SENS_SECRET_KEY"],
        lambda_env["TELEGRAM_BOT_TOKEN"],
        lambda_env["TELEGRAM_BOT_TOKEN"].split(":")[1],
    ]
    for canary in [CANARY_PHONE, CANARY_PHONE.replace("-", ""), CANARY_NAME, *secrets]:
        assert canary not in outputs
        assert json.dumps(canary)[1:-1] not in outputs  # nor in escaped form


def test_second_invocation_is_warm_and_continues_its_own_trace(
    live: MemoryExporters, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    event = {"bookings": [booking("W-1")], "now": NOW}
    app_handler.lambda_handler(event, LambdaContext(aws_request_id="req-a"))
    other = "6761a3f1000000000000000000000001"
    monkeypatch.setenv("_X_AMZN_TRACE_ID", xray_trace_header(other, parent="00000000000000a1"))
    app_handler.lambda_handler(event, LambdaContext(aws_request_id="req-b"))
    servers = [s for s in live.spans() if s.kind is SpanKind.SERVER]
    assert [s.attributes["faas.coldstart"] for s in servers if s.attributes] == [True, False]
    assert [_hex(s.context.trace_id, 32) for s in servers] == [ROOT, other]
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_request = {(line["function_request_id"], line["trace_id"]) for line in lines}
    assert by_request == {("req-a", ROOT), ("req-b", other)}
