"""Our wire encoder against the upstream one: decoded, the messages must be identical."""

from __future__ import annotations

from opentelemetry.exporter.otlp.proto.common.metrics_encoder import (
    encode_metrics as upstream_metrics,
)
from opentelemetry.exporter.otlp.proto.common.trace_encoder import (
    encode_spans as upstream_spans,
)
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.metrics import AlwaysOffExemplarFilter, MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import (
    Link,
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    TraceState,
    set_span_in_context,
)

from naver_sms.telemetry import otlp_proto
from naver_sms.telemetry.pipeline import DELTA_TEMPORALITY

RESOURCE = Resource(
    {"service.name": "naver-sms", "faas.max_memory": 268435456, "cloud.region": "ap-northeast-2"}
)


def _spans() -> list:  # type: ignore[type-arg]
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=RESOURCE, shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("naver-sms", "0.1.0", schema_url="https://opentelemetry.io/s")
    other = provider.get_tracer("other")
    remote = SpanContext(
        trace_id=0x5759E988BD862E3FE1BE46A994272793,
        span_id=0x53995C3F42CD8AD8,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
        trace_state=TraceState([("vendor", "v1"), ("x", "y")]),
    )
    parent = set_span_in_context(NonRecordingSpan(remote))
    with tracer.start_as_current_span("fn", context=parent, kind=SpanKind.SERVER) as root:
        root.set_attributes(
            {
                "faas.coldstart": True,
                "flag.false": False,
                "count": 3,
                "negative": -42,
                "zero": 0,
                "ratio": 0.25,
                "aws.dynamodb.table_names": ("naver-sms-bookings",),
                "ints": (1, 2, 300),
                "empty": "",
                "한글": "값",
            }
        )
        with tracer.start_as_current_span(
            "POST", kind=SpanKind.CLIENT, links=[Link(remote, {"link.attr": "v"})]
        ) as client:
            client.add_event("retry", {"attempt": 2})
            client.set_status(Status(StatusCode.ERROR, "server_error"))
        try:
            with other.start_as_current_span("boom"):
                raise ValueError("bad")
        except ValueError:
            pass
        ok = tracer.start_span("ok", kind=SpanKind.PRODUCER)
        ok.set_status(Status(StatusCode.OK))
        ok.end()
    return list(exporter.get_finished_spans())


def test_spans_encode_exactly_like_upstream() -> None:
    spans = _spans()
    ours = ExportTraceServiceRequest.FromString(otlp_proto.encode_spans(spans))
    assert ours == upstream_spans(spans)
    assert len(ours.resource_spans[0].scope_spans) == 2


def test_metrics_encode_exactly_like_upstream() -> None:
    reader = InMemoryMetricReader(preferred_temporality=DELTA_TEMPORALITY)
    provider = MeterProvider(
        metric_readers=[reader],
        resource=RESOURCE,
        exemplar_filter=AlwaysOffExemplarFilter(),
        shutdown_on_exit=False,
    )
    meter = provider.get_meter("naver-sms", "0.1.0")
    counter = meter.create_counter("sms_sent", "1", "SMS sent")
    counter.add(2, {"sms_type": "confirm", "store_id": "s1", "mode": "live"})
    counter.add(1, {"sms_type": "guide", "store_id": "s1", "mode": "live"})
    meter.create_counter("float_counter").add(0.5)
    histogram = meter.create_histogram("sens_latency", "ms", "SENS latency")
    histogram.record(12.5, {"outcome": "success"})
    histogram.record(0.0, {"outcome": "success"})
    histogram.record(7000.0, {"outcome": "server_error"})
    meter.create_gauge("match_percentage", "%").set(97.5, {"store_id": "all"})
    meter.create_gauge("int_gauge").set(-3)
    meter.create_up_down_counter("updown").add(-2)
    data = reader.get_metrics_data()
    assert data is not None
    ours = ExportMetricsServiceRequest.FromString(otlp_proto.encode_metrics(data))
    assert ours == upstream_metrics(data)
    names = [m.name for m in ours.resource_metrics[0].scope_metrics[0].metrics]
    assert "sens_latency" in names
    assert "match_percentage" in names
