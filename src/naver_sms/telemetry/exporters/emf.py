"""Metrics as CloudWatch EMF lines on stdout: an SDK `MetricExporter`, no collector needed.

`OTEL_METRICS_EXPORTER=emf` (also under `opentelemetry-instrument`: it is an entry point). In
Lambda, stdout lands in the function's log group and CloudWatch extracts the metrics from each
EMF document: no HTTP round trip, no collector in the metric path. Every catalog metric carries
exactly the namespace, unit and dimension sets the catalog declares (the same ones the
collector's `awsemf` `metric_declarations` use), so dashboards and alarms see the same metrics
whichever path produced them. Points that share namespace, dimension sets and attribute values
share one document (one directive listing each metric, as `awsemf` and Powertools group them).
Histograms are written as a Count/Sum/Min/Max statistic set, as `awsemf` does. Metrics outside
the catalog are not written: no declaration says how CloudWatch should see them.

CloudWatch only takes deltas (a cumulative series would be summed again at every flush), so the
exporter asks for DELTA temporality for every counter and histogram.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    HistogramDataPoint,
    MetricExporter,
    MetricExportResult,
    MetricsData,
    NumberDataPoint,
)

from naver_sms.telemetry.catalog import METRICS_BY_NAME, MetricSpec

# One encoder for every document: `json.dumps` with keyword arguments builds a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False).encode
# CloudWatch accepts at most 100 metrics per EMF directive.
MAX_METRICS_PER_DOCUMENT = 100
_GroupKey = tuple[str, tuple[tuple[str, ...], ...], tuple[tuple[str, str], ...]]


def _value(point: Any) -> float | dict[str, float] | None:
    if isinstance(point, NumberDataPoint):
        return point.value
    if isinstance(point, HistogramDataPoint):
        if point.count == 0:
            return None
        return {"Count": point.count, "Sum": point.sum, "Min": point.min, "Max": point.max}
    return None


def catalog_points(metrics_data: MetricsData) -> list[tuple[MetricSpec, Any]]:
    """(catalog spec, data point) of every point of a catalogued metric."""
    return [
        (spec, point)
        for resource_metrics in metrics_data.resource_metrics
        for scope_metrics in resource_metrics.scope_metrics
        for metric in scope_metrics.metrics
        if (spec := METRICS_BY_NAME.get(metric.name)) is not None
        for point in metric.data.data_points
    ]


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


def _all_delta() -> dict[type, AggregationTemporality]:
    from opentelemetry.sdk.metrics import (  # noqa: PLC0415 - the SDK is loaded by now
        Counter,
        Histogram,
        ObservableCounter,
    )

    return {
        Counter: AggregationTemporality.DELTA,
        Histogram: AggregationTemporality.DELTA,
        ObservableCounter: AggregationTemporality.DELTA,
    }


class EmfMetricExporter(MetricExporter):
    """Writes the catalogued points as grouped EMF JSON lines to the current `sys.stdout`."""

    def __init__(self) -> None:
        super().__init__(preferred_temporality=_all_delta())

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        documents = emf_documents(catalog_points(metrics_data))
        if documents:
            sys.stdout.write("".join(_encode(doc) + "\n" for doc in documents))
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        return None
