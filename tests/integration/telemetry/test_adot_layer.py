"""naver-sms under the ADOT Lambda layer's way of running a function, through the real collector.

The layer's wrapper script runs the function under `opentelemetry-instrument`: the SDK's
configurator installs the global providers (batch span processor, OTLP/HTTP protobuf
exporters) and the aws-lambda and botocore instrumentations wrap the handler and every AWS
call before naver-sms is imported. Here the same packages (dev dependencies) run the real
handler in a fresh process against the local stack (moto, SENS, Telegram), exporting to the
real collector with collector/local.yaml and the inspect overlay (a copy of every span and
point). naver-sms must join, not duplicate: one trace per invocation continuing Lambda's
X-Ray trace, one SERVER span (the instrumentation's), one span per DynamoDB call (botocore's),
each catalog metric point once; nothing secret in any span, point or log line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from naver_sms.devstack.collector import InspectedCollector
from naver_sms.devstack.stack import LocalStack
from naver_sms.telemetry import catalog
from support.collector import wait_until
from support.collector_outputs import emf_points, parse_stdout
from support.live_handler import CANARY_NAME, CANARY_PHONE, NOW, booking, go_live

pytestmark = [pytest.mark.integration, pytest.mark.collector]

TESTS = Path(__file__).resolve().parents[2]
INSTRUMENT = Path(sys.executable).with_name("opentelemetry-instrument")
SERVER, CLIENT = 2, 3  # OTLP span kinds


def _root(offset: int) -> str:
    """A trace root as Lambda makes it: the current epoch first (X-Ray rejects stale ones)."""
    return f"{int(time.time()):08x}{offset:024x}"


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[InspectedCollector]:
    with InspectedCollector(tmp_path / "collector") as running:
        yield running


def layer_env(collector: InspectedCollector, **extra: str) -> dict[str, str]:
    """The function's environment as the ADOT Python layer sets it (otel-instrument)."""
    assert collector.process is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "_X_AMZN"))}
    env.update(
        AWS_LAMBDA_FUNCTION_NAME="naver-sms",
        AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE="256",
        AWS_LAMBDA_LOG_STREAM_NAME="2026/11/20/[$LATEST]adot",
        _HANDLER="naver_sms.app.handler.lambda_handler",
        OTEL_SERVICE_NAME="naver-sms",
        OTEL_TRACES_EXPORTER="otlp",
        OTEL_METRICS_EXPORTER="otlp",
        OTEL_LOGS_EXPORTER="none",
        OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf",
        OTEL_EXPORTER_OTLP_ENDPOINT=collector.process.otlp_http_endpoint,
        # The invocation span continues Lambda's active X-Ray trace (docs/telemetry.md).
        OTEL_PROPAGATORS="xray-lambda,tracecontext",
        # CloudWatch takes deltas (awsemf would turn cumulative points into deltas itself).
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="delta",
        PYTHONPATH=os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")]),
    )
    env.update(extra)
    return env


def run_under_layer(env: dict[str, str], invocations: list[dict[str, Any]]) -> list[str]:
    done = subprocess.run(
        [str(INSTRUMENT), sys.executable, "-m", "support.lambda_runtime"],
        env={**env, "TEST_INVOCATIONS": json.dumps(invocations)},
        cwd=TESTS,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def test_one_trace_one_server_span_one_span_per_dynamodb_call_each_metric_once(
    collector: InspectedCollector,
    clean_stack: LocalStack,
    lambda_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert INSTRUMENT.exists(), "opentelemetry-instrument missing: `make install`"
    roots = [_root(1), _root(2)]
    go_live(
        clean_stack,
        monkeypatch,
        trace_header="",
        approved_at=datetime.now(UTC) - timedelta(hours=1),
    )
    invocations = [
        {
            "event": {"bookings": [booking(f"ADOT-{i}")], "now": NOW},
            "trace_header": f"Root=1-{root[:8]}-{root[8:]};Parent=a1b2c3d4e5f6071{i};Sampled=1",
            "request_id": f"req-adot-{i}",
        }
        for i, root in enumerate(roots)
    ]
    stdout = run_under_layer(layer_env(collector), invocations)
    results = [
        json.loads(line)["invocation_result"] for line in stdout if "invocation_result" in line
    ]
    assert [(r["mode"], r["sent"]) for r in results] == [("live", 1), ("live", 1)]
    receiver = collector.inspect
    wait_until(lambda: len({s.trace_id for s in receiver.spans()}) >= 2, what="both traces")
    wait_until(lambda: len(receiver.data_points()) > 0, what="metric points")
    assert collector.process is not None
    collector.process.stop()  # flushes the collector's exporters (EMF to its stdout)

    spans = [
        (scope_spans.scope.name, span)
        for request in list(receiver.traces)
        for resource_spans in request.resource_spans
        for scope_spans in resource_spans.scope_spans
        for span in scope_spans.spans
    ]
    by_trace: dict[str, list[tuple[str, Any]]] = {}
    for scope, span in spans:
        by_trace.setdefault(span.trace_id.hex(), []).append((scope, span))
    assert sorted(by_trace) == sorted(roots)  # one trace per invocation: Lambda's
    for root, trace_spans in by_trace.items():
        servers = [(scope, s) for scope, s in trace_spans if s.kind == SERVER]
        assert [(scope, s.name) for scope, s in servers] == [
            ("opentelemetry.instrumentation.aws_lambda", "naver-sms")
        ], root
        (server,) = [s for _, s in servers]
        attributes = {kv.key: kv.value for kv in server.attributes}
        assert attributes["faas.coldstart"].bool_value is (root == roots[0])
        dynamodb = [
            (scope, s)
            for scope, s in trace_spans
            if any(kv.key == "rpc.service" and kv.value.string_value == "DynamoDB"
                   for kv in s.attributes)
        ]  # fmt: skip
        assert sorted(s.name for _, s in dynamodb) == [
            "DynamoDB.GetItem",
            "DynamoDB.UpdateItem",
            "DynamoDB.UpdateItem",
            "DynamoDB.UpdateItem",
        ]
        assert all(
            scope.startswith("opentelemetry.instrumentation.botocore") for scope, _ in dynamodb
        )
        ours = {s.name: s for scope, s in trace_spans if scope == catalog.SCOPE_NAME}
        assert sorted(ours) == ["POST", "process_booking"]  # SENS, Telegram (same name)
        assert ours["process_booking"].parent_span_id == server.span_id
        booking_id = ours["process_booking"].span_id
        assert all(s.parent_span_id == booking_id for _, s in dynamodb)

    # Each catalog point once: the delta of every export adds up to what the flow did.
    totals: Counter[str] = Counter()
    for metric, kind, data, point in receiver.data_points():
        if metric.name not in catalog.METRICS_BY_NAME:
            continue
        if kind == "sum":
            assert data.aggregation_temporality == 1  # DELTA
            totals[metric.name] += point.as_int
        elif kind == "histogram":
            totals[metric.name] += point.count
    assert totals == Counter(
        {
            "dynamodb_operations": 8,
            "sms_sent": 2,
            "sens_requests": 2,
            "sens_latency": 2,
            "telegram_notifications": 2,
            "bookings_processed": 2,
        }
    )
    emf = parse_stdout(collector.process.stdout())
    assert emf.raw == []
    cloudwatch = emf_points(emf.emf, catalog.NAMESPACE)
    assert sum(v for n, _, v in cloudwatch if n == "dynamodb_operations") == 8
    assert sum(v for n, _, v in cloudwatch if n == "sms_sent") == 2

    exported = "\n".join([*stdout, repr(receiver.traces), repr(receiver.metrics)])
    secrets = [lambda_env["SENS_SECRET_KEY"], lambda_env["TELEGRAM_BOT_TOKEN"]]
    for canary in [CANARY_PHONE, CANARY_PHONE.replace("-", ""), CANARY_NAME, *secrets]:
        assert canary not in exported
        assert json.dumps(canary)[1:-1] not in exported
