"""Metrics as CloudWatch EMF lines on stdout: the fast path that bypasses the collector.

`OTEL_METRICS_EXPORTER=emf`. In Lambda, stdout lands in the function's log group and
CloudWatch extracts the metrics from each EMF document: no HTTP round trip, no protobuf, no
collector in the metric path. Each point becomes one document carrying exactly the
namespace, unit and dimension sets the catalog declares (the same ones the collector's
`awsemf` `metric_declarations` use), so dashboards and alarms see the same metrics whichever
path produced them. Histograms are written as a Count/Sum/Min/Max statistic set, as
`awsemf` does. Metrics outside the catalog are not written.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from opentelemetry.sdk.metrics.export import (
    HistogramDataPoint,
    MetricExporter,
    MetricExportResult,
    MetricsData,
    NumberDataPoint,
)

from naver_sms.telemetry.catalog import METRICS_BY_NAME, MetricSpec
from naver_sms.telemetry.pipeline import DELTA_TEMPORALITY


def _value(point: Any) -> float | dict[str, float] | None:
    if isinstance(point, NumberDataPoint):
        return point.value
    if isinstance(point, HistogramDataPoint):
        if point.count == 0:
            return None
        return {"Count": point.count, "Sum": point.sum, "Min": point.min, "Max": point.max}
    return None


def emf_document(spec: MetricSpec, point: Any) -> dict[str, Any] | None:
    """One EMF document for one data point, or None when the point carries no value."""
    value = _value(point)
    if value is None:
        return None
    doc: dict[str, Any] = {
        "_aws": {
            "Timestamp": point.time_unix_nano // 1_000_000,
            "CloudWatchMetrics": [
                {
                    "Namespace": spec.namespace,
                    "Dimensions": [list(dims) for dims in spec.dimension_sets],
                    "Metrics": [{"Name": spec.name, "Unit": spec.cloudwatch_unit}],
                }
            ],
        }
    }
    for key, attr in (point.attributes or {}).items():
        doc[key] = str(attr)
    doc[spec.name] = value
    return doc


class EmfStdoutMetricExporter(MetricExporter):
    """Writes every catalogued point as one EMF JSON line to the current `sys.stdout`."""

    def __init__(self) -> None:
        super().__init__(preferred_temporality=DELTA_TEMPORALITY)

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        lines: list[str] = []
        for resource_metrics in metrics_data.resource_metrics:
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    spec = METRICS_BY_NAME.get(metric.name)
                    if spec is None:
                        continue
                    for point in metric.data.data_points:
                        doc = emf_document(spec, point)
                        if doc is not None:
                            lines.append(json.dumps(doc, ensure_ascii=False))
        if lines:
            sys.stdout.write("\n".join(lines) + "\n")
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        return None
