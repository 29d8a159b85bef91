from __future__ import annotations

import json
import subprocess
import sys

import pytest

from naver_sms.telemetry import catalog
from naver_sms.telemetry.aggregation import MetricStore
from naver_sms.telemetry.exporters import (
    ExporterConfigError,
    exporter_name,
    metric_exporter,
    span_exporter,
)
from naver_sms.telemetry.exporting import (
    ConsoleMetricExporter,
    ConsoleSpanExporter,
    ExportResult,
    InMemoryMetricExporter,
    InMemorySpanExporter,
)
from naver_sms.telemetry.otlp import (
    OtlpMetricExporter,
    OtlpSpanExporter,
    parse_headers,
    sender_for,
    signal_endpoint,
)
from naver_sms.telemetry.resource import Resource
from naver_sms.telemetry.spans import Span, Tracer


@pytest.mark.parametrize(
    ("env", "override", "expected"),
    [
        ({}, None, "otlp"),
        ({"OTEL_TRACES_EXPORTER": "console"}, None, "console"),
        ({"OTEL_TRACES_EXPORTER": "NONE"}, None, "none"),
        ({"OTEL_TRACES_EXPORTER": "memory,console"}, None, "memory"),
        ({"OTEL_TRACES_EXPORTER": "console"}, "memory", "memory"),
        ({"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, None, "otlp"),
    ],
)
def test_exporter_name(env: dict[str, str], override: str | None, expected: str) -> None:
    assert exporter_name("OTEL_TRACES_EXPORTER", env, override) == expected


def test_unsupported_exporter_and_protocol_are_named() -> None:
    with pytest.raises(ExporterConfigError, match="OTEL_TRACES_EXPORTER='zipkin'"):
        exporter_name("OTEL_TRACES_EXPORTER", {"OTEL_TRACES_EXPORTER": "zipkin"}, None)
    with pytest.raises(ExporterConfigError, match="OTEL_EXPORTER_OTLP_PROTOCOL='grpc'"):
        exporter_name("OTEL_METRICS_EXPORTER", {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, None)


def test_selection_builds_the_named_exporter() -> None:
    assert span_exporter("none", {}) is None
    assert metric_exporter("none", {}) is None
    assert isinstance(span_exporter("memory", {}), InMemorySpanExporter)
    assert isinstance(metric_exporter("memory", {}), InMemoryMetricExporter)
    assert isinstance(span_exporter("console", {}), ConsoleSpanExporter)
    assert isinstance(metric_exporter("console", {}), ConsoleMetricExporter)
    # `memory` is one shared exporter per signal, so tests can read back what was flushed.
    assert span_exporter("memory", {}) is span_exporter("memory", {})
    assert metric_exporter("memory", {}) is metric_exporter("memory", {})
    otlp = span_exporter("otlp", {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9999/"})
    assert isinstance(otlp, OtlpSpanExporter)
    assert otlp.sender.url == "http://127.0.0.1:9999/v1/traces"
    assert isinstance(metric_exporter("otlp", {}), OtlpMetricExporter)


def test_otlp_endpoints_follow_the_specification() -> None:
    assert signal_endpoint("traces", {}) == "http://localhost:4318/v1/traces"
    assert signal_endpoint("metrics", {}) == "http://localhost:4318/v1/metrics"
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otlp.example:443",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "https://metrics.example/custom",
    }
    assert signal_endpoint("traces", env) == "https://otlp.example:443/v1/traces"
    assert signal_endpoint("metrics", env) == "https://metrics.example/custom"


def test_otlp_headers_are_parsed_and_signal_headers_win() -> None:
    assert parse_headers("api-key=a%20b, x=1,broken") == {"api-key": "a b", "x": "1"}
    sender = sender_for(
        "traces",
        {"OTEL_EXPORTER_OTLP_HEADERS": "a=1,b=2", "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "b=3"},
    )
    assert sender.headers == {"a": "1", "b": "3"}


def test_bad_endpoint_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not an http"):
        sender_for("traces", {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "localhost:4318"})


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[-1]
    return set(json.loads(out))


def test_only_the_selected_exporter_is_imported() -> None:
    setup = (
        "import os\nos.environ['OTEL_TRACES_EXPORTER']=os.environ['OTEL_METRICS_EXPORTER']='{0}'\n"
        "from naver_sms.telemetry import setup\nsetup.configure()"
    )
    memory = _modules_after(setup.format("memory"))
    assert "naver_sms.telemetry.otlp" not in memory
    assert "google.protobuf" not in memory
    assert "requests" not in memory
    otlp = _modules_after(setup.format("otlp"))
    assert "naver_sms.telemetry.otlp" in otlp
    # Neither the upstream exporter (and its `requests`) nor protobuf is needed for OTLP/HTTP.
    assert "requests" not in otlp
    assert "google.protobuf" not in otlp
    assert "opentelemetry.exporter.otlp.proto.common.trace_encoder" not in otlp
    # Nor anything else from OpenTelemetry's Python packages, whichever exporter is chosen.
    assert sorted(m for m in memory | otlp if m.startswith("opentelemetry")) == []


def test_console_exporters_print_one_json_object_per_span_and_point(
    capsys: pytest.CaptureFixture[str],
) -> None:
    tracer = Tracer()
    tracer.resource = Resource({"service.name": "naver-sms"})
    ended: list[Span] = []
    tracer.sink = ended.append
    with tracer.start_as_current_span("parent"), tracer.start_as_current_span("child") as child:
        child.set_attribute("store.id", "s1")
    store = MetricStore()
    store.add(catalog.SENS_REQUESTS, 2, {"outcome": "success"})
    store.add(catalog.SENS_LATENCY, 12.0, {"outcome": "success"})
    assert ConsoleSpanExporter().export(ended) is ExportResult.SUCCESS
    assert ConsoleMetricExporter().export(store.drain()) is ExportResult.SUCCESS
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    spans = [line for line in lines if "context" in line]
    assert [s["name"] for s in spans] == ["child", "parent"]
    child_json, parent_json = spans
    assert child_json["parent_id"] == parent_json["context"]["span_id"]
    assert child_json["context"]["trace_id"] == f"0x{ended[0].context.trace_id:032x}"
    assert child_json["kind"] == "SpanKind.INTERNAL"
    assert child_json["attributes"] == {"store.id": "s1"}
    assert parent_json["parent_id"] is None
    points = sorted((line for line in lines if "value" in line), key=lambda p: p["name"])
    assert [(p["name"], p["attributes"], p["value"]) for p in points] == [
        (
            "sens_latency",
            {"outcome": "success"},
            {"count": 1, "sum": 12.0, "min": 12.0, "max": 12.0},
        ),
        ("sens_requests", {"outcome": "success"}, 2),
    ]
    assert points[0]["resource"]["service.name"] == "naver-sms"
