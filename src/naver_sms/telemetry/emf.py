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
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from naver_sms.telemetry.aggregation import HistogramDataPoint, MetricsData, NumberDataPoint
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
        attributes = {key: str(attr) for key, attr in (point.attributes or {}).items()}
        key = (spec.namespace, spec.dimension_sets, tuple(sorted(attributes.items())))
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
        lines = [json.dumps(doc, ensure_ascii=False) for doc in emf_documents(points)]
        if lines:
            sys.stdout.write("\n".join(lines) + "\n")
        return ExportResult.SUCCESS
