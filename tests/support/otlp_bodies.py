"""OTLP/HTTP request bodies, protobuf or JSON, read back into plain values for assertions.

Protobuf bodies are decoded with the official generated classes (`opentelemetry-proto`) and
turned into the OTLP/JSON shape, so one reader serves both encodings; only the ids differ
(base64 in protobuf's JSON mapping, hex in OTLP/JSON).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

DELTA = 1  # AGGREGATION_TEMPORALITY_DELTA


def _is_json(content_type: str) -> bool:
    return "json" in content_type.lower()


def _document(body: bytes, content_type: str, message: Any) -> dict[str, Any]:
    if _is_json(content_type):
        loaded: dict[str, Any] = json.loads(body)
        return loaded
    return MessageToDict(message.FromString(body))


def _hex(value: str | None, json_body: bool) -> str:
    if not value:
        return ""
    return value.lower() if json_body else base64.b64decode(value).hex()


def _value(any_value: dict[str, Any]) -> Any:
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in any_value:
            return any_value[key]
    if "intValue" in any_value:
        return int(any_value["intValue"])
    if "arrayValue" in any_value:
        return tuple(_value(v) for v in any_value["arrayValue"].get("values", []))
    return None


def attributes(items: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {item["key"]: _value(item.get("value", {})) for item in items or []}


def spans(body: bytes, content_type: str) -> list[dict[str, Any]]:
    """Every span: name, kind (OTLP number), ids in hex, attributes, resource, scope."""
    doc = _document(body, content_type, ExportTraceServiceRequest)
    json_body = _is_json(content_type)
    out = []
    for resource_spans in doc.get("resourceSpans", []):
        resource = attributes(resource_spans.get("resource", {}).get("attributes"))
        for scope_spans in resource_spans.get("scopeSpans", []):
            scope = scope_spans.get("scope", {}).get("name", "")
            for span in scope_spans.get("spans", []):
                kind = span.get("kind", 0)
                out.append(
                    {
                        "name": span.get("name", ""),
                        "kind": kind if isinstance(kind, int) else _KIND[kind],
                        "trace_id": _hex(span.get("traceId"), json_body),
                        "span_id": _hex(span.get("spanId"), json_body),
                        "parent_span_id": _hex(span.get("parentSpanId"), json_body),
                        "attributes": attributes(span.get("attributes")),
                        "events": [
                            (e.get("name", ""), attributes(e.get("attributes")))
                            for e in span.get("events", [])
                        ],
                        "status": span.get("status", {}),
                        "resource": resource,
                        "scope": scope,
                    }
                )
    return out


_KIND = {
    "SPAN_KIND_UNSPECIFIED": 0,
    "SPAN_KIND_INTERNAL": 1,
    "SPAN_KIND_SERVER": 2,
    "SPAN_KIND_CLIENT": 3,
    "SPAN_KIND_PRODUCER": 4,
    "SPAN_KIND_CONSUMER": 5,
}
_TEMPORALITY = {
    "AGGREGATION_TEMPORALITY_UNSPECIFIED": 0,
    "AGGREGATION_TEMPORALITY_DELTA": 1,
    "AGGREGATION_TEMPORALITY_CUMULATIVE": 2,
}


def metric_points(body: bytes, content_type: str) -> list[dict[str, Any]]:
    """Every data point: metric name, attributes, value (count for a histogram), temporality
    (None for a gauge), resource attributes."""
    doc = _document(body, content_type, ExportMetricsServiceRequest)
    out = []
    for resource_metrics in doc.get("resourceMetrics", []):
        resource = attributes(resource_metrics.get("resource", {}).get("attributes"))
        for scope_metrics in resource_metrics.get("scopeMetrics", []):
            for metric in scope_metrics.get("metrics", []):
                for kind in ("sum", "histogram", "gauge"):
                    data = metric.get(kind)
                    if data is None:
                        continue
                    temporality = data.get("aggregationTemporality")
                    if isinstance(temporality, str):
                        temporality = _TEMPORALITY[temporality]
                    for point in data.get("dataPoints", []):
                        if kind == "histogram":
                            value: Any = int(point.get("count", 0))
                        elif "asInt" in point:
                            value = int(point["asInt"])
                        else:
                            value = float(point.get("asDouble", 0.0))
                        out.append(
                            {
                                "name": metric["name"],
                                "attributes": attributes(point.get("attributes")),
                                "value": value,
                                "temporality": temporality,
                                "resource": resource,
                            }
                        )
    return out
