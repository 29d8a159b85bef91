"""OTLP protobuf, as received by the local OTLP receiver, to readable JSON lines."""

from __future__ import annotations

import json
from typing import Any

from naver_sms.devstack.collector_sinks import OtlpReceiver, number_value

_KINDS = {0: "UNSPECIFIED", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}


def _value(any_value: Any) -> Any:
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [_value(v) for v in any_value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in any_value.kvlist_value.values}
    return getattr(any_value, kind) if kind else None


def _attributes(attributes: Any) -> dict[str, Any]:
    return {kv.key: _value(kv.value) for kv in attributes}


def spans_json(receiver: OtlpReceiver) -> list[str]:
    return [
        json.dumps(
            {
                "trace_id": span.trace_id.hex(),
                "span_id": span.span_id.hex(),
                "parent_span_id": span.parent_span_id.hex() or None,
                "name": span.name,
                "kind": _KINDS.get(span.kind, str(span.kind)),
                "start_unix_nano": span.start_time_unix_nano,
                "duration_ms": round(
                    (span.end_time_unix_nano - span.start_time_unix_nano) / 1e6, 3
                ),
                "status": {1: "OK", 2: "ERROR"}.get(span.status.code, "UNSET"),
                "attributes": _attributes(span.attributes),
                "events": [e.name for e in span.events],
                "service": _attributes(resource.attributes).get("service.name"),
            },
            ensure_ascii=False,
        )
        for resource, span in receiver.resource_spans()
    ]


def metric_points_json(receiver: OtlpReceiver) -> list[str]:
    lines = []
    for metric, kind, data, dp in receiver.data_points():
        point: dict[str, Any] = {
            "name": metric.name,
            "unit": metric.unit,
            "type": kind,
            "attributes": _attributes(dp.attributes),
            "time_unix_nano": dp.time_unix_nano,
        }
        if kind == "histogram":
            point.update(
                count=dp.count,
                sum=dp.sum,
                min=dp.min if dp.HasField("min") else None,
                max=dp.max if dp.HasField("max") else None,
            )
        else:
            point["value"] = number_value(dp)
        if hasattr(data, "aggregation_temporality"):
            point["temporality"] = {1: "delta", 2: "cumulative"}.get(
                data.aggregation_temporality, "unspecified"
            )
        lines.append(json.dumps(point, ensure_ascii=False))
    return lines
