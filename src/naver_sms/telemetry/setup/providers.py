"""The SDK providers: ours, installed as the global ones, or the ones already installed.

Ours (nobody installed an SDK before `configure()`):

- a `TracerProvider` on the function's resource with X-Ray-compatible ids
  (`AwsXRayIdGenerator`: the first 32 bits of a trace id are its epoch seconds), the sampler
  from `OTEL_TRACES_SAMPLER` (parent-based always-on by default, so Lambda's `Sampled=` flag
  decides), the scrubbing processor and the per-invocation span processor;
- a `MeterProvider` per catalog namespace, each on the function's resource with
  `service.namespace`/`service.name` set so that the collector's single `awsemf` exporter
  writes that CloudWatch namespace (`catalog.namespace_resource`); the operational one is the
  global provider, the comparison one is made on first use. Views from the catalog (allowed
  attribute keys, histogram boundaries), delta temporality, exemplars off (CloudWatch has no
  use for them and they cost at every measurement).

Someone else's (the ADOT layer's `opentelemetry-instrument`, the user's own code): the global
providers are used as they are, nothing is added twice. The scrubbing processor is added to an
SDK tracer provider, since it covers spans of every instrumentation; exporters, processors and
the operational metrics stay theirs (their resource then names the CloudWatch namespace).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.view import ExplicitBucketHistogramAggregation, View
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

from naver_sms import SERVICE_NAME, __version__
from naver_sms.telemetry import catalog
from naver_sms.telemetry import constants as env_names
from naver_sms.telemetry.setup.health import ExportHealth
from naver_sms.telemetry.setup.processing import (
    FlushClock,
    InvocationMetricReader,
    InvocationSpanProcessor,
    ScrubbingSpanProcessor,
    delta_temporality,
)

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import MetricExporter
    from opentelemetry.sdk.trace.export import SpanExporter


def build_resource(
    environ: Mapping[str, str],
    *,
    service_name: str | None = None,
    service_version: str | None = None,
    environment: str | None = None,
) -> Resource:
    """The SDK's resource, each layer winning over the ones before: the SDK's defaults,
    Lambda's (`AwsLambdaResourceDetector`), the package's service name and version,
    `OTEL_RESOURCE_ATTRIBUTES` / `OTEL_SERVICE_NAME`, the deployment's
    `DEPLOYMENT_ENVIRONMENT` / `AWS_ACCOUNT_ID`, then explicit arguments.

    `Resource.create()` is not used: it looks its detectors up by an entry-point scan, a few
    milliseconds at every cold start, to learn what these variables state.
    """
    from opentelemetry.sdk.resources import (  # noqa: PLC0415
        OTELResourceDetector,
        get_aggregated_resources,
    )

    detectors: list[Any] = []
    if environ.get(env_names.AWS_LAMBDA_FUNCTION_NAME):
        from opentelemetry.sdk.extension.aws.resource._lambda import (  # noqa: PLC0415
            AwsLambdaResourceDetector,
        )

        detectors.append(AwsLambdaResourceDetector())
    detectors.append(OTELResourceDetector())
    package = Resource(
        {"service.name": SERVICE_NAME, "service.version": __version__}, catalog.SEMCONV_SCHEMA_URL
    )
    resource = get_aggregated_resources(detectors[:-1], _sdk_defaults()).merge(package)
    resource = resource.merge(detectors[-1].detect())
    deployment: dict[str, Any] = {}
    environment = environment or environ.get(env_names.DEPLOYMENT_ENVIRONMENT)
    if environment:
        # `deployment.environment` is the name X-Ray and older back ends read; the `.name`
        # form is the current semantic convention.
        deployment["deployment.environment"] = environment
        deployment["deployment.environment.name"] = environment
    account = environ.get(env_names.AWS_ACCOUNT_ID)
    if account:
        deployment["cloud.account.id"] = account
    if service_name:
        deployment["service.name"] = service_name
    if service_version:
        deployment["service.version"] = service_version
    return resource.merge(Resource(deployment)) if deployment else resource


def _sdk_defaults() -> Resource:
    from opentelemetry.sdk.resources import (  # noqa: PLC0415
        TELEMETRY_SDK_LANGUAGE,
        TELEMETRY_SDK_NAME,
        TELEMETRY_SDK_VERSION,
    )
    from opentelemetry.sdk.version import __version__ as sdk_version  # noqa: PLC0415

    return Resource(
        {
            TELEMETRY_SDK_LANGUAGE: "python",
            TELEMETRY_SDK_NAME: "opentelemetry",
            TELEMETRY_SDK_VERSION: sdk_version,
        }
    )


def namespaced_resource(base: Resource, namespace: str) -> Resource:
    """`base` with `service.namespace`/`service.name` set so `awsemf` writes `namespace`."""
    attributes = {
        k: v for k, v in base.attributes.items() if k not in catalog.NAMESPACE_RESOURCE_KEYS
    }
    attributes.update(catalog.namespace_resource(namespace))
    return Resource(attributes, base.schema_url)


def views(namespace: str) -> list[View]:
    """The catalog's metrics of `namespace` as views: only declared attribute keys survive
    (a stray high-cardinality attribute never becomes a CloudWatch dimension) and
    histograms get the catalog's boundaries."""
    out = []
    for spec in catalog.METRICS:
        if spec.namespace != namespace:
            continue
        aggregation = (
            ExplicitBucketHistogramAggregation(spec.bucket_boundaries)
            if spec.instrument is catalog.Instrument.HISTOGRAM
            else None
        )
        out.append(
            View(
                instrument_name=spec.name,
                meter_name=catalog.SCOPE_NAME,
                attribute_keys=set(spec.attributes),
                aggregation=aggregation,
            )
        )
    return out


def _exemplar_filter(environ: Mapping[str, str]) -> Any:
    if environ.get(env_names.OTEL_METRICS_EXEMPLAR_FILTER):
        return None  # the SDK reads it
    from opentelemetry.sdk.metrics import AlwaysOffExemplarFilter  # noqa: PLC0415

    return AlwaysOffExemplarFilter()


class FlushResult:
    """What one flush did (through our processor and readers; a foreign provider's flush is
    its own business)."""

    __slots__ = ("elapsed_ms", "failures", "metrics_exported", "spans_exported")

    def __init__(self) -> None:
        self.spans_exported = 0
        self.metrics_exported = False
        self.failures: list[str] = []  # signals that failed: traces, metrics
        self.elapsed_ms = 0.0

    def __repr__(self) -> str:
        return (
            f"FlushResult(spans_exported={self.spans_exported}, metrics_exported="
            f"{self.metrics_exported}, failures={self.failures}, elapsed_ms={self.elapsed_ms:.3f})"
        )


class Pipeline:
    """The providers telemetry records into, and what flushes them.

    `owns_traces` / `owns_metrics`: the global provider is ours (our processor and reader
    export it); otherwise it is someone else's and they flush it (the aws-lambda
    instrumentation does after its span), except when the handler wrapper made the invocation
    span itself.
    """

    def __init__(
        self,
        environ: Mapping[str, str],
        resource: Resource,
        health: ExportHealth,
        clock: FlushClock,
        recording: Callable[[], bool],
        take_pending: Callable[[], dict[str, int]],
    ) -> None:
        self.environ = environ
        self.resource = resource
        self.health = health
        self.clock = clock
        self.recording = recording
        self.take_pending = take_pending
        self.temporality = delta_temporality(
            environ.get(
                env_names.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE,
                env_names.DEFAULT_TEMPORALITY_PREFERENCE,
            )
        )
        self._span_exporter: SpanExporter | None = None
        self._metric_exporter: MetricExporter | None = None
        # Builds the metric exporter when our first provider needs one (see meter_provider_for).
        self.metric_exporter_factory: Callable[[], MetricExporter | None] | None = None
        self.span_processor: InvocationSpanProcessor | None = None
        self.readers: dict[str, InvocationMetricReader] = {}
        self.meter_providers: dict[str, MeterProvider] = {}
        self.tracer_provider: Any = None
        self.global_meter_provider: Any = None
        self.owns_traces = False
        self.owns_metrics = False
        self._install_traces()
        self._install_metrics()

    # --- installation ---------------------------------------------------------------------

    def _install_traces(self) -> None:
        current = trace.get_tracer_provider()
        if not isinstance(current, trace.ProxyTracerProvider):
            self.tracer_provider = current
            add = getattr(current, "add_span_processor", None)
            if callable(add) and not any(
                isinstance(p, ScrubbingSpanProcessor) for p in _span_processors(current)
            ):
                add(ScrubbingSpanProcessor())
            return
        from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator  # noqa: PLC0415

        provider = TracerProvider(resource=self.resource, id_generator=AwsXRayIdGenerator())
        provider.add_span_processor(ScrubbingSpanProcessor())
        self.span_processor = InvocationSpanProcessor(None, self.clock, self.health, self.recording)
        provider.add_span_processor(self.span_processor)
        trace.set_tracer_provider(provider)
        self.tracer_provider = trace.get_tracer_provider()
        self.owns_traces = self.tracer_provider is provider

    def _install_metrics(self) -> None:
        current = metrics.get_meter_provider()
        if type(current).__name__ != "_ProxyMeterProvider":  # set by someone else
            self.global_meter_provider = current
            return
        provider = self._meter_provider(catalog.NAMESPACE, self.take_pending)
        metrics.set_meter_provider(provider)
        self.global_meter_provider = metrics.get_meter_provider()
        self.owns_metrics = self.global_meter_provider is provider
        if self.owns_metrics:
            self.meter_providers[catalog.NAMESPACE] = provider

    def _meter_provider(
        self, namespace: str, take_pending: Callable[[], dict[str, int]] | None = None
    ) -> MeterProvider:
        factory, self.metric_exporter_factory = self.metric_exporter_factory, None
        if factory is not None:
            self._metric_exporter = factory()
        reader = InvocationMetricReader(
            self._metric_exporter, self.clock, self.health, self.temporality, take_pending
        )
        self.readers[namespace] = reader
        return MeterProvider(
            metric_readers=[reader],
            resource=namespaced_resource(self.resource, namespace),
            views=views(namespace),
            exemplar_filter=_exemplar_filter(self.environ),
        )

    def meter_provider_for(self, namespace: str) -> Any:
        """Where a catalog namespace's metrics go: the global provider for the operational
        one; for another, ours with that namespace's resource (made on first use)."""
        if namespace == catalog.NAMESPACE:
            return self.global_meter_provider
        provider = self.meter_providers.get(namespace)
        if provider is None:
            provider = self.meter_providers[namespace] = self._meter_provider(namespace)
        return provider

    # --- exporters --------------------------------------------------------------------------

    @property
    def span_exporter(self) -> SpanExporter | None:
        return self._span_exporter

    @span_exporter.setter
    def span_exporter(self, exporter: SpanExporter | None) -> None:
        self._span_exporter = exporter
        if self.span_processor is not None:
            self.span_processor.exporter = exporter

    @property
    def metric_exporter(self) -> MetricExporter | None:
        return self._metric_exporter

    @metric_exporter.setter
    def metric_exporter(self, exporter: MetricExporter | None) -> None:
        self._metric_exporter = exporter
        for reader in self.readers.values():
            reader.exporter = exporter

    # --- flushing ---------------------------------------------------------------------------

    def flush(self, budget_s: float, *, globals_too: bool = True) -> FlushResult:
        """Export what was recorded, within `budget_s` for everything; never raises.

        Spans first, so that a span export failing now is counted in this metric export.
        `globals_too=False`: the global providers are flushed by whoever made the invocation
        span (the aws-lambda instrumentation, after ending it), ours included; only our
        providers that are not global (another namespace's) are flushed here.
        """
        started = time.monotonic()
        result = FlushResult()
        self.clock.open(budget_s)
        failures_before = dict(self.health.failures)
        try:
            if globals_too and self.span_processor is not None:
                self.span_processor.force_flush(int(budget_s * 1000))
                result.spans_exported = self.span_processor.last_exported
            elif globals_too:
                _force_flush(self.tracer_provider, self.clock)
            for namespace, reader in list(self.readers.items()):
                if namespace not in self.meter_providers:
                    continue
                if not globals_too and self.owns_metrics and namespace == catalog.NAMESPACE:
                    continue
                if reader.force_flush(self.clock.remaining_s() * 1000.0):
                    result.metrics_exported = True
            if globals_too and not self.owns_metrics:
                _force_flush(self.global_meter_provider, self.clock)
        except Exception as exc:  # a bug in a plug-in: counted, never raised into the Lambda
            self.health.failed("metrics", f"{type(exc).__name__}: {exc}")
        result.failures = [
            signal
            for signal in ("traces", "metrics")
            if self.health.failures.get(signal, 0) > failures_before.get(signal, 0)
        ]
        result.elapsed_ms = (time.monotonic() - started) * 1000.0
        return result


def _span_processors(provider: Any) -> list[Any]:
    """The processors of an SDK tracer provider (to add ours only once)."""
    active = getattr(provider, "_active_span_processor", None)
    return list(getattr(active, "_span_processors", ()))


def _force_flush(provider: Any, clock: FlushClock) -> None:
    flush = getattr(provider, "force_flush", None)
    remaining = clock.remaining_s()
    if callable(flush) and remaining > 0:
        flush(int(remaining * 1000))
