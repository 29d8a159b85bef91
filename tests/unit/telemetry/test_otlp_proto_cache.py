"""Resource and scope messages are encoded once per object, and the cached bytes are right."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import (
    encode_spans as upstream_spans,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from naver_sms.telemetry import otlp_proto
from naver_sms.telemetry.resource import InstrumentationScope, Resource
from naver_sms.telemetry.spans import Span, SpanContext, SpanKind
from support.otel_sdk import SdkConverter


def _spans(resource: Resource, scope_version: str) -> list[Span]:
    scope = InstrumentationScope("naver-sms", scope_version, attributes={"scope.attr": "a"})
    span = Span("fn", SpanContext(0xABC, 0xDEF), None, SpanKind.SERVER, {}, resource, None, scope)
    span.end()
    return [span]


def _decoded(payload: bytes) -> tuple[dict[str, Any], tuple[str, str, dict[str, Any]]]:
    request = ExportTraceServiceRequest()
    request.ParseFromString(payload)
    (rs,) = request.resource_spans
    (ss,) = rs.scope_spans
    resource = {kv.key: kv.value.string_value for kv in rs.resource.attributes}
    scope_attrs = {kv.key: kv.value.string_value for kv in ss.scope.attributes}
    return resource, (ss.scope.name, ss.scope.version, scope_attrs)


def test_each_resource_and_scope_is_encoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    encoded: list[bytes] = []
    real = otlp_proto._attributes

    def counting(tag: bytes, attributes: Any) -> bytes:
        if tag in (otlp_proto._RESOURCE_ATTRS, otlp_proto._SCOPE_ATTRS):
            encoded.append(tag)
        return real(tag, attributes)

    monkeypatch.setattr(otlp_proto, "_attributes", counting)
    spans = _spans(Resource({"service.name": "cache-test-1"}), "1.0")
    first = otlp_proto.encode_spans(spans)
    second = otlp_proto.encode_spans(spans)
    assert first == second
    assert sorted(encoded) == sorted([otlp_proto._RESOURCE_ATTRS, otlp_proto._SCOPE_ATTRS])
    assert _decoded(first) == (
        {"service.name": "cache-test-1"},
        ("naver-sms", "1.0", {"scope.attr": "a"}),
    )
    # The cached bytes are the message upstream builds.
    expected = upstream_spans([SdkConverter().span(s) for s in spans])
    assert ExportTraceServiceRequest.FromString(second) == expected


def test_other_objects_get_their_own_encoding() -> None:
    one = otlp_proto.encode_spans(_spans(Resource({"service.name": "cache-a"}), "1.0"))
    two = otlp_proto.encode_spans(_spans(Resource({"service.name": "cache-b"}), "2.0"))
    assert _decoded(one)[0] == {"service.name": "cache-a"}
    assert _decoded(two) == ({"service.name": "cache-b"}, ("naver-sms", "2.0", {"scope.attr": "a"}))
