"""The real Lambda handler through the real collector: the local stack (moto, SENS, Telegram),
the production telemetry setup exporting OTLP/HTTP, the collector with collector/local.yaml."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from naver_sms.app import handler as app_handler
from naver_sms.devstack.lambda_context import LambdaContext
from naver_sms.devstack.stack import LocalStack
from naver_sms.telemetry import catalog, testing
from support.collector import CollectorProcess, wait_until
from support.collector_backends import XRayEndpoint
from support.collector_outputs import emf_points, parse_stdout, reference_errors, schema_errors
from support.live_handler import (
    CANARY_NAME,
    CANARY_PHONE,
    NOW,
    booking,
    go_live,
    xray_trace_header,
)

pytestmark = [pytest.mark.collector, pytest.mark.integration]


def _current_trace_root() -> str:
    """A trace root as Lambda makes it: the current epoch first (X-Ray rejects stale ones)."""
    return f"{int(time.time()):08x}0123456789abcdef01234567"


@pytest.fixture
def live_through_collector(
    lambda_env: dict[str, str],
    clean_stack: LocalStack,
    emf_collector: CollectorProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    root = _current_trace_root()
    go_live(
        clean_stack,
        monkeypatch,
        trace_header=xray_trace_header(root),
        approved_at=datetime.now(UTC) - timedelta(hours=1),
    )
    testing.reset(
        traces_exporter="otlp",
        metrics_exporter="otlp",
        flush_ms=10_000,
        environ={"OTEL_EXPORTER_OTLP_ENDPOINT": emf_collector.otlp_http_endpoint},
    )
    yield root
    app_handler.reset()
    testing.use_memory()


def test_handler_invocation_through_the_collector(
    live_through_collector: str,
    emf_collector: CollectorProcess,
    xray_endpoint: XRayEndpoint,
    lambda_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = {"bookings": [booking("C-1"), booking("C-2", store_id="nowhere-99")], "now": NOW}
    result = app_handler.lambda_handler(event, LambdaContext(aws_request_id="req-collector"))
    assert (result["mode"], result["sent"], result["invalid"]) == ("live", 1, 1)
    wait_until(lambda: len(xray_endpoint.documents()) >= 8, what="X-Ray segments")
    wait_until(lambda: len(parse_stdout(emf_collector.stdout()).emf) >= 1, what="EMF")
    emf_collector.stop()

    # EMF: valid, in the operational namespace, and the counts of this one invocation.
    out = parse_stdout(emf_collector.stdout())
    assert out.raw == []  # every metric line is EMF: no plain copies
    assert schema_errors(out.emf) == []
    assert [e for doc in out.emf for e in reference_errors(doc)] == []
    points = emf_points(out.emf, catalog.NAMESPACE)
    sms = [(attrs, value) for name, attrs, value in points if name == "sms_sent"]
    assert sms == [({"mode": "live", "sms_type": "confirm", "store_id": "gangnam-01"}, 1)]
    assert [v for n, _, v in points if n == "bookings_failed"] == [1]
    assert sum(v for n, a, v in points if n == "dynamodb_operations") == 4

    # X-Ray: one trace, the Lambda's; DynamoDB as aws subsegments, SENS/Telegram as remote.
    documents = xray_endpoint.documents()
    root = live_through_collector
    assert {d["trace_id"] for d in documents} == {f"1-{root[:8]}-{root[8:]}"}
    dynamodb = [d for d in documents if d.get("namespace") == "aws"]
    assert sorted(d["aws"]["operation"] for d in dynamodb) == [
        "GetItem",
        "UpdateItem",
        "UpdateItem",
        "UpdateItem",
    ]
    assert {(d["name"], d["aws"]["table_name"]) for d in dynamodb} == {
        ("DynamoDB", "naver-sms-bookings")
    }
    remote = sorted(d["name"] for d in documents if d.get("namespace") == "remote")
    assert remote == ["naver-sens", "telegram"]

    # The structured logs of the same run name the same X-Ray trace.
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines
    assert {line["xray_trace_id"] for line in lines} == {d["trace_id"] for d in documents}

    # No phone number, customer name or secret reached X-Ray or CloudWatch.
    exported = json.dumps(documents, ensure_ascii=False) + "\n".join(emf_collector.stdout())
    secrets = [lambda_env["SENS_SECRET_KEY"], lambda_env["TELEGRAM_BOT_TOKEN"]]
    for canary in [CANARY_PHONE, CANARY_PHONE.replace("-", ""), CANARY_NAME, *secrets]:
        assert canary not in exported
