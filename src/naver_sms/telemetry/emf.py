"""Metrics as CloudWatch EMF lines on stdout: the fast path that bypasses the collector.

`OTEL_METRICS_EXPORTER=emf`. In Lambda, stdout lands in the function's log group and
CloudWatch extracts the metrics from each EMF document: no HTTP round trip, no protobuf, no
collector in the metric path. Every metric carries exactly the namespace, unit and dimension
sets the catalog declares (the same ones the collector's `awsemf` `metric_declarations` use),
so dashboards and alarms see the same metrics whichever path produced them. Points that share
namespace, dimension sets and attribute values share one document (one directive listing
each metric, as `awsemf` and Powertools group them): fewer lines and `json.dumps` calls per
flush, and CloudWatch extracts exactly the same values. Histograms are written as a
Count/Sum/Min/Max statistic set, as `awsemf` does. Metrics outside the catalog are not
written.

:func:`emf_documents` states what is written, as dicts. The exporter renders the same
documents as text from cached fragments (:func:`emf_lines`): the directive, the dimension
values and each metric's directive entry repeat from flush to flush, so each line is mostly a
join of strings already made; a test holds the two to byte-for-byte equality with
`json.dumps(document, ensure_ascii=False)`.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from naver_sms.telemetry.aggregation import (
    HistogramDataPoint,
    MetricsData,
    NumberDataPoint,
    Series,
    SeriesBatch,
)
from naver_sms.telemetry.catalog import METRICS_BY_NAME, MetricSpec
from naver_sms.telemetry.exporting import ExportResult, MetricExporter


def _value(point: Any) -> float | dict[str, float] | None:
    if isinstance(point, NumberDataPoint):
        return point.value
    if isinstance(point, HistogramDataPoint):
        if point.count == 0:
            return None
        return {"Count": point.count, "Sum": point.sum, "Min": point.min, "Max": point.max}
    return None


# CloudWatch accepts at most 100 metrics per EMF directive.
MAX_METRICS_PER_DOCUMENT = 100
_GroupKey = tuple[str, tuple[tuple[str, ...], ...], tuple[tuple[str, str], ...]]


def emf_documents(points: Iterable[tuple[MetricSpec, Any]]) -> list[dict[str, Any]]:
    """EMF documents for catalogued points: one per (namespace, dimension sets, attribute
    values), each metric named once in its directive with its value on the root."""
    docs: list[dict[str, Any]] = []
    open_docs: dict[_GroupKey, dict[str, Any]] = {}
    for spec, point in points:
        value = _value(point)
        if value is None:
            continue
        # Dimension values in name order: one layout whatever order they were recorded in.
        attributes = dict(sorted((k, str(v)) for k, v in (point.attributes or {}).items()))
        key = (spec.namespace, spec.dimension_sets, tuple(attributes.items()))
        doc = open_docs.get(key)
        if doc is None or spec.name in doc or len(_metrics(doc)) >= MAX_METRICS_PER_DOCUMENT:
            doc = open_docs[key] = {
                "_aws": {
                    "Timestamp": point.time_unix_nano // 1_000_000,
                    "CloudWatchMetrics": [
                        {
                            "Namespace": spec.namespace,
                            "Dimensions": [list(dims) for dims in spec.dimension_sets],
                            "Metrics": [],
                        }
                    ],
                },
                **attributes,
            }
            docs.append(doc)
        _metrics(doc).append({"Name": spec.name, "Unit": spec.cloudwatch_unit})
        doc[spec.name] = value
    return docs


def _metrics(doc: dict[str, Any]) -> list[dict[str, str]]:
    metrics: list[dict[str, str]] = doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
    return metrics


def _number(value: float) -> str:
    """A number as `json.dumps` writes it."""
    if type(value) is int:
        return int.__repr__(value)
    if math.isfinite(value):
        return float.__repr__(float(value))
    return json.dumps(value)


def _value_text(value: float | dict[str, float]) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}": {_number(v)}' for k, v in value.items()) + "}"
    return _number(value)


# Text fragments that repeat from flush to flush, keyed by what they are made from; cleared
# when full (attribute values are low-cardinality by catalog rule, so it rarely is).
_FRAGMENT_LIMIT = 1024
_head_cache: dict[tuple[str, tuple[tuple[str, ...], ...], tuple[str, ...]], tuple[str, str]] = {}
_attrs_cache: dict[tuple[tuple[str, str], ...], str] = {}


def _head(spec_namespace: str, dimension_sets: tuple[tuple[str, ...], ...],
          entries: tuple[str, ...]) -> tuple[str, str]:  # fmt: skip
    """The text around the timestamp: `{"_aws": {"Timestamp": ` and the directive after it."""
    key = (spec_namespace, dimension_sets, entries)
    found = _head_cache.get(key)
    if found is None:
        directive = {
            "Namespace": spec_namespace,
            "Dimensions": [list(dims) for dims in dimension_sets],
            "Metrics": [],
        }
        text = json.dumps(directive, ensure_ascii=False)
        text = text[: -len("[]}")] + "[" + ", ".join(entries) + "]}"
        found = ('{"_aws": {"Timestamp": ', ', "CloudWatchMetrics": [' + text + "]}")
        if len(_head_cache) >= _FRAGMENT_LIMIT:
            _head_cache.clear()
        _head_cache[key] = found
    return found


def _attributes_text(attributes: tuple[tuple[str, str], ...]) -> str:
    found = _attrs_cache.get(attributes)
    if found is None:
        found = "".join(
            ", " + json.dumps(k, ensure_ascii=False) + ": " + json.dumps(v, ensure_ascii=False)
            for k, v in attributes
        )
        if len(_attrs_cache) >= _FRAGMENT_LIMIT:
            _attrs_cache.clear()
        _attrs_cache[attributes] = found
    return found


_entry_cache: dict[str, tuple[str, str]] = {}


def _entry(spec: MetricSpec) -> tuple[str, str]:
    """The metric's directive entry and its `"name": ` key, as JSON text."""
    found = _entry_cache.get(spec.name)
    if found is None:
        name = json.dumps(spec.name, ensure_ascii=False)
        unit = json.dumps(spec.cloudwatch_unit, ensure_ascii=False)
        found = _entry_cache[spec.name] = ("{" + f'"Name": {name}, "Unit": {unit}' + "}", name)
    return found


_group_keys: dict[tuple[str, tuple[tuple[str, Any], ...]], tuple[_GroupKey, str]] = {}


def _group_of(spec: MetricSpec, attributes: Any) -> tuple[_GroupKey, str]:
    """The point's document group and its dimension values as JSON text, made once per
    (metric, attributes)."""
    items = tuple(attributes.items()) if attributes else ()
    found = _group_keys.get((spec.name, items))
    if found is None:
        values = tuple(sorted((key, str(attr)) for key, attr in items))
        found = ((spec.namespace, spec.dimension_sets, values), _attributes_text(values))
        if len(_group_keys) >= _FRAGMENT_LIMIT:
            _group_keys.clear()
        _group_keys[(spec.name, items)] = found
    return found


def emf_lines(points: Iterable[tuple[MetricSpec, Any]]) -> list[str]:
    """`json.dumps(document, ensure_ascii=False)` for each of :func:`emf_documents`, rendered
    from cached fragments."""
    # [first spec, timestamp ms, dimension values text, [(spec, value)], names in the document]
    groups: list[tuple[MetricSpec, int, str, list[tuple[MetricSpec, Any]], set[str]]] = []
    open_groups: dict[_GroupKey, int] = {}
    for spec, point in points:
        value = _value(point)
        if value is None:
            continue
        key, dimension_text = _group_of(spec, point.attributes)
        index = open_groups.get(key)
        group = groups[index] if index is not None else None
        if group is None or spec.name in group[4] or len(group[3]) >= MAX_METRICS_PER_DOCUMENT:
            open_groups[key] = len(groups)
            group = (spec, point.time_unix_nano // 1_000_000, dimension_text, [], set())
            groups.append(group)
        group[3].append((spec, value))
        group[4].add(spec.name)
    lines = []
    for first, timestamp, dimension_text, members, _ in groups:
        entries = tuple(_entry(spec)[0] for spec, _ in members)
        before, after = _head(first.namespace, first.dimension_sets, entries)
        values = "".join(
            ", " + _entry(spec)[1] + ": " + _value_text(value) for spec, value in members
        )
        lines.append(before + str(timestamp) + after + dimension_text + values + "}")
    return lines


_SKIP = ()  # a series outside the catalog: never written


def _series_emf(series: Series) -> tuple[Any, ...]:
    info: tuple[Any, ...] | None = series.emf
    if info is None:
        spec = METRICS_BY_NAME.get(series.spec.name)
        if spec is None:
            info = _SKIP
        else:
            key, dimension_text = _group_of(spec, series.attributes)
            entry, name = _entry(spec)
            info = (key, dimension_text, entry, name, spec)
        series.emf = info
    return info


def _series_value(series: Series) -> str:
    if series.buckets is None:
        return _number(series.total)
    return _value_text(
        {"Count": series.count, "Sum": series.total, "Min": series.min, "Max": series.max}
    )


# How the documents of a given set of series are laid out: per document, the text before
# and after its timestamp and the (position, `, "name": `) of each series in it. A warm
# function drains the same series flush after flush, so the grouping is worked out once per
# set; the key holds the series, so it never matches different series at reused addresses.
_Layout = list[tuple[str, str, list[tuple[int, str]]]]
_layouts: dict[tuple[Series, ...], _Layout] = {}
_LAYOUT_LIMIT = 64


def _layout(active: tuple[Series, ...]) -> _Layout:
    groups: dict[Any, list[Any]] = {}
    done: list[list[Any]] = []
    for position, series in enumerate(active):
        info = series.emf or _series_emf(series)
        if info is _SKIP or (series.buckets is not None and not series.count):
            continue
        key, dimension_text, entry, name, spec = info
        group = groups.get(key)
        if group is None or len(group[2]) >= MAX_METRICS_PER_DOCUMENT:
            if group is not None:
                done.append(group)
            group = groups[key] = [spec, dimension_text, [], []]
        group[2].append(entry)
        group[3].append((position, ", " + name + ": "))
    layout: _Layout = []
    for spec, dimension_text, entries, members in (*done, *groups.values()):
        before, after = _head(spec.namespace, spec.dimension_sets, tuple(entries))
        layout.append((before, after + dimension_text, members))
    return layout


def series_lines(active: Sequence[Series], now_ns: int) -> list[str]:
    """:func:`emf_lines` of the points these series would drain to, written straight from
    the series (no intermediate MetricsData); documents in the series' first-use order."""
    timestamp = str(now_ns // 1_000_000)
    key = tuple(active)
    layout = _layouts.get(key)
    if layout is None:
        layout = _layout(key)
        if len(_layouts) >= _LAYOUT_LIMIT:
            _layouts.clear()
        _layouts[key] = layout
    return [
        before
        + timestamp
        + after
        + "".join([label + _series_value(active[position]) for position, label in members])
        + "}"
        for before, after, members in layout
    ]


class EmfStdoutMetricExporter(MetricExporter):
    """Writes the catalogued points as EMF JSON lines, grouped, to the current `sys.stdout`."""

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000) -> ExportResult:
        points = [
            (spec, point)
            for resource_metrics in metrics_data.resource_metrics
            for scope_metrics in resource_metrics.scope_metrics
            for metric in scope_metrics.metrics
            if (spec := METRICS_BY_NAME.get(metric.name)) is not None
            for point in metric.data.data_points
        ]
        return self._write(emf_lines(points))

    def export_series(self, batch: SeriesBatch) -> ExportResult:
        """The pipeline's fast path: the store's series, rendered without MetricsData."""
        return self._write(series_lines(batch.series, batch.end))

    @staticmethod
    def _write(lines: list[str]) -> ExportResult:
        if lines:
            sys.stdout.write("\n".join(lines) + "\n")
        return ExportResult.SUCCESS
