"""Trace continuation without `opentelemetry.propagate`, whose import builds propagators."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from naver_sms.telemetry.exporters import MemoryExporters
from naver_sms.telemetry.handler import http_propagator, instrument_handler

ROOT = "5759e988bd862e3fe1be46a994272793"

_LAMBDA_PATH = """
import os, json, sys
os.environ.update(OTEL_TRACES_EXPORTER="memory", OTEL_METRICS_EXPORTER="memory",
                  _X_AMZN_TRACE_ID="Root=1-5759e988-bd862e3fe1be46a994272793;"
                  "Parent=53995c3f42cd8ad8;Sampled=1")
from naver_sms.telemetry import setup
from naver_sms.telemetry.handler import instrument_handler
handler = instrument_handler(lambda event, context: None)
handler({}, None)
spans = setup.in_memory().spans()
print(json.dumps({"trace_ids": [format(s.context.trace_id, "032x") for s in spans],
                  "modules": sorted(sys.modules)}))
"""


def test_the_lambda_path_never_imports_the_global_propagator() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _LAMBDA_PATH], capture_output=True, text=True, check=True
    ).stdout.splitlines()[-1]
    result = json.loads(out)
    assert result["trace_ids"] == [ROOT]  # the X-Ray trace Lambda started is continued
    assert "opentelemetry.propagate" not in result["modules"]
    assert "opentelemetry.baggage.propagation" not in result["modules"]


def test_xray_header_in_an_http_event_is_continued(mem: MemoryExporters) -> None:
    @instrument_handler
    def handler(event: Any, context: Any) -> None:
        return None

    header = f"Root=1-{ROOT[:8]}-{ROOT[8:]};Parent=53995c3f42cd8ad8;Sampled=1"
    handler({"headers": {"X-Amzn-Trace-Id": header}}, None)
    (span,) = mem.spans()
    assert format(span.context.trace_id, "032x") == ROOT
    assert span.parent is not None
    assert span.parent.span_id == 0x53995C3F42CD8AD8


def test_the_http_propagator_reads_both_formats_and_is_built_once() -> None:
    assert http_propagator() is http_propagator()
    assert {"traceparent", "x-amzn-trace-id"} <= {f.lower() for f in http_propagator().fields}
