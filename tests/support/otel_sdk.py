"""Our spans and metrics as the OpenTelemetry SDK's objects, for cross-checks in tests only.

The Lambda path records spans (:mod:`naver_sms.telemetry.spans`) and metrics
(:mod:`naver_sms.telemetry.aggregation`) without the SDK, in the SDK's data model. Converting
them field for field to `ReadableSpan` / SDK `MetricsData` lets a test hand the very same data
to the upstream OTLP encoder (`opentelemetry-exporter-otlp-proto-common`, a dev dependency)
and compare its message with what our encoder wrote. Equal objects (resources, scopes) map to
one SDK object, as upstream groups by them.
"""

from __future__ import annotations

from opentelemetry.sdk import resources as sdk_resources
from opentelemetry.sdk import trace as sdk_trace
from opentelemetry.sdk.metrics import export as sdk_metrics
from opentelemetry.sdk.util.instrumentation import InstrumentationScope as SdkScope
from opentelemetry.trace import SpanContext as SdkSpanContext
from opentelemetry.trace import SpanKind as SdkSpanKind
from opentelemetry.trace import Status as SdkStatus
from opentelemetry.trace import StatusCode as SdkStatusCode
from opentelemetry.trace import TraceFlags

from naver_sms.telemetry import aggregation
from naver_sms.telemetry.resource import InstrumentationScope, Resource
from naver_sms.telemetry.spans import Span, SpanContext


class SdkConverter:
    """Converts our objects, one SDK resource / scope per object of ours."""

    def __init__(self) -> None:
        self._resources: dict[int, tuple[Resource, sdk_resources.Resource]] = {}
        self._scopes: dict[int, tuple[InstrumentationScope, SdkScope]] = {}

    def resource(self, resource: Resource) -> sdk_resources.Resource:
        found = self._resources.get(id(resource))
        if found is None:
            sdk = sdk_resources.Resource(dict(resource.attributes), resource.schema_url or None)
            found = self._resources[id(resource)] = (resource, sdk)
        return found[1]

    def scope(self, scope: InstrumentationScope) -> SdkScope:
        found = self._scopes.get(id(scope))
        if found is None:
            sdk = SdkScope(
                scope.name,
                scope.version or None,
                scope.schema_url or None,
                dict(scope.attributes) or None,
            )
            found = self._scopes[id(scope)] = (scope, sdk)
        return found[1]

    def span(self, span: Span) -> sdk_trace.ReadableSpan:
        status = span.status
        return sdk_trace.ReadableSpan(
            name=span.name,
            context=span_context(span.context),
            parent=None if span.parent is None else span_context(span.parent),
            resource=self.resource(span.resource),
            attributes=dict(span.attributes),
            events=[sdk_trace.Event(e.name, dict(e.attributes), e.timestamp) for e in span.events],
            kind=SdkSpanKind(span.kind.value),
            status=SdkStatus(SdkStatusCode(status.status_code.value), status.description),
            start_time=span.start_time,
            end_time=span.end_time,
            instrumentation_scope=self.scope(span.instrumentation_scope),
        )

    def metrics(self, data: aggregation.MetricsData) -> sdk_metrics.MetricsData:
        return sdk_metrics.MetricsData(
            [
                sdk_metrics.ResourceMetrics(
                    self.resource(rm.resource),
                    [
                        sdk_metrics.ScopeMetrics(
                            self.scope(sm.scope),
                            [_metric(m) for m in sm.metrics],
                            sm.schema_url,
                        )
                        for sm in rm.scope_metrics
                    ],
                    rm.schema_url,
                )
                for rm in data.resource_metrics
            ]
        )


def span_context(context: SpanContext) -> SdkSpanContext:
    return SdkSpanContext(
        context.trace_id,
        context.span_id,
        is_remote=context.is_remote,
        trace_flags=TraceFlags(context.trace_flags),
    )


def _number_points(
    points: list[aggregation.NumberDataPoint],
) -> list[sdk_metrics.NumberDataPoint]:
    return [
        sdk_metrics.NumberDataPoint(
            dict(p.attributes), p.start_time_unix_nano, p.time_unix_nano, p.value
        )
        for p in points
    ]


def _metric(metric: aggregation.Metric) -> sdk_metrics.Metric:
    data = metric.data
    sdk_data: sdk_metrics.Sum | sdk_metrics.Histogram | sdk_metrics.Gauge
    if isinstance(data, aggregation.Sum):
        sdk_data = sdk_metrics.Sum(
            _number_points(data.data_points),
            sdk_metrics.AggregationTemporality(int(data.aggregation_temporality)),
            data.is_monotonic,
        )
    elif isinstance(data, aggregation.Histogram):
        sdk_data = sdk_metrics.Histogram(
            [
                sdk_metrics.HistogramDataPoint(
                    dict(p.attributes),
                    p.start_time_unix_nano,
                    p.time_unix_nano,
                    p.count,
                    p.sum,
                    list(p.bucket_counts),
                    list(p.explicit_bounds),
                    p.min,
                    p.max,
                )
                for p in data.data_points
            ],
            sdk_metrics.AggregationTemporality(int(data.aggregation_temporality)),
        )
    else:
        sdk_data = sdk_metrics.Gauge(_number_points(data.data_points))
    return sdk_metrics.Metric(metric.name, metric.description, metric.unit, sdk_data)
