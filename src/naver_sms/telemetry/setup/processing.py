"""The SDK plug-ins that export once per invocation, within a deadline, and scrub every span.

Lambda freezes the process between invocations, so a `BatchSpanProcessor` (a worker thread on
a timer) or a `PeriodicExportingMetricReader` with an interval would either export while the
handler runs or be caught mid-export by the freeze. Instead:

- :class:`InvocationSpanProcessor` keeps the spans that ended (no thread, one lock) and
  exports them in one call when the provider is flushed;
- :class:`InvocationMetricReader` collects (delta) and exports only when flushed;
- both bound each export by the current :class:`FlushClock` deadline (the flush budget and
  the time Lambda has left), whoever calls `force_flush`: the handler wrapper, the
  aws-lambda instrumentation after its span, or `naver_sms.telemetry.flush()`;
- :class:`ScrubbingSpanProcessor` removes phones and secrets from every span, ours or any
  instrumentation's, before any processor sees it ended.

Export outcomes go to :class:`~naver_sms.telemetry.setup.health.ExportHealth`: a failing
signal is logged once and counted in `telemetry_export_failures`, delivered with the next
metric export that succeeds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    MetricExporter,
    MetricExportResult,
    MetricReader,
    MetricsData,
)
from opentelemetry.sdk.trace import Event, ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Status

from naver_sms.privacy import scrub_text_cached
from naver_sms.telemetry.setup.health import ExportHealth

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import Span

MAX_BUFFERED_SPANS = 4096


class FlushClock:
    """The deadline of the flush in progress (monotonic seconds), shared by spans and metrics.

    The handler wrapper opens it at the end of each invocation with its budget; an export that
    starts without an open window gets the configured budget from its own start.
    """

    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        self.deadline: float | None = None

    def open(self, budget_s: float) -> None:
        self.deadline = time.monotonic() + max(budget_s, 0.0)

    def close(self) -> None:
        self.deadline = None

    def remaining_s(self, timeout_millis: float | None = None) -> float:
        """Seconds left for an export that starts now (<= 0: none)."""
        now = time.monotonic()
        limit = self.deadline if self.deadline is not None else now + self.budget_s
        if timeout_millis is not None:
            limit = min(limit, now + timeout_millis / 1000.0)
        return limit - now


def bound_timeout(exporter: object, seconds: float) -> None:
    """Make the upstream OTLP/HTTP exporters give up after `seconds`, retries included.

    Their `export()` takes no timeout: their client keeps one (`OTEL_EXPORTER_OTLP_TIMEOUT`,
    10 s by default) as the deadline of the attempt and its retries. Each flush has its own
    budget, so it is set per export on the pinned exporters' client; other exporters (EMF,
    X-Ray UDP, console) never wait.
    """
    client = getattr(exporter, "_client", None)
    if client is not None and isinstance(getattr(client, "_timeout", None), float | int):
        client._timeout = max(seconds, 0.001)


def _scrub_attributes(attributes: Any) -> None:
    """Scrub a (bounded) attribute mapping in place; only changed values are replaced."""
    if not attributes:
        return
    store = getattr(attributes, "_dict", attributes)  # BoundedAttributes keeps a plain dict
    for key, value in list(store.items()):
        if type(value) is str:
            new: Any = scrub_text_cached(value)
        elif isinstance(value, tuple | list) and value and isinstance(value[0], str):
            items = tuple(scrub_text_cached(v) if isinstance(v, str) else v for v in value)
            new = items if any(a is not b for a, b in zip(items, value, strict=True)) else value
        else:
            continue
        if new is not value:
            store[key] = new


def scrub_span(span: Any) -> None:
    """Phones and secrets out of the span's name, attributes, events and status, in place.

    Runs in `_on_ending` on the SDK's own `Span` (ended, not yet handed to any processor), so
    it reaches the private fields the read-only span is built from; pinned SDK, tested.
    """
    name = span._name
    clean_name = scrub_text_cached(name)
    if clean_name is not name:
        span._name = clean_name
    _scrub_attributes(span._attributes)
    events = span._events
    for index, event in enumerate(events):
        event_name = scrub_text_cached(event.name)
        before = dict(event.attributes or {})
        _scrub_attributes(before)
        if event_name is not event.name or before != dict(event.attributes or {}):
            events._dq[index] = Event(event_name, before, event.timestamp)
    status = span._status
    description = status.description
    if description:
        clean = scrub_text_cached(description)
        if clean is not description:
            span._status = Status(status.status_code, clean)


# The SDK's pre-`on_end` hook; an older SDK (a layer's) may not have it.
HAS_ON_ENDING = hasattr(SpanProcessor, "_on_ending")


class ScrubbingSpanProcessor(SpanProcessor):
    """The last line of defence for secrecy, for spans from every instrumentation.

    Upstream HTTP instrumentations write whole URLs (a Telegram bot token is in the path) into
    `url.full`/`http.url`; the SDK calls `_on_ending` on every processor before any `on_end`,
    so the scrubbed span is what every exporter of the provider receives, whatever order the
    processors were added in (the ADOT layer's batch processor came first). On an SDK without
    that hook, the ended span is scrubbed in `on_end` instead: processors that export later
    (batch) still get it clean, one added before this one and exporting at once would not.
    """

    def _on_ending(self, span: Span) -> None:
        try:  # noqa: SIM105 - no context manager on the hot path
            scrub_span(span)
        except Exception:  # noqa: S110 - never break the caller's span.end()
            pass

    def on_end(self, span: ReadableSpan) -> None:
        if not HAS_ON_ENDING:
            self._on_ending(span)  # type: ignore[arg-type]  # same private fields

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True


class InvocationSpanProcessor(SpanProcessor):
    """Keeps the sampled spans that ended until the provider is flushed, then exports them in
    one call, bounded by the flush deadline. The exporter can be swapped (configure(force))."""

    def __init__(
        self,
        exporter: SpanExporter | None,
        clock: FlushClock,
        health: ExportHealth,
        recording: Callable[[], bool],
        max_spans: int = MAX_BUFFERED_SPANS,
    ) -> None:
        self.exporter = exporter
        self.clock = clock
        self.health = health
        self.recording = recording
        self.max_spans = max_spans
        self.dropped = 0
        self.last_exported = 0
        self._spans: list[ReadableSpan] = []
        self._lock = threading.Lock()

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        # The kill switch covers spans the handler's own code starts through the API too.
        if not self.recording() or not span.context.trace_flags.sampled:
            return
        with self._lock:
            if len(self._spans) >= self.max_spans:
                self.dropped += 1
                return
            self._spans.append(span)

    def drain(self) -> list[ReadableSpan]:
        with self._lock:
            spans, self._spans = self._spans, []
        return spans

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Export what ended since the last flush; False when the export failed."""
        self.last_exported = 0
        spans = self.drain()
        exporter = self.exporter
        if not spans or exporter is None:
            return True
        remaining = self.clock.remaining_s(timeout_millis)
        if remaining <= 0:
            self.health.failed("traces", "no time left in the flush budget")
            return False
        try:
            bound_timeout(exporter, remaining)
            result = exporter.export(spans)
        except Exception as exc:
            self.health.failed("traces", f"{type(exc).__name__}: {exc}")
            return False
        if result is SpanExportResult.SUCCESS:
            self.last_exported = len(spans)
            self.health.succeeded("traces")
            return True
        self.health.failed("traces", self.health.reason(exporter))
        return False

    def shutdown(self) -> None:
        if self.exporter is not None:
            self.exporter.shutdown()


def delta_temporality(preference: str) -> dict[type, AggregationTemporality]:
    """`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` as the specification reads it:
    `delta` (counters and histograms delta, up-down counters cumulative), `cumulative`,
    `lowmemory` (synchronous counters and histograms delta). A synchronous gauge follows the
    counters: with delta it reports only the values set since the last export, not the last
    value again at every flush (one CloudWatch datapoint per value set)."""
    from opentelemetry.sdk.metrics import (  # noqa: PLC0415 - with the reader, not before
        Counter,
        Histogram,
        ObservableCounter,
        ObservableGauge,
        ObservableUpDownCounter,
        UpDownCounter,
        _Gauge,
    )

    delta, cumulative = AggregationTemporality.DELTA, AggregationTemporality.CUMULATIVE
    value = preference.strip().lower()
    if value == "cumulative":
        counters = observable = histograms = cumulative
    elif value == "lowmemory":
        counters, observable, histograms = delta, cumulative, delta
    else:
        counters = observable = histograms = delta
    return {
        Counter: counters,
        UpDownCounter: cumulative,
        Histogram: histograms,
        ObservableCounter: observable,
        ObservableUpDownCounter: cumulative,
        ObservableGauge: cumulative,
        _Gauge: counters,
    }


def _has_points(metrics_data: MetricsData) -> bool:
    return any(
        metric.data.data_points
        for resource_metrics in metrics_data.resource_metrics
        for scope_metrics in resource_metrics.scope_metrics
        for metric in scope_metrics.metrics
    )


class InvocationMetricReader(MetricReader):
    """Collects and exports only when flushed: no thread, no timer.

    `take_pending` runs first (in the operational namespace it adds the export failures not yet
    delivered to `telemetry_export_failures`, so a span export that just failed is counted in
    this very export); counts that do not get delivered go back to the health record. A flush
    with no time left does not collect, so the delta waits for the next one; with no exporter
    (`none`) the delta is collected and dropped.
    """

    def __init__(
        self,
        exporter: MetricExporter | None,
        clock: FlushClock,
        health: ExportHealth,
        temporality: dict[type, AggregationTemporality],
        take_pending: Callable[[], dict[str, int]] | None = None,
    ) -> None:
        super().__init__(preferred_temporality=temporality)
        self.exporter = exporter
        self.clock = clock
        self.health = health
        self.take_pending = take_pending
        self.exported = False
        self._in_flight: dict[str, int] = {}

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        """Collect and export; True when a batch was exported."""
        self.exported = False
        remaining = self.clock.remaining_s(timeout_millis)
        if remaining <= 0:
            return False
        if self.exporter is None:
            # `none`: nothing to collect for. The delta keeps adding up in the SDK's storage
            # (one number per series) and goes out whole if an exporter is set later.
            return False
        if self.take_pending is not None:
            self._in_flight = self.take_pending()
        try:
            self.collect(timeout_millis=remaining * 1000.0)
        except Exception as exc:
            self.health.failed("metrics", f"{type(exc).__name__}: {exc}")
        finally:
            if self._in_flight:  # not delivered: counted again at the next flush
                self.health.restore(self._in_flight)
                self._in_flight = {}
        return self.exported

    def _receive_metrics(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> None:
        exporter = self.exporter
        if exporter is None or not _has_points(metrics_data):
            return
        try:
            bound_timeout(exporter, self.clock.remaining_s(timeout_millis))
            result = exporter.export(metrics_data, timeout_millis=timeout_millis)
        except Exception as exc:
            self.health.failed("metrics", f"{type(exc).__name__}: {exc}")
            return
        if result is MetricExportResult.SUCCESS:
            self.exported = True
            self._in_flight = {}
            self.health.succeeded("metrics")
        else:
            self.health.failed("metrics", self.health.reason(exporter))

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        if self.exporter is not None:
            self.exporter.shutdown()
