"""Swapping exporters by the environment alone, each in a fresh process running the same
function (`support.swap_function`): none, console, OTLP/HTTP JSON and protobuf into the real
collector, EMF on stdout, OTLP over UDP to an X-Ray daemon stand-in, and the two collector-less
plug-ins picked by `opentelemetry-instrument` through their entry points. A name that exports
nothing known, or OTLP settings that cannot work, give one `telemetry_config_invalid` line and
the function still runs. No canary (phone, name, secret) leaves the process in clear."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from naver_sms.telemetry import catalog
from support.collector import LOCAL_CONFIG, CollectorProcess, require_binary, wait_until
from support.collector_backends import XRayEndpoint
from support.collector_outputs import emf_points, parse_stdout, schema_errors
from support.swap_function import CANARY_NAME, CANARY_PHONE, CANARY_SECRET

pytestmark = pytest.mark.integration

TESTS = Path(__file__).resolve().parents[2]
INSTRUMENT = Path(sys.executable).with_name("opentelemetry-instrument")
ROOT = "6761a3f0c3d2b1a09f8e7d6c5b4a3930"
TRACE_HEADER = f"Root=1-{ROOT[:8]}-{ROOT[8:]};Parent=a1b2c3d4e5f60718;Sampled=1"
CANARIES = (CANARY_PHONE, "010-4444-8888", CANARY_NAME, CANARY_SECRET)


class Function:
    """One cold start of the swap function with `env` on top of a Lambda-like environment."""

    def __init__(self, env: dict[str, str], instrumented: bool = False) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "_X_AMZN"))}
        base.update(
            AWS_LAMBDA_FUNCTION_NAME="naver-sms-swap",
            AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
            AWS_LAMBDA_FUNCTION_MEMORY_SIZE="256",
            AWS_LAMBDA_LOG_STREAM_NAME="2026/11/20/[$LATEST]swap",
            AWS_REGION="ap-northeast-2",
            _HANDLER="support.swap_function.handler",
            PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
            TEST_INVOCATIONS=json.dumps([{"trace_header": TRACE_HEADER, "request_id": "r-1"}]),
        )
        command = [sys.executable, "-m", "support.lambda_runtime"]
        if instrumented:
            command = [str(INSTRUMENT), *command]
        done = subprocess.run(
            command,
            env={**base, **env},
            cwd=TESTS,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        self.stdout = done.stdout
        self.stderr = done.stderr
        self.lines = [line for line in done.stdout.splitlines() if line.strip()]
        results = [
            json.loads(x)["invocation_result"] for x in self.lines if "invocation_result" in x
        ]
        assert results == [{"status": "ran"}]

    def logs(self) -> list[dict[str, Any]]:
        out = []
        for line in self.lines:
            try:
                doc = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(doc, dict) and "event" in doc and "level" in doc:
                out.append(doc)
        return out

    def events(self, name: str) -> list[dict[str, Any]]:
        return [line for line in self.logs() if line["event"] == name]

    def emf(self) -> list[dict[str, Any]]:
        return [
            doc for doc in map(json.loads, self.lines) if isinstance(doc, dict) and "_aws" in doc
        ]

    def assert_no_canary(self, *more: str) -> None:
        text = "\n".join([self.stdout, self.stderr, *more])
        for canary in CANARIES:
            assert canary not in text
            assert json.dumps(canary)[1:-1] not in text


def test_none_exports_nothing_and_logs_still_flow() -> None:
    run = Function({"OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none"})
    (started,) = run.events("booking_started")
    assert started["trace_id"] == ROOT  # logs still correlate with the invocation's trace
    assert run.emf() == []
    assert [line for line in run.lines if '"context"' in line] == []
    assert run.events("telemetry_config_invalid") == []
    run.assert_no_canary()


def test_console_prints_the_sdks_span_and_metric_json() -> None:
    run = Function({"OTEL_TRACES_EXPORTER": "console", "OTEL_METRICS_EXPORTER": "console"})
    assert '"name": "process_booking"' in run.stdout
    assert f'"trace_id": "0x{ROOT}"' in run.stdout
    assert '"name": "sms_sent"' in run.stdout
    run.assert_no_canary()


def test_emf_writes_catalog_documents_to_stdout() -> None:
    run = Function({"OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "emf"})
    docs = run.emf()
    assert schema_errors(docs) == []
    points = emf_points(docs, catalog.NAMESPACE)
    assert ("sms_sent", {"mode": "live", "sms_type": "confirm", "store_id": "store-1"}, 1) in (
        points
    )
    run.assert_no_canary()


class UdpDaemon:
    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(5.0)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"

    def spans(self) -> list[Any]:
        datagram = self.sock.recvfrom(70_000)[0]
        header = b'{"format":"json","version":1}\nT1S'
        assert datagram.startswith(header)
        request = ExportTraceServiceRequest.FromString(base64.b64decode(datagram[len(header) :]))
        return [s for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans]


@pytest.fixture
def daemon() -> Iterator[UdpDaemon]:
    d = UdpDaemon()
    yield d
    d.sock.close()


@pytest.mark.parametrize(
    "instrumented", [False, True], ids=["configure", "opentelemetry-instrument"]
)
def test_collector_less_xray_udp_and_emf(daemon: UdpDaemon, instrumented: bool) -> None:
    """Our configure(), or the SDK's configurator under `opentelemetry-instrument` finding
    the plug-ins by their entry points: the same datagrams and EMF documents."""
    env = {
        "OTEL_TRACES_EXPORTER": "xray_udp",
        "OTEL_METRICS_EXPORTER": "emf",
        "AWS_XRAY_DAEMON_ADDRESS": daemon.address,
    }
    if instrumented:
        env.update(OTEL_LOGS_EXPORTER="none", OTEL_PROPAGATORS="xray-lambda")
    run = Function(env, instrumented=instrumented)
    spans = daemon.spans()
    assert {s.trace_id.hex() for s in spans} == {ROOT}
    assert {"process_booking", "POST"} <= {s.name for s in spans}
    assert {"sms_sent", "bookings_processed"} <= {
        name for name, _, _ in emf_points(run.emf(), catalog.NAMESPACE)
    }
    run.assert_no_canary(repr(spans))


@pytest.fixture
def collector() -> Iterator[tuple[CollectorProcess, XRayEndpoint]]:
    require_binary()
    with (
        XRayEndpoint() as xray,
        CollectorProcess(LOCAL_CONFIG, {"NAVER_SMS_XRAY_PORT": str(xray.port)}) as process,
    ):
        yield process, xray


@pytest.mark.collector
@pytest.mark.parametrize("protocol", ["http/json", "http/protobuf"])
def test_otlp_into_the_real_collector(
    collector: tuple[CollectorProcess, XRayEndpoint], protocol: str
) -> None:
    process, xray = collector
    run = Function(
        {
            "OTEL_TRACES_EXPORTER": "otlp",
            "OTEL_METRICS_EXPORTER": "otlp",
            "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
            "OTEL_EXPORTER_OTLP_ENDPOINT": process.otlp_http_endpoint,
        }
    )
    assert run.events("telemetry_export_failed") == []

    def sms_sent() -> int:
        docs = parse_stdout(process.stdout()).emf
        return sum(v for n, _, v in emf_points(docs, catalog.NAMESPACE) if n == "sms_sent")

    wait_until(lambda: sms_sent() >= 1, what="EMF sms_sent")
    wait_until(lambda: len(xray.documents()) >= 4, what="X-Ray segments")
    segments = xray.documents()
    assert {doc["trace_id"] for doc in segments} == {f"1-{ROOT[:8]}-{ROOT[8:]}"}
    assert sms_sent() == 1
    run.assert_no_canary(json.dumps(segments, ensure_ascii=False), *process.stdout())


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER"),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/xml"},
         "OTEL_TRACES_EXPORTER"),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": "localhost:4318"},
         "OTEL_TRACES_EXPORTER"),
    ],
    ids=["unknown exporter", "unknown protocol", "endpoint without scheme"],
)  # fmt: skip
def test_bad_settings_give_one_clear_line_and_the_function_runs(
    env: dict[str, str], variable: str
) -> None:
    run = Function({**env, "OTEL_METRICS_EXPORTER": "emf"})
    (invalid,) = run.events("telemetry_config_invalid")
    assert invalid["variable"] == variable
    assert invalid["using"] == "none"
    assert invalid["level"] == "error"
    # The other signal is untouched.
    assert "sms_sent" in {name for name, _, _ in emf_points(run.emf(), catalog.NAMESPACE)}
    run.assert_no_canary()
