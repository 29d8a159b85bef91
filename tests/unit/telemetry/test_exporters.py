"""Exporters by configuration alone: known names built directly, any other found among the
installed exporters' entry points, OTLP settings read as the specification says."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from opentelemetry.exporter.otlp.json.http.metric_exporter import (
    OTLPMetricExporter as JsonMetricExporter,
)
from opentelemetry.exporter.otlp.json.http.trace_exporter import (
    OTLPSpanExporter as JsonSpanExporter,
)
from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
    OTLPSpanExporter as ProtoSpanExporter,
)
from opentelemetry.sdk.metrics.export import ConsoleMetricExporter
from opentelemetry.sdk.trace.export import ConsoleSpanExporter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from naver_sms.telemetry import catalog, instruments, testing
from naver_sms.telemetry.exporters.emf import EmfMetricExporter
from naver_sms.telemetry.exporters.memory import InMemoryMetricExporter
from naver_sms.telemetry.exporters.xray_udp import XrayUdpSpanExporter
from naver_sms.telemetry.setup import selection
from naver_sms.telemetry.setup.selection import (
    ExporterConfigError,
    exporter_name,
    metric_exporter,
    otlp_endpoint,
    otlp_headers,
    otlp_timeout_s,
    span_exporter,
)


@pytest.mark.parametrize(
    ("env", "override", "expected"),
    [
        ({}, None, "otlp"),
        ({"OTEL_TRACES_EXPORTER": "console"}, None, "console"),
        ({"OTEL_TRACES_EXPORTER": "NONE"}, None, "none"),
        ({"OTEL_TRACES_EXPORTER": "memory,console"}, None, "memory"),
        ({"OTEL_TRACES_EXPORTER": "console"}, "memory", "memory"),
        ({"OTEL_TRACES_EXPORTER": " xray_udp "}, None, "xray_udp"),
    ],
)
def test_exporter_name(env: dict[str, str], override: str | None, expected: str) -> None:
    assert exporter_name("OTEL_TRACES_EXPORTER", env, override) == expected


def test_unknown_exporter_and_protocol_are_named() -> None:
    with pytest.raises(ExporterConfigError, match="no traces exporter named 'zipkin'"):
        span_exporter("zipkin", {})
    with pytest.raises(ExporterConfigError, match="OTEL_EXPORTER_OTLP_PROTOCOL='http/xml'"):
        metric_exporter("otlp", {"OTEL_EXPORTER_OTLP_PROTOCOL": "http/xml"})
    # grpc is a protocol the standard knows, but its exporter is not installed here.
    with pytest.raises(ExporterConfigError, match="otlp_proto_grpc"):
        span_exporter("otlp", {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"})


def test_selection_builds_the_named_exporter() -> None:
    assert span_exporter("none", {}) is None
    assert metric_exporter("none", {}) is None
    assert isinstance(span_exporter("memory", {}), InMemorySpanExporter)
    assert isinstance(metric_exporter("memory", {}), InMemoryMetricExporter)
    assert isinstance(span_exporter("console", {}), ConsoleSpanExporter)
    assert isinstance(metric_exporter("console", {}), ConsoleMetricExporter)
    assert isinstance(span_exporter("xray_udp", {}), XrayUdpSpanExporter)
    assert isinstance(metric_exporter("emf", {}), EmfMetricExporter)
    # `memory` is one shared exporter per signal, so tests can read back what was flushed.
    assert span_exporter("memory", {}) is span_exporter("memory", {})
    assert metric_exporter("memory", {}) is metric_exporter("memory", {})
    # OTLP/HTTP: JSON bodies by default, protobuf when asked (per signal or for both).
    assert isinstance(span_exporter("otlp", {}), JsonSpanExporter)
    assert isinstance(metric_exporter("otlp", {}), JsonMetricExporter)
    proto = {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"}
    assert isinstance(span_exporter("otlp", proto), ProtoSpanExporter)
    assert isinstance(metric_exporter("otlp", proto), JsonMetricExporter)
    assert isinstance(span_exporter("otlp_proto_http", {}), ProtoSpanExporter)


def test_other_names_are_the_installed_entry_points() -> None:
    """What `opentelemetry-instrument` resolves, resolved the same way: here, our own two
    plug-ins as the package registers them (a vendor's exporter is found alike)."""
    assert selection._from_entry_point("traces", "xray_udp") is XrayUdpSpanExporter
    assert selection._from_entry_point("metrics", "emf") is EmfMetricExporter
    exporter = span_exporter("console", {})
    assert exporter is not None


def test_otlp_endpoints_follow_the_specification() -> None:
    assert otlp_endpoint("traces", {}) == "http://localhost:4318/v1/traces"
    assert otlp_endpoint("metrics", {}) == "http://localhost:4318/v1/metrics"
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otlp.example:443/",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "https://metrics.example/custom",
    }
    assert otlp_endpoint("traces", env) == "https://otlp.example:443/v1/traces"
    assert otlp_endpoint("metrics", env) == "https://metrics.example/custom"


def test_otlp_headers_are_parsed_and_signal_headers_win() -> None:
    env = {
        "OTEL_EXPORTER_OTLP_HEADERS": "a=1,b=2,api-key=a%20b",
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "b=3",
    }
    assert otlp_headers("traces", env) == {"a": "1", "b": "3", "api-key": "a b"}
    assert otlp_headers("metrics", env) == {"a": "1", "b": "2", "api-key": "a b"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "localhost:4318"}, "not an http"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "ftp://collector:21"}, "not an http"),
        ({"OTEL_EXPORTER_OTLP_HEADERS": "x=%E2%9C%93"}, "not latin-1"),
        ({"OTEL_EXPORTER_OTLP_HEADERS": "a=b%0D%0AX-Injected: 1"}, "line break"),
    ],
)
def test_bad_otlp_settings_are_clear_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ExporterConfigError, match=message):
        span_exporter("otlp", env)


def test_otlp_timeout_is_milliseconds() -> None:
    assert otlp_timeout_s("traces", {}) == 10.0
    assert otlp_timeout_s("traces", {"OTEL_EXPORTER_OTLP_TIMEOUT": "2500"}) == 2.5
    assert otlp_timeout_s("metrics", {"OTEL_EXPORTER_OTLP_METRICS_TIMEOUT": "700"}) == 0.7
    assert otlp_timeout_s("metrics", {"OTEL_EXPORTER_OTLP_TIMEOUT": "soon"}) == 10.0


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[-1]
    return set(json.loads(out))


_SETUP = (
    "import os\nos.environ.update(OTEL_TRACES_EXPORTER='{0}', OTEL_METRICS_EXPORTER='{1}', "
    "OTEL_EXPORTER_OTLP_PROTOCOL='{2}')\n"
    "from naver_sms.telemetry import setup\nsetup.configure()"
)


def test_only_the_selected_exporter_is_imported() -> None:
    memory = _modules_after(_SETUP.format("memory", "memory", "http/json"))
    collector_less = _modules_after(_SETUP.format("xray_udp", "emf", "http/json"))
    json_otlp = _modules_after(_SETUP.format("otlp", "otlp", "http/json"))
    proto_otlp = _modules_after(_SETUP.format("otlp", "otlp", "http/protobuf"))
    for modules in (memory, collector_less, json_otlp):
        assert "opentelemetry.exporter.otlp.proto.http" not in modules
        assert "requests" not in modules
    for modules in (memory, json_otlp):
        assert "google.protobuf" not in modules
        assert "naver_sms.telemetry.exporters.xray_udp" not in modules
    assert "opentelemetry.exporter.otlp.json.http.trace_exporter" not in memory
    assert "opentelemetry.exporter.otlp.json.http.trace_exporter" not in collector_less
    assert "naver_sms.telemetry.exporters.xray_udp" in collector_less
    assert "naver_sms.telemetry.exporters.emf" in collector_less
    assert "opentelemetry.exporter.otlp.json.http.metric_exporter" in json_otlp
    assert "opentelemetry.exporter.otlp.proto.http.metric_exporter" in proto_otlp


def test_console_exporters_print_spans_and_points(capsys: pytest.CaptureFixture[str]) -> None:
    state = testing.reset(traces_exporter="console", metrics_exporter="console")
    try:
        with instruments.tracer().start_as_current_span("parent"):
            instruments.record(catalog.SENS_REQUESTS, 2, outcome="success")
        state.flush(300)
        out = capsys.readouterr().out
    finally:
        testing.reset()
    # The SDK's console exporters: the span as JSON, then the metrics batch as JSON.
    assert '"name": "parent"' in out
    assert '"kind": "SpanKind.INTERNAL"' in out
    assert '"name": "sens_requests"' in out
    assert out.index('"name": "parent"') < out.index('"name": "sens_requests"')
