"""Which trace an invocation continues: the upstream propagators (opentelemetry-propagator-aws-xray
and W3C tracecontext) as :mod:`naver_sms.telemetry.setup.propagators` wires them.

What is ours here is the wiring: Lambda's `_X_AMZN_TRACE_ID` first, then the event's headers
(`traceparent` winning over `X-Amzn-Trace-Id`), names matched whatever their case, anything
malformed starting a new trace rather than raising. The header cases below are the ones the
hand-written parsers used to be tested with: the upstream propagators handle them the same.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from typing import Any

import pytest
from opentelemetry.context import Context
from opentelemetry.trace import SpanContext, get_current_span

from naver_sms.telemetry.exporters.memory import MemoryExporters
from naver_sms.telemetry.handler import instrument_handler
from naver_sms.telemetry.setup.propagators import invocation_parent

ROOT = "5759e988bd862e3fe1be46a994272793"
PARENT = "53995c3f42cd8ad8"
XRAY = f"Root=1-{ROOT[:8]}-{ROOT[8:]};Parent={PARENT};Sampled=1"
OTHER_ROOT = "6759e988bd862e3fe1be46a994272794"
OTHER_PARENT = "1111111111111111"
TRACEPARENT = f"00-{OTHER_ROOT}-{OTHER_PARENT}-01"


def _ids(context: Context) -> tuple[str, str, bool, bool] | None:
    span_context: SpanContext = get_current_span(context).get_span_context()
    if not span_context.is_valid:
        return None
    return (
        format(span_context.trace_id, "032x"),
        format(span_context.span_id, "016x"),
        span_context.is_remote,
        span_context.trace_flags.sampled,
    )


def parse_xray_header(header: str | None) -> tuple[str, str, bool, bool] | None:
    """Lambda's header as the handler reads it (no event headers)."""
    os.environ.pop("_X_AMZN_TRACE_ID", None)
    if header is not None:
        os.environ["_X_AMZN_TRACE_ID"] = header
    try:
        return _ids(invocation_parent({}, os.environ))
    finally:
        os.environ.pop("_X_AMZN_TRACE_ID", None)


def parse_traceparent(header: str | None) -> tuple[str, str, bool, bool] | None:
    return extract_from_headers({"traceparent": header})


def extract_from_headers(headers: Any) -> tuple[str, str, bool, bool] | None:
    return _ids(invocation_parent({"headers": headers}, {}))


@pytest.fixture(autouse=True)
def _no_lambda_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("_X_AMZN_TRACE_ID", raising=False)


# --- X-Ray ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "sampled"),
    [
        (XRAY, True),
        (XRAY.replace("Sampled=1", "Sampled=0"), False),
        # No sampling decision: not sampled, as OpenTelemetry's X-Ray propagator reads it.
        (f"Root=1-{ROOT[:8]}-{ROOT[8:]};Parent={PARENT}", False),
        # Key order, blanks after `;` and other keys (Lambda adds Lineage, ALB adds Self).
        (f"Self=1-67891234-abc;Sampled=1; Parent={PARENT};Root=1-{ROOT[:8]}-{ROOT[8:]}", True),
        (f"{XRAY};Lineage=a87bd80c:0", True),
    ],
)
def test_xray_header_names_a_remote_parent(header: str, sampled: bool) -> None:
    assert parse_xray_header(header) == (ROOT, PARENT, True, sampled)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        ";;;",
        f"Parent={PARENT};Sampled=1",  # no Root
        f"Root=1-{ROOT[:8]}-{ROOT[8:]};Sampled=1",  # no Parent
        f"Root=2-{ROOT[:8]}-{ROOT[8:]};Parent={PARENT}",  # unknown version
        f"Root=1-{ROOT};Parent={PARENT}",  # epoch and random part not separated
        f"Root=1-{ROOT[:7]}-{ROOT[7:]};Parent={PARENT}",  # epoch not 8 digits
        f"Root=1-{ROOT[:8]}-{ROOT[8:-1]};Parent={PARENT}",  # 31 hex digits
        f"Root=1-{ROOT[:8]}-{ROOT[8:-1]}g;Parent={PARENT}",  # not hex
        f"Root=1-{ROOT[:8]}-{ROOT[8:]}-00;Parent={PARENT}",  # extra piece
        f"Root=1-{ROOT[:8]}-{ROOT[8:]};Parent={PARENT[:-1]}",  # 15 hex digits
        f"Root=1-{ROOT[:8]}-{ROOT[8:]};Parent={PARENT}0",  # 17 hex digits
        f"Root=1-{ROOT[:8]}-{ROOT[8:]};Parent=-{PARENT[1:]}",  # sign, not hex
        f"Root=1-{ROOT[:8]}-{ROOT[8:]};Parent=0000000000000000",  # invalid span id
        f"Root=1-00000000-000000000000000000000000;Parent={PARENT}",  # invalid trace id
    ],
)
def test_malformed_xray_header_is_ignored(header: str | None) -> None:
    assert parse_xray_header(header) is None


# --- W3C tracecontext -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "sampled"),
    [
        (TRACEPARENT, True),
        (TRACEPARENT[:-2] + "00", False),
        (TRACEPARENT[:-2] + "03", True),  # other flag bits: sampled is bit 0
        (TRACEPARENT[:-2] + "02", False),
        (f"  {TRACEPARENT}\t", True),  # optional whitespace around the value
        # A later version may append fields: the first four are read (W3C, "Versioning").
        (f"cc-{OTHER_ROOT}-{OTHER_PARENT}-01-what-the-future-will-be-like", True),
        (f"01-{OTHER_ROOT}-{OTHER_PARENT}-00", False),
    ],
)
def test_traceparent_names_a_remote_parent(header: str, sampled: bool) -> None:
    assert parse_traceparent(header) == (OTHER_ROOT, OTHER_PARENT, True, sampled)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        f"{OTHER_ROOT}-{OTHER_PARENT}-01",  # no version
        f"ff-{OTHER_ROOT}-{OTHER_PARENT}-01",  # version ff is forbidden
        f"FF-{OTHER_ROOT}-{OTHER_PARENT}-01",
        f"0-{OTHER_ROOT}-{OTHER_PARENT}-01",  # version not 2 digits
        f"000-{OTHER_ROOT}-{OTHER_PARENT}-01",
        f"00-{OTHER_ROOT}-{OTHER_PARENT}-01-extra",  # version 00 has exactly 4 fields
        f"00-{OTHER_ROOT[:-1]}-{OTHER_PARENT}-01",  # trace id 31 digits
        f"00-{OTHER_ROOT}0-{OTHER_PARENT}-01",  # trace id 33 digits
        f"00-{OTHER_ROOT[:-1]}x-{OTHER_PARENT}-01",  # trace id not hex
        f"00-{'0' * 32}-{OTHER_PARENT}-01",  # all-zero trace id
        f"00-{OTHER_ROOT}-{OTHER_PARENT[:-1]}-01",  # parent id 15 digits
        f"00-{OTHER_ROOT}-{OTHER_PARENT[:-1]}x-01",  # parent id not hex
        f"00-{OTHER_ROOT}-{'0' * 16}-01",  # all-zero parent id
        f"00-{OTHER_ROOT}-{OTHER_PARENT}-1",  # flags 1 digit
        f"00-{OTHER_ROOT}-{OTHER_PARENT}-001",  # flags 3 digits
        f"00-{OTHER_ROOT}-{OTHER_PARENT}",  # no flags
    ],
)
def test_malformed_traceparent_is_ignored(header: str | None) -> None:
    assert parse_traceparent(header) is None


@pytest.mark.parametrize(
    "header",
    [
        f"zz-{OTHER_ROOT}-{OTHER_PARENT}-01",  # version not hex
        f"0g-{OTHER_ROOT}-{OTHER_PARENT}-01",
        f"00-{OTHER_ROOT}-{OTHER_PARENT}-0g",  # flags not hex
        f"00-{OTHER_ROOT}-{OTHER_PARENT}-zz",
    ],
)
def test_traceparent_with_non_hex_version_or_flags_is_ignored(header: str) -> None:
    assert parse_traceparent(header) is None


# --- request headers --------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"traceparent": TRACEPARENT},
        {"Traceparent": TRACEPARENT},
        {"TRACEPARENT": TRACEPARENT},
        {"traceparent": [TRACEPARENT]},  # multi-value header shape
        {"content-type": "application/json", "TraceParent": TRACEPARENT},
    ],
)
def test_traceparent_header_name_is_case_insensitive(headers: dict[str, Any]) -> None:
    assert extract_from_headers(headers) == (OTHER_ROOT, OTHER_PARENT, True, True)


@pytest.mark.parametrize("name", ["X-Amzn-Trace-Id", "x-amzn-trace-id", "X-AMZN-TRACE-ID"])
def test_xray_header_name_is_case_insensitive(name: str) -> None:
    assert extract_from_headers({name: XRAY}) == (ROOT, PARENT, True, True)


@pytest.mark.parametrize(
    "headers",
    [
        {"traceparent": TRACEPARENT, "X-Amzn-Trace-Id": XRAY},
        {"X-Amzn-Trace-Id": XRAY, "traceparent": TRACEPARENT},
        {"x-amzn-trace-id": XRAY, "Traceparent": TRACEPARENT},
    ],
)
def test_traceparent_wins_over_xray(headers: dict[str, Any]) -> None:
    assert extract_from_headers(headers) == (OTHER_ROOT, OTHER_PARENT, True, True)


def test_a_malformed_traceparent_leaves_the_xray_header_in_charge() -> None:
    headers = {"traceparent": f"ff-{OTHER_ROOT}-{OTHER_PARENT}-01", "X-Amzn-Trace-Id": XRAY}
    assert extract_from_headers(headers) == (ROOT, PARENT, True, True)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"content-type": "application/json"},
        {"traceparent": None, "x-amzn-trace-id": 42},  # not strings
        {"traceparent": []},
        {"traceparent": "garbage", "X-Amzn-Trace-Id": "garbage"},
    ],
)
def test_headers_without_a_valid_parent_name_none(headers: dict[str, Any]) -> None:
    assert extract_from_headers(headers) is None


def test_the_handler_takes_lambdas_header_first_then_the_event_headers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    http_event = {"headers": {"traceparent": TRACEPARENT}}
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY)
    assert _ids(invocation_parent(http_event, os.environ)) == (ROOT, PARENT, True, True)
    monkeypatch.delenv("_X_AMZN_TRACE_ID")
    assert _ids(invocation_parent(http_event, os.environ)) == (
        OTHER_ROOT,
        OTHER_PARENT,
        True,
        True,
    )
    assert _ids(invocation_parent({}, os.environ)) is None
    assert _ids(invocation_parent({"headers": "not a mapping"}, os.environ)) is None
    assert _ids(invocation_parent(["not", "a", "mapping"], os.environ)) is None


def test_xray_header_in_an_http_event_is_continued(mem: MemoryExporters) -> None:
    @instrument_handler
    def handler(event: Any, context: Any) -> None:
        return None

    handler({"headers": {"X-Amzn-Trace-Id": XRAY}}, None)
    (span,) = mem.spans()
    assert format(span.context.trace_id, "032x") == ROOT
    assert span.parent is not None
    assert span.parent.span_id == int(PARENT, 16)
    assert span.parent.is_remote


# --- cold start -------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


_LAMBDA_PATH = """
import importlib.metadata, json, sys, threading
scans = []
_entry_points = importlib.metadata.entry_points
def counting(*args, **kwargs):
    scans.append(kwargs)
    return _entry_points(*args, **kwargs)
importlib.metadata.entry_points = counting  # any entry-point scan on the path is seen

from naver_sms.app import handler as app_handler  # the module Lambda imports at init
from naver_sms.telemetry import catalog, instruments, setup
from naver_sms.telemetry.handler import instrument_handler

def work(event, context):
    with instruments.booking_span("b1", "s1"):
        instruments.record(catalog.BOOKINGS_PROCESSED, store_id="s1")

instrument_handler(work)({}, None)  # one invocation: spans, metrics, an OTLP flush
state = setup.current()
print(json.dumps({
    "lambda_handler": callable(app_handler.lambda_handler),
    "exporters": [state.traces_exporter, state.metrics_exporter],
    "health": state.health.failures,
    "modules": sorted(sys.modules),
    "scans": scans,
    "threads": [t.name for t in threading.enumerate()],
}))
"""


def test_the_lambda_path_loads_what_it_uses_and_nothing_else() -> None:
    """Importing the Lambda entry point and running an invocation through the default
    exporters (OTLP/HTTP JSON) loads the API, the SDK and that exporter, and not the other
    exporters, protobuf or `requests`; scans no entry points; and leaves no thread behind
    (Lambda may freeze the process as soon as the handler returns)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OTEL_", "NAVER_SMS_", "_X_AMZN", "AWS_"))
    }
    env.update(
        AWS_LAMBDA_FUNCTION_NAME="naver-sms",
        AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE="256",
        AWS_LAMBDA_LOG_STREAM_NAME="2026/11/27/[$LATEST]abc",
        AWS_EXECUTION_ENV="AWS_Lambda_python3.11",
        AWS_REGION="ap-northeast-2",
        AWS_DEFAULT_REGION="ap-northeast-2",
        LAMBDA_TASK_ROOT="/var/task",
        _X_AMZN_TRACE_ID=XRAY,
        # The default exporters (otlp), towards a loopback port nobody listens on.
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{_closed_port()}",
        NAVER_SMS_TELEMETRY_FLUSH_MS="500",
    )
    out = subprocess.run(
        [sys.executable, "-c", _LAMBDA_PATH],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=60,
    ).stdout.splitlines()[-1]
    result = json.loads(out)
    modules = set(result["modules"])
    assert result["lambda_handler"] is True
    assert result["exporters"] == ["otlp", "otlp"]
    # The flush really went through the OTLP exporters (and failed: nobody listens).
    assert result["health"] == {"traces": 1, "metrics": 1}
    assert "naver_sms.app.handler" in modules
    assert "opentelemetry.sdk.trace" in modules
    assert "opentelemetry.exporter.otlp.json.http.trace_exporter" in modules
    assert "opentelemetry.exporter.otlp.proto.http" not in modules
    assert "google.protobuf" not in modules
    assert "requests" not in modules
    assert "opentelemetry.propagate" not in modules  # it scans entry points when imported
    assert result["scans"] == []
    assert result["threads"] == ["MainThread"]


_CONTINUES = """
import os, json
os.environ.update(OTEL_TRACES_EXPORTER="memory", OTEL_METRICS_EXPORTER="memory",
                  _X_AMZN_TRACE_ID=%r)
from naver_sms.telemetry import setup
from naver_sms.telemetry.handler import instrument_handler
handler = instrument_handler(lambda event, context: None)
handler({}, None)
print(json.dumps([format(s.context.trace_id, "032x") for s in setup.in_memory().spans()]))
"""


def test_a_fresh_process_continues_the_lambda_xray_trace() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _CONTINUES % XRAY],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.splitlines()[-1]
    assert json.loads(out) == [ROOT]


def test_upper_case_traceparent_is_ignored() -> None:
    """W3C: HEXDIGLC only (OpenTelemetry's propagator rejects upper case too)."""
    assert parse_traceparent(f"00-{OTHER_ROOT.upper()}-{OTHER_PARENT}-01") is None
    assert parse_traceparent(f"00-{OTHER_ROOT}-{OTHER_PARENT}-01") is not None
