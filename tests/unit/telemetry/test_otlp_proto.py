"""Our wire encoder against the upstream one: decoded, the messages must be identical.

Our spans and metrics are converted field for field to the SDK's objects
(`support.otel_sdk`) and encoded by `opentelemetry-exporter-otlp-proto-common`; our bytes,
decoded with the generated classes, must be exactly that message.
"""

from __future__ import annotations

from typing import Any

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
from opentelemetry.proto.trace.v1.trace_pb2 import Span as PbSpan
from opentelemetry.proto.trace.v1.trace_pb2 import SpanFlags, Status

from naver_sms.telemetry import catalog, otlp_proto
from naver_sms.telemetry.aggregation import (
    DEFAULT_BOUNDS,
    Gauge,
    Metric,
    MetricsData,
    MetricStore,
    NumberDataPoint,
    ResourceMetrics,
    ScopeMetrics,
    Sum,
)
from naver_sms.telemetry.resource import InstrumentationScope, Resource
from naver_sms.telemetry.spans import (
    CURRENT,
    Span,
    SpanContext,
    SpanKind,
    StatusCode,
    Tracer,
    activate,
    deactivate,
)
from support.otel_sdk import SdkConverter

RESOURCE = Resource(
    {"service.name": "naver-sms", "faas.max_memory": 268435456, "cloud.region": "ap-northeast-2"},
    schema_url="https://opentelemetry.io/schemas/1.26.0",
)
OTHER_RESOURCE = Resource({"service.name": "naver-sms-other"})
OTHER_SCOPE = InstrumentationScope(
    "other", "2.0", "https://opentelemetry.io/s", attributes={"scope.attr": "a"}
)
REMOTE = SpanContext(
    0x5759E988BD862E3FE1BE46A994272793, 0x53995C3F42CD8AD8, is_remote=True, sampled=True
)
LOCAL_PARENT = SpanContext(0x5759E988BD862E3FE1BE46A994272794, 0x1122334455667788)
ROOT_ATTRIBUTES: dict[str, Any] = {
    "faas.coldstart": True,
    "flag.false": False,
    "count": 3,
    "negative": -42,
    "zero": 0,
    "big": 2**62,
    "ratio": 0.25,
    "aws.dynamodb.table_names": ("naver-sms-bookings",),
    "list.str": ["a", "b"],
    "ints": (1, 2, 300),
    "empty": "",
    "한글": "값",
}


def _spans() -> list[Span]:
    ended: list[Span] = []
    tracer = Tracer()
    tracer.resource = RESOURCE
    tracer.sink = ended.append
    root = tracer.start_span("fn", SpanKind.SERVER, dict(ROOT_ATTRIBUTES), parent=REMOTE)
    assert isinstance(root, Span)
    token = activate(root)
    try:
        with tracer.start_as_current_span("POST", SpanKind.CLIENT, {"peer.service": "x"}) as client:
            client.add_event("retry", {"attempt": 2, "reason": "throttled"})
            client.set_status(StatusCode.ERROR, "server_error")
        try:
            with tracer.start_as_current_span("boom"):
                raise ValueError("bad")
        except ValueError:
            pass
        ok = tracer.start_span("ok", SpanKind.PRODUCER, parent=CURRENT)
        ok.set_status(StatusCode.OK)
        ok.end()
        tracer.start_span("consumer", SpanKind.CONSUMER, parent=LOCAL_PARENT).end()
    finally:
        deactivate(token)
    root.end()
    tracer.start_span("new-trace", SpanKind.INTERNAL, {"n": 1}).end()
    # Another scope on the same resource, and another resource: grouped as upstream groups.
    other_scope = Span(
        "other-scope", LOCAL_PARENT, None, SpanKind.INTERNAL, {}, RESOURCE, None, OTHER_SCOPE
    )
    other_scope.end()
    other_resource = Span(
        "other-resource", REMOTE, None, SpanKind.INTERNAL, {"k": "v"}, OTHER_RESOURCE, None
    )
    other_resource.end()
    return [*ended, other_scope, other_resource]


def test_spans_encode_exactly_like_upstream() -> None:
    spans = _spans()
    ours = ExportTraceServiceRequest.FromString(otlp_proto.encode_spans(spans))
    convert = SdkConverter()
    assert ours == upstream_spans([convert.span(s) for s in spans])

    assert [len(rs.scope_spans) for rs in ours.resource_spans] == [2, 1]
    wire = {s.name: s for rs in ours.resource_spans for ss in rs.scope_spans for s in ss.spans}
    assert len(wire) == len(spans)
    has_is_remote = SpanFlags.SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK
    is_remote = SpanFlags.SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK
    # Parent in a header (remote), local parent, no parent.
    assert wire["fn"].parent_span_id == REMOTE.span_id.to_bytes(8, "big")
    assert wire["fn"].flags == has_is_remote | is_remote
    assert wire["fn"].trace_id == REMOTE.trace_id.to_bytes(16, "big")
    assert wire["fn"].kind == PbSpan.SPAN_KIND_SERVER
    assert wire["POST"].parent_span_id == wire["fn"].span_id
    assert wire["POST"].flags == has_is_remote
    assert wire["consumer"].parent_span_id == LOCAL_PARENT.span_id.to_bytes(8, "big")
    assert wire["new-trace"].parent_span_id == b""
    assert wire["new-trace"].flags == has_is_remote
    # Every attribute type.
    attributes = {kv.key: kv.value for kv in wire["fn"].attributes}
    assert attributes["faas.coldstart"].bool_value is True
    assert attributes["flag.false"].HasField("bool_value")
    assert attributes["negative"].int_value == -42
    assert attributes["zero"].HasField("int_value")
    assert attributes["big"].int_value == 2**62
    assert attributes["ratio"].double_value == 0.25
    assert [v.string_value for v in attributes["list.str"].array_value.values] == ["a", "b"]
    assert attributes["empty"].HasField("string_value")
    assert attributes["한글"].string_value == "값"
    # Status with its message; the exception as an event.
    assert wire["POST"].status == Status(code=Status.STATUS_CODE_ERROR, message="server_error")
    assert [(e.name, e.attributes[0].value.int_value) for e in wire["POST"].events] == [
        ("retry", 2)
    ]
    assert wire["boom"].status == Status(code=Status.STATUS_CODE_ERROR, message="ValueError: bad")
    (event,) = wire["boom"].events
    event_attrs = {kv.key: kv.value.string_value for kv in event.attributes}
    assert event.name == "exception"
    assert event_attrs["exception.type"] == "ValueError"
    assert event_attrs["exception.message"] == "bad"
    assert "ValueError: bad" in event_attrs["exception.stacktrace"]
    assert wire["ok"].status.code == Status.STATUS_CODE_OK
    assert ours.resource_spans[0].schema_url == RESOURCE.schema_url
    assert ours.resource_spans[0].scope_spans[1].scope.name == "other"


def _store_data() -> MetricsData:
    """Every catalog instrument kind, in both catalog namespaces, through the real store."""
    store = MetricStore()
    store.resource = RESOURCE
    store.add(catalog.SMS_SENT, 2, {"sms_type": "confirm", "store_id": "s1", "mode": "live"})
    store.add(catalog.SMS_SENT, 1, {"sms_type": "guide", "store_id": "s1", "mode": "live"})
    store.add(catalog.SMS_SENT, 1, {"sms_type": "confirm", "store_id": "s1", "mode": "live"})
    store.add(catalog.INVOCATION_ERRORS, 1, {})
    for value in (12.5, 0.0, 10_001.0):
        store.add(catalog.SENS_LATENCY, value, {"outcome": "success"})
    store.add(catalog.SENS_LATENCY, 7000.0, {"outcome": "server_error"})
    store.add(catalog.COMPARISON_SMS_SENT_OLD, 3, {"sms_type": "confirm", "store_id": "s1"})
    store.add(catalog.COMPARISON_MATCH_PERCENTAGE, 99.0, {"store_id": "all"})
    store.add(catalog.COMPARISON_MATCH_PERCENTAGE, 97.5, {"store_id": "all"})
    store.add(catalog.COMPARISON_MATCH_PERCENTAGE, 100, {"store_id": "s1"})
    return store.drain()


def test_metrics_encode_exactly_like_upstream() -> None:
    data = _store_data()
    ours = ExportMetricsServiceRequest.FromString(otlp_proto.encode_metrics(data))
    assert ours == upstream_metrics(SdkConverter().metrics(data))

    # One resource per catalog namespace, as awsemf needs them.
    namespaces = [
        {kv.key: kv.value.string_value for kv in rm.resource.attributes}
        for rm in ours.resource_metrics
    ]
    assert [(r.get("service.namespace"), r["service.name"]) for r in namespaces] == [
        (None, "naver-sms"),
        ("naver-sms", "comparison"),
    ]
    assert all(r["cloud.region"] == "ap-northeast-2" for r in namespaces)
    metrics = {
        m.name: m for rm in ours.resource_metrics for sm in rm.scope_metrics for m in sm.metrics
    }
    assert set(metrics) == {
        "sms_sent",
        "invocation_errors",
        "sens_latency",
        "sms_sent_old",
        "match_percentage",
    }
    sms = metrics["sms_sent"].sum
    assert sms.is_monotonic
    assert sms.aggregation_temporality == 1  # DELTA
    assert sorted(p.as_int for p in sms.data_points) == [1, 3]
    assert all(p.WhichOneof("value") == "as_int" for p in sms.data_points)
    assert all(p.start_time_unix_nano and p.time_unix_nano for p in sms.data_points)
    latency = {
        p.attributes[0].value.string_value: p for p in metrics["sens_latency"].histogram.data_points
    }
    success = latency["success"]
    assert (success.count, success.sum, success.min, success.max) == (3, 10_013.5, 0.0, 10_001.0)
    assert list(success.explicit_bounds) == list(DEFAULT_BOUNDS)
    assert list(success.bucket_counts) == [1, 0, 0, 1] + [0] * 11 + [1]
    assert metrics["sens_latency"].unit == "ms"
    gauge = {
        p.attributes[0].value.string_value: p for p in metrics["match_percentage"].gauge.data_points
    }
    assert gauge["all"].as_double == 97.5  # the last value
    assert gauge["s1"].WhichOneof("value") == "as_int"
    assert gauge["s1"].start_time_unix_nano == 0  # gauges carry no start, as upstream
    assert metrics["match_percentage"].unit == "%"


def test_hand_built_points_encode_exactly_like_upstream() -> None:
    """Values the store does not produce from the catalog: a float counter, a negative int
    gauge, an empty attribute set, a non-monotonic sum, a scope without version."""
    scope = InstrumentationScope("bare")
    data = MetricsData(
        [
            ResourceMetrics(
                OTHER_RESOURCE,
                [
                    ScopeMetrics(
                        scope,
                        [
                            Metric("float_counter", "", "", Sum([NumberDataPoint({}, 1, 2, 0.5)])),
                            Metric(
                                "updown",
                                "goes down",
                                "1",
                                Sum([NumberDataPoint({"a": "b"}, 1, 2, -2)], is_monotonic=False),
                            ),
                            Metric("int_gauge", "", "", Gauge([NumberDataPoint({}, 1, 2, -3)])),
                        ],
                    )
                ],
            )
        ]
    )
    ours = ExportMetricsServiceRequest.FromString(otlp_proto.encode_metrics(data))
    assert ours == upstream_metrics(SdkConverter().metrics(data))
    metrics = ours.resource_metrics[0].scope_metrics[0].metrics
    assert metrics[0].sum.data_points[0].as_double == 0.5
    assert not metrics[1].sum.is_monotonic
    assert metrics[1].sum.data_points[0].as_int == -2
    assert metrics[2].gauge.data_points[0].as_int == -3
