"""OTLP protobuf encoding of this package's spans and metrics, written directly as wire bytes.

Why not the upstream encoder (`opentelemetry-exporter-otlp-proto-common`): it builds
`opentelemetry-proto` message objects, which imports protobuf and the generated modules
(~20 ms at every cold start here) and costs ~50 µs per span at every flush. The OTLP
messages this Lambda sends use a handful of fields, and the protobuf wire format is simple
(varints, fixed64, length-delimited), so they are written here byte by byte. The tests decode
the output with the official generated classes and check it field by field.

Field numbers: opentelemetry/proto/{trace,metrics,common,resource}/v1/*.proto.
Links, trace state and exemplars are never produced here, so never encoded.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from naver_sms.privacy import CACHEABLE_TEXT
from naver_sms.telemetry.aggregation import (
    DEFAULT_BOUNDS,
    AggregationTemporality,
    Gauge,
    Histogram,
    HistogramDataPoint,
    Metric,
    MetricsData,
    NumberDataPoint,
    Series,
    SeriesBatch,
    Sum,
)
from naver_sms.telemetry.catalog import Instrument, MetricSpec
from naver_sms.telemetry.resource import SCOPE, InstrumentationScope, Resource
from naver_sms.telemetry.spans import Span, SpanContext, SpanKind

_MASK64 = (1 << 64) - 1
_SMALL_VARINTS = [bytes([i]) for i in range(128)]
_pack_fixed64 = struct.Struct("<Q").pack
_pack_double = struct.Struct("<d").pack
_pack_fixed32 = struct.Struct("<I").pack
_pack_sfixed64 = struct.Struct("<q").pack

# OTLP SpanKind = SpanKind value + 1 (0 is UNSPECIFIED).
_SPAN_KIND = {kind: kind.value + 1 for kind in SpanKind}
_FLAG_HAS_IS_REMOTE = 0x100
_FLAG_IS_REMOTE = 0x200


def _varint(value: int) -> bytes:
    if 0 <= value < 128:
        return _SMALL_VARINTS[value]
    value &= _MASK64
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _tag(field: int, wire_type: int) -> bytes:
    return _varint((field << 3) | wire_type)


def _ld(tag: bytes, payload: bytes) -> bytes:
    """A length-delimited field (strings, bytes, sub-messages, packed repeated)."""
    return tag + _varint(len(payload)) + payload


def _str(tag: bytes, value: str) -> bytes:
    return _ld(tag, value.encode("utf-8")) if value else b""


# -- common.proto ------------------------------------------------------------------------------

_ANY_STRING, _ANY_BOOL, _ANY_INT = _tag(1, 2), _tag(2, 0), _tag(3, 0)
_ANY_DOUBLE, _ANY_ARRAY, _ANY_KVLIST, _ANY_BYTES = _tag(4, 1), _tag(5, 2), _tag(6, 2), _tag(7, 2)
_KV_KEY, _KV_VALUE = _tag(1, 2), _tag(2, 2)
_LIST_VALUES = _tag(1, 2)


def _any_value(value: Any) -> bytes:
    """AnyValue: a oneof, so even a zero value is written (it says which member is set)."""
    if value is None:
        return b""
    if isinstance(value, bool):
        return _ANY_BOOL + (b"\x01" if value else b"\x00")
    if isinstance(value, str):
        return _ld(_ANY_STRING, value.encode("utf-8"))
    if isinstance(value, int):
        return _ANY_INT + _varint(value)
    if isinstance(value, float):
        return _ANY_DOUBLE + _pack_double(value)
    if isinstance(value, bytes):
        return _ld(_ANY_BYTES, value)
    if isinstance(value, Mapping):
        items = b"".join(_ld(_LIST_VALUES, _key_value(str(k), v)) for k, v in value.items())
        return _ld(_ANY_KVLIST, items)
    if isinstance(value, Sequence):
        items = b"".join(_ld(_LIST_VALUES, _any_value(v)) for v in value)
        return _ld(_ANY_ARRAY, items)
    raise TypeError(f"attribute value of type {type(value).__name__} cannot be encoded")


_encoded_keys: dict[str, bytes] = {}


def _key_value(key: str, value: Any) -> bytes:
    encoded_key = _encoded_keys.get(key)
    if encoded_key is None:
        encoded_key = _ld(_KV_KEY, key.encode("utf-8"))
        if len(_encoded_keys) < 1024:  # attribute keys are a small closed set
            _encoded_keys[key] = encoded_key
    return encoded_key + _ld(_KV_VALUE, _any_value(value))


# Encoded (field tag, key, value) triples. Most attributes repeat from span to span
# (`peer.service`, `http.request.method`, `rpc.system`, a store id, a status code), so an
# export mostly joins cached bytes. Scalars only, keyed with their type (True == 1 in a
# dict); cleared when full, so values that never repeat (ids) cannot grow it.
_PAIR_CACHE_LIMIT = 4096
_SCALARS = (str, int, float, bool)
_encoded_pairs: dict[tuple[bytes, str, type, Any], bytes] = {}  # type: list -> its tuple


def _cacheable(value: Any) -> bool:
    """Worth caching: a short string, a number, or a sequence of short strings. Long texts
    (exception messages, stack traces) rarely repeat and would only hold memory."""
    kind = type(value)
    if kind is str:
        return len(value) <= CACHEABLE_TEXT
    if kind is list or kind is tuple:
        return all(type(v) is str and len(v) <= CACHEABLE_TEXT for v in value)
    return kind in _SCALARS


def _attributes(tag: bytes, attributes: Mapping[str, Any] | None) -> bytes:
    if not attributes:
        return b""
    cache = _encoded_pairs
    out = []
    for key, value in attributes.items():
        kind = type(value)
        if not _cacheable(value):
            out.append(_ld(tag, _key_value(key, value)))
            continue
        cache_key = (tag, key, kind, tuple(value) if kind is list else value)
        encoded = cache.get(cache_key)
        if encoded is None:
            encoded = _ld(tag, _key_value(key, value))
            if len(cache) >= _PAIR_CACHE_LIMIT:
                cache.clear()
            cache[cache_key] = encoded
        out.append(encoded)
    return b"".join(out)


_RESOURCE_ATTRS = _tag(1, 2)
_SCOPE_NAME, _SCOPE_VERSION, _SCOPE_ATTRS = _tag(1, 2), _tag(2, 2), _tag(3, 2)
# Resources and instrumentation scopes are a handful of objects that live as long as the
# process and are in every export: each is encoded once, keyed by identity (the object is
# kept with its bytes, so an id is never mistaken for a later object's).
_CACHE_LIMIT = 64
# Field 1 of both ResourceSpans and ResourceMetrics, and of both ScopeSpans and ScopeMetrics.
_RESOURCE_FIELD, _SCOPE_FIELD = _tag(1, 2), _tag(1, 2)
_resource_cache: dict[int, tuple[Resource, bytes]] = {}
_scope_cache: dict[int, tuple[InstrumentationScope, bytes]] = {}


def _resource(resource: Resource) -> bytes:
    """The `resource` field (tag and length included), encoded once per Resource."""
    cached = _resource_cache.get(id(resource))
    if cached is not None and cached[0] is resource:
        return cached[1]
    encoded = _ld(_RESOURCE_FIELD, _attributes(_RESOURCE_ATTRS, resource.attributes))
    if len(_resource_cache) < _CACHE_LIMIT:
        _resource_cache[id(resource)] = (resource, encoded)
    return encoded


def _scope(scope: InstrumentationScope | None) -> bytes:
    """The `scope` field (tag and length included), encoded once per scope."""
    if scope is None:
        return _ld(_SCOPE_FIELD, b"")
    cached = _scope_cache.get(id(scope))
    if cached is not None and cached[0] is scope:
        return cached[1]
    encoded = _ld(
        _SCOPE_FIELD,
        _str(_SCOPE_NAME, scope.name)
        + _str(_SCOPE_VERSION, scope.version or "")
        + _attributes(_SCOPE_ATTRS, scope.attributes),
    )
    if len(_scope_cache) < _CACHE_LIMIT:
        _scope_cache[id(scope)] = (scope, encoded)
    return encoded


# -- trace.proto -------------------------------------------------------------------------------

_REQ_RESOURCE_SPANS = _tag(1, 2)
_RS_SCOPE_SPANS, _RS_SCHEMA = _tag(2, 2), _tag(3, 2)
_SS_SPANS, _SS_SCHEMA = _tag(2, 2), _tag(3, 2)
_SPAN_TRACE_ID, _SPAN_SPAN_ID = _tag(1, 2), _tag(2, 2)
_SPAN_PARENT, _SPAN_NAME, _SPAN_KIND_TAG = _tag(4, 2), _tag(5, 2), _tag(6, 0)
_SPAN_START, _SPAN_END, _SPAN_ATTRS = _tag(7, 1), _tag(8, 1), _tag(9, 2)
_SPAN_EVENTS = _tag(11, 2)
_SPAN_STATUS = _tag(15, 2)
_SPAN_FLAGS = _tag(16, 5)
_EVENT_TIME, _EVENT_NAME, _EVENT_ATTRS = _tag(1, 1), _tag(2, 2), _tag(3, 2)
_STATUS_MESSAGE, _STATUS_CODE = _tag(2, 2), _tag(3, 0)


def _count(tag: bytes, value: int) -> bytes:
    return tag + _varint(value) if value else b""


def _flags(parent: SpanContext | None) -> int:
    flags = _FLAG_HAS_IS_REMOTE
    if parent is not None and parent.is_remote:
        flags |= _FLAG_IS_REMOTE
    return flags


_KIND_FIELD = {kind: _SPAN_KIND_TAG + _varint(value) for kind, value in _SPAN_KIND.items()}
_FLAGS_LOCAL = _SPAN_FLAGS + _pack_fixed32(_FLAG_HAS_IS_REMOTE)
_FLAGS_REMOTE = _SPAN_FLAGS + _pack_fixed32(_FLAG_HAS_IS_REMOTE | _FLAG_IS_REMOTE)
_FLAGS_ROOT = _FLAGS_LOCAL
# Span names and statuses repeat ("POST", "DynamoDB.PutItem", the function name, UNSET):
# their encoded fields are cached like attribute pairs, and cleared when full.
_names: dict[str, bytes] = {}
_statuses: dict[tuple[int, str | None], bytes] = {}
_trace_ids: dict[int, bytes] = {}


def _name_field(name: str) -> bytes:
    found = _names.get(name)
    if found is None:
        found = _str(_SPAN_NAME, name)
        if len(name) <= CACHEABLE_TEXT:
            if len(_names) >= _PAIR_CACHE_LIMIT:
                _names.clear()
            _names[name] = found
    return found


def _status_field(code: int, description: str | None) -> bytes:
    key = (code, description)
    found = _statuses.get(key)
    if found is None:
        found = _ld(
            _SPAN_STATUS, _str(_STATUS_MESSAGE, description or "") + _count(_STATUS_CODE, code)
        )
        if description is None or len(description) <= CACHEABLE_TEXT:
            if len(_statuses) >= _PAIR_CACHE_LIMIT:
                _statuses.clear()
            _statuses[key] = found
    return found


def _trace_id_field(trace_id: int) -> bytes:
    """An invocation's spans share one trace id: encoded once per flush or so."""
    found = _trace_ids.get(trace_id)
    if found is None:
        if len(_trace_ids) >= 64:
            _trace_ids.clear()
        found = _trace_ids[trace_id] = _SPAN_TRACE_ID + b"\x10" + trace_id.to_bytes(16, "big")
    return found


# Whole attribute blocks of spans, by their items and value types (True == 1 == 1.0 in a
# dict key): a client span's attributes are the same call after call (same peer, method,
# URL, table), so its block is encoded once.
_blocks: dict[tuple[tuple[tuple[str, Any], ...], tuple[type, ...]], bytes] = {}
_BLOCK_LIMIT = 512


def _span_attributes(attributes: Mapping[str, Any]) -> bytes:
    items = (tuple(attributes.items()), tuple(map(type, attributes.values())))
    try:
        found = _blocks.get(items)
    except TypeError:  # an unhashable value (a list): encoded pair by pair
        return _attributes(_SPAN_ATTRS, attributes)
    if found is None:
        found = _attributes(_SPAN_ATTRS, attributes)
        # Only blocks of cacheable values (sequences only of strings, so `(1,)` can never
        # stand for `(True,)`); ids make most server-span blocks unique: a small bound.
        if all(map(_cacheable, attributes.values())):
            if len(_blocks) >= _BLOCK_LIMIT:
                _blocks.clear()
            _blocks[items] = found
    return found


# span_id and parent_span_id (tags, length 8, big-endian ids), then start and end times
# (tags, little-endian fixed64): one `pack` each instead of eight concatenations.
_IDS = struct.Struct(">BBQBBQ").pack
_ID = struct.Struct(">BBQ").pack
_TIMES = struct.Struct("<BQBQ").pack
_SPAN_ID_TAG, _PARENT_TAG = _SPAN_SPAN_ID[0], _SPAN_PARENT[0]
_START_TAG, _END_TAG = _SPAN_START[0], _SPAN_END[0]


def _span(span: Span) -> bytes:
    context = span.context
    parent = span.parent
    ids = (
        _ID(_SPAN_ID_TAG, 8, context.span_id)
        if parent is None
        else _IDS(_SPAN_ID_TAG, 8, context.span_id, _PARENT_TAG, 8, parent.span_id)
    )
    start, end = span.start_time, span.end_time
    times = (
        _TIMES(_START_TAG, start, _END_TAG, end)
        if start and end
        else (_SPAN_START + _pack_fixed64(start) if start else b"")
        + (_SPAN_END + _pack_fixed64(end) if end else b"")
    )
    parts = [
        _trace_id_field(context.trace_id),
        ids,
        _name_field(span.name),
        _KIND_FIELD[span.kind],
        times,
    ]
    if span.attributes:
        parts.append(_span_attributes(span.attributes))
    for event in span.events:
        parts.append(
            _ld(
                _SPAN_EVENTS,
                (_EVENT_TIME + _pack_fixed64(event.timestamp) if event.timestamp else b"")
                + _str(_EVENT_NAME, event.name)
                + _attributes(_EVENT_ATTRS, event.attributes),
            )
        )
    status = span.status
    parts.append(_status_field(status.status_code.value, status.description))
    if parent is None:
        parts.append(_FLAGS_ROOT)
    else:
        parts.append(_FLAGS_REMOTE if parent.is_remote else _FLAGS_LOCAL)
    return b"".join(parts)


def encode_spans(spans: Iterable[Span]) -> bytes:
    """An `ExportTraceServiceRequest`, spans grouped by resource and scope as upstream does."""
    spans = list(spans)
    if not spans:
        return b""
    resource = spans[0].resource
    scope = spans[0].instrumentation_scope
    for span in spans:
        if span.resource is not resource or span.instrumentation_scope is not scope:
            break
    else:  # every span this package records shares one resource and scope
        return _resource_spans(resource, {scope: [_span(s) for s in spans]})
    grouped: dict[Resource, dict[InstrumentationScope | None, list[bytes]]] = {}
    for span in spans:
        by_scope = grouped.setdefault(span.resource, {})
        by_scope.setdefault(span.instrumentation_scope or None, []).append(_span(span))
    return b"".join(_resource_spans(r, scopes) for r, scopes in grouped.items())


def _resource_spans(
    resource: Resource, scopes: Mapping[InstrumentationScope | None, list[bytes]]
) -> bytes:
    scope_spans = b"".join(
        _ld(
            _RS_SCOPE_SPANS,
            _scope(scope)
            + b"".join([_SS_SPANS + _varint(len(s)) + s for s in encoded])
            + _str(_SS_SCHEMA, (scope.schema_url or "") if scope else ""),
        )
        for scope, encoded in scopes.items()
    )
    body = _resource(resource) + scope_spans + _str(_RS_SCHEMA, resource.schema_url or "")
    return _ld(_REQ_RESOURCE_SPANS, body)


# -- metrics.proto -----------------------------------------------------------------------------

_REQ_RESOURCE_METRICS = _tag(1, 2)
_RM_SCOPE_METRICS, _RM_SCHEMA = _tag(2, 2), _tag(3, 2)
_SM_METRICS, _SM_SCHEMA = _tag(2, 2), _tag(3, 2)
_METRIC_NAME, _METRIC_DESCRIPTION, _METRIC_UNIT = _tag(1, 2), _tag(2, 2), _tag(3, 2)
_METRIC_GAUGE, _METRIC_SUM, _METRIC_HISTOGRAM = _tag(5, 2), _tag(7, 2), _tag(9, 2)
_DATA_POINTS, _TEMPORALITY, _MONOTONIC = _tag(1, 2), _tag(2, 0), _tag(3, 0)
_NDP_START, _NDP_TIME, _NDP_DOUBLE = _tag(2, 1), _tag(3, 1), _tag(4, 1)
_NDP_INT, _NDP_ATTRS = _tag(6, 1), _tag(7, 2)
_HDP_START, _HDP_TIME, _HDP_COUNT, _HDP_SUM = _tag(2, 1), _tag(3, 1), _tag(4, 1), _tag(5, 1)
_HDP_BUCKETS, _HDP_BOUNDS, _HDP_ATTRS = _tag(6, 2), _tag(7, 2), _tag(9, 2)
_HDP_MIN, _HDP_MAX = _tag(11, 1), _tag(12, 1)


def _fixed64(tag: bytes, value: int) -> bytes:
    return tag + _pack_fixed64(value) if value else b""


def _number_point(point: NumberDataPoint, with_start: bool) -> bytes:
    value = point.value
    encoded_value = (
        _NDP_INT + _pack_sfixed64(value)
        if isinstance(value, int)
        else _NDP_DOUBLE + _pack_double(value)
    )
    return (
        (_fixed64(_NDP_START, point.start_time_unix_nano) if with_start else b"")
        + _fixed64(_NDP_TIME, point.time_unix_nano)
        + encoded_value
        + _attributes(_NDP_ATTRS, point.attributes)
    )


def _histogram_point(point: HistogramDataPoint) -> bytes:
    buckets = b"".join(_pack_fixed64(c) for c in point.bucket_counts)
    bounds = b"".join(_pack_double(b) for b in point.explicit_bounds)
    return (
        _fixed64(_HDP_START, point.start_time_unix_nano)
        + _fixed64(_HDP_TIME, point.time_unix_nano)
        + _fixed64(_HDP_COUNT, point.count)
        + _HDP_SUM
        + _pack_double(point.sum)
        + (_ld(_HDP_BUCKETS, buckets) if buckets else b"")
        + (_ld(_HDP_BOUNDS, bounds) if bounds else b"")
        + _attributes(_HDP_ATTRS, point.attributes)
        + _HDP_MIN
        + _pack_double(point.min)
        + _HDP_MAX
        + _pack_double(point.max)
    )


def _metric(metric: Metric) -> bytes:
    head = (
        _str(_METRIC_NAME, metric.name)
        + _str(_METRIC_DESCRIPTION, metric.description or "")
        + _str(_METRIC_UNIT, metric.unit or "")
    )
    data = metric.data
    if isinstance(data, Sum):
        body = b"".join(_ld(_DATA_POINTS, _number_point(p, True)) for p in data.data_points)
        body += _count(_TEMPORALITY, int(data.aggregation_temporality))
        body += _MONOTONIC + b"\x01" if data.is_monotonic else b""
        return head + _ld(_METRIC_SUM, body)
    if isinstance(data, Histogram):
        body = b"".join(_ld(_DATA_POINTS, _histogram_point(p)) for p in data.data_points)
        body += _count(_TEMPORALITY, int(data.aggregation_temporality))
        return head + _ld(_METRIC_HISTOGRAM, body)
    if isinstance(data, Gauge):
        body = b"".join(_ld(_DATA_POINTS, _number_point(p, False)) for p in data.data_points)
        return head + _ld(_METRIC_GAUGE, body)
    raise TypeError(f"metric {metric.name!r}: {type(data).__name__} is not encoded")


def encode_metrics(data: MetricsData) -> bytes:
    """An `ExportMetricsServiceRequest` for one collection."""
    out = []
    for resource_metrics in data.resource_metrics:
        scopes = b"".join(
            _ld(
                _RM_SCOPE_METRICS,
                _scope(sm.scope)
                + b"".join(_ld(_SM_METRICS, _metric(m)) for m in sm.metrics)
                + _str(_SM_SCHEMA, sm.scope.schema_url or ""),
            )
            for sm in resource_metrics.scope_metrics
        )
        resource = resource_metrics.resource
        body = _resource(resource) + scopes + _str(_RM_SCHEMA, resource.schema_url or "")
        out.append(_ld(_REQ_RESOURCE_METRICS, body))
    return b"".join(out)


# -- metrics straight from the store's series (the pipeline's fast path) -----------------------

_TEMPORALITY_DELTA = _TEMPORALITY + _varint(int(AggregationTemporality.DELTA))
_MONOTONIC_TRUE = _MONOTONIC + b"\x01"
_DEFAULT_BOUNDS_FIELD = _ld(_HDP_BOUNDS, b"".join(_pack_double(b) for b in DEFAULT_BOUNDS))
_metric_heads: dict[str, bytes] = {}


def _metric_head(spec: MetricSpec) -> bytes:
    found = _metric_heads.get(spec.name)
    if found is None:
        found = _metric_heads[spec.name] = (
            _str(_METRIC_NAME, spec.name)
            + _str(_METRIC_DESCRIPTION, spec.description or "")
            + _str(_METRIC_UNIT, spec.unit or "")
        )
    return found


def _series_attributes(series: Series, tag: bytes) -> bytes:
    found = series.otlp
    if found is None:
        found = series.otlp = _attributes(tag, series.attributes)
    return found


def _number_value(value: float) -> bytes:
    if type(value) is int:
        return _NDP_INT + _pack_sfixed64(value)
    return _NDP_DOUBLE + _pack_double(value)


def _series_metric(states: list[Series], start: bytes, end: bytes) -> bytes:
    spec = states[0].spec
    kind = spec.instrument
    if kind is Instrument.COUNTER:
        points = b"".join(
            [
                _ld(
                    _DATA_POINTS,
                    start + end + _number_value(s.total) + _series_attributes(s, _NDP_ATTRS),
                )
                for s in states
            ]
        )
        body = points + _TEMPORALITY_DELTA + _MONOTONIC_TRUE
        return _metric_head(spec) + _ld(_METRIC_SUM, body)
    if kind is Instrument.GAUGE:
        points = b"".join(
            [
                _ld(_DATA_POINTS, end + _number_value(s.total) + _series_attributes(s, _NDP_ATTRS))
                for s in states
            ]
        )
        return _metric_head(spec) + _ld(_METRIC_GAUGE, points)
    points = b"".join(
        [
            _ld(
                _DATA_POINTS,
                start
                + end
                + _HDP_COUNT
                + _pack_fixed64(s.count)
                + _HDP_SUM
                + _pack_double(s.total)
                + _ld(_HDP_BUCKETS, b"".join([_pack_fixed64(c) for c in s.buckets or ()]))
                + _DEFAULT_BOUNDS_FIELD
                + _series_attributes(s, _HDP_ATTRS)
                + _HDP_MIN
                + _pack_double(s.min)
                + _HDP_MAX
                + _pack_double(s.max),
            )
            for s in states
        ]
    )
    return _metric_head(spec) + _ld(_METRIC_HISTOGRAM, points + _TEMPORALITY_DELTA)


def encode_series(batch: SeriesBatch) -> bytes:
    """:func:`encode_metrics` of `batch.metrics_data()`, written straight from the series:
    each series' attributes are encoded once in its life, the interval once per flush."""
    start = _NDP_START + _pack_fixed64(batch.start)
    end = _NDP_TIME + _pack_fixed64(batch.end)
    scope = _scope(SCOPE)
    scope_schema = _str(_SM_SCHEMA, SCOPE.schema_url or "")
    out = []
    for resource, metrics in batch.grouped():
        encoded = b"".join([_ld(_SM_METRICS, _series_metric(m, start, end)) for m in metrics])
        body = (
            _resource(resource)
            + _ld(_RM_SCOPE_METRICS, scope + encoded + scope_schema)
            + _str(_RM_SCHEMA, resource.schema_url or "")
        )
        out.append(_ld(_REQ_RESOURCE_METRICS, body))
    return b"".join(out)
