"""The user installed an SDK provider before naver-sms configured telemetry (their own code,
a vendor's agent): configure() uses it and adds nothing twice. Run in a fresh interpreter, as
the global providers can be set once per process."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
import json, os, sys
os.environ.update(OTEL_TRACES_EXPORTER="otlp", OTEL_METRICS_EXPORTER="otlp",
                  _X_AMZN_TRACE_ID="Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

spans = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(spans))
trace.set_tracer_provider(provider)
reader = InMemoryMetricReader()
metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))

from naver_sms.telemetry import catalog, instrument_handler, instruments, setup

token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

@instrument_handler
def handler(event, context):
    with instruments.booking_span("b1", "s1"):
        instruments.record(catalog.BOOKINGS_PROCESSED, store_id="s1")
        with trace.get_tracer("user.http").start_as_current_span("GET") as span:
            span.set_attribute("url.full", f"https://api.telegram.org/bot{token}/getMe")

handler({}, None)
setup.configure(force=True)  # again: still nothing added twice
handler({}, None)
state = setup.current()
points = [
    (m.name, p.value)
    for rm in reader.get_metrics_data().resource_metrics
    for sm in rm.scope_metrics for m in sm.metrics for p in m.data.data_points
]
print(json.dumps({
    "owns": [state.pipeline.owns_traces, state.pipeline.owns_metrics],
    "processors": [type(p).__name__ for p in provider._active_span_processor._span_processors],
    "spans": [
        [s.name, s.kind.name, format(s.context.trace_id, "032x"),
         s.parent and format(s.parent.span_id, "016x"), dict(s.attributes or {})]
        for s in spans.get_finished_spans()
    ],
    "points": points,
    "otlp_loaded": "opentelemetry.exporter.otlp.json.http.trace_exporter" in sys.modules,
}))
"""


def test_an_installed_provider_is_used_and_nothing_is_added_twice() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()[-1]
    result = json.loads(out)
    assert result["owns"] == [False, False]
    # Their processor, and our scrubbing one once: no second exporter or batch processor.
    assert result["processors"] == ["SimpleSpanProcessor", "ScrubbingSpanProcessor"]
    spans = result["spans"]
    assert [(name, kind) for name, kind, *_ in spans] == [
        ("GET", "INTERNAL"),
        ("process_booking", "INTERNAL"),
        ("handler", "SERVER"),  # no aws-lambda instrumentation here: the wrapper makes it
    ] * 2
    # The invocation continues Lambda's trace in their provider too.
    assert {trace_id for _, _, trace_id, _, _ in spans} == {"5759e988bd862e3fe1be46a994272793"}
    assert spans[2][3] == "53995c3f42cd8ad8"
    # Their exporter received the spans scrubbed.
    assert spans[0][4]["url.full"] == "https://api.telegram.org/bot[REDACTED]/getMe"
    # Metrics went to their meter provider (their reader collects cumulative: 2 in total).
    assert ["bookings_processed", 2] in result["points"]
    assert result["otlp_loaded"] is False  # their pipeline, not a second one of ours
