"""The per-invocation export path: buffer spans, collect delta metrics, flush once.

Lambda freezes the process between invocations, so the SDK's batch processor and periodic
metric reader (background threads on timers) either export while frozen (never), or need a
forced flush anyway. Instead spans are appended to a list as they end (no lock contention, no
thread) and the handler wrapper calls :meth:`TelemetryPipeline.flush` once at the end of every
invocation: one span export and one metric export, both bounded by a single deadline.

The buffer also is the last line of defence for secrecy: before export, string attributes and
event attributes are scrubbed of phone numbers and registered secrets (a regex scan of a few
short strings per span; a span is copied only when something had to be removed).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.metrics import (
    Counter,
    Histogram,
    ObservableCounter,
    ObservableGauge,
    ObservableUpDownCounter,
    UpDownCounter,
    _Gauge,
)
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    MetricExporter,
    MetricExportResult,
    MetricReader,
    MetricsData,
)
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from naver_sms.telemetry import catalog
from naver_sms.telemetry.instruments import record
from naver_sms.telemetry.metric_namespaces import NamespaceResources, split_by_namespace
from naver_sms.telemetry.redaction import scrub_text

# awsemf drops the first point of every new cumulative series; a Lambda execution environment
# is a new series at every cold start, so cumulative would lose counts. Delta for everything.
DELTA_TEMPORALITY: dict[type, AggregationTemporality] = {
    cls: AggregationTemporality.DELTA
    for cls in (
        Counter,
        UpDownCounter,
        Histogram,
        ObservableCounter,
        ObservableUpDownCounter,
        ObservableGauge,
        _Gauge,
    )
}
MAX_BUFFERED_SPANS = 4096


def _scrub_attributes(attributes: Any) -> dict[str, Any] | None:
    """A scrubbed copy of span attributes, or None when nothing needed scrubbing."""
    if not attributes:
        return None
    changed: dict[str, Any] | None = None
    for key, value in attributes.items():
        new = value
        if isinstance(value, str):
            new = scrub_text(value)
        elif isinstance(value, tuple | list) and value and isinstance(value[0], str):
            items = tuple(scrub_text(v) for v in value)
            if any(a is not b for a, b in zip(items, value, strict=True)):
                new = items
        if new is not value:
            changed = changed or {}
            changed[key] = new
    return None if changed is None else {**attributes, **changed}


def scrub_span(span: ReadableSpan) -> ReadableSpan:
    """The span itself when clean, else a copy with phones and secrets removed."""
    attributes = _scrub_attributes(span.attributes)
    name = scrub_text(span.name)
    events: list[Event] | None = None
    for index, event in enumerate(span.events):
        event_attrs = _scrub_attributes(event.attributes)
        event_name = scrub_text(event.name)
        if event_attrs is not None or event_name is not event.name:
            if events is None:
                events = list(span.events)
            events[index] = Event(
                event_name,
                event_attrs if event_attrs is not None else event.attributes,
                event.timestamp,
            )
    status = span.status
    description = status.description
    if description and scrub_text(description) is not description:
        status = type(status)(status.status_code, scrub_text(description))
    if attributes is None and events is None and name is span.name and status is span.status:
        return span
    return ReadableSpan(
        name=name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=attributes if attributes is not None else span.attributes,
        events=events if events is not None else span.events,
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class InvocationSpanBuffer(SpanProcessor):
    """Keeps the spans that ended during this invocation until the flush."""

    def __init__(self, max_spans: int = MAX_BUFFERED_SPANS) -> None:
        self.spans: list[ReadableSpan] = []
        self.max_spans = max_spans
        self.dropped = 0

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        if not span.context.trace_flags.sampled:
            return
        if len(self.spans) >= self.max_spans:
            self.dropped += 1
            return
        self.spans.append(span)

    def drain(self) -> list[ReadableSpan]:
        spans, self.spans = self.spans, []
        return spans

    def shutdown(self) -> None:
        self.spans.clear()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True


class InvocationMetricReader(MetricReader):
    """A pull reader: `collect()` hands the delta since the last flush to `received`."""

    def __init__(self) -> None:
        super().__init__(preferred_temporality=DELTA_TEMPORALITY)
        self.received: MetricsData | None = None

    def _receive_metrics(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> None:
        self.received = metrics_data

    def take(self) -> MetricsData | None:
        self.collect()
        data, self.received = self.received, None
        return data

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        return None


def _has_points(data: MetricsData) -> bool:
    return any(
        metric.data.data_points
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for metric in sm.metrics
    )


@dataclass
class FlushResult:
    spans_exported: int = 0
    metrics_exported: bool = False
    failures: list[str] = field(default_factory=list)  # signals that failed: traces, metrics
    elapsed_ms: float = 0.0


def _set_deadline(exporter: object, deadline: float | None) -> None:
    if hasattr(exporter, "deadline"):
        exporter.deadline = deadline


@dataclass
class TelemetryPipeline:
    """Span buffer + metric reader + the exporters they flush to (swappable by configure)."""

    span_buffer: InvocationSpanBuffer
    metric_reader: InvocationMetricReader
    span_exporter: SpanExporter | None
    metric_exporter: MetricExporter | None
    on_failure: Callable[[str, str], None] = lambda signal, detail: None
    # Failed exports not yet delivered as `telemetry_export_failures` points. Kept here, not
    # in the SDK, so that a metric export that fails does not lose the count of failures.
    pending_failures: dict[str, int] = field(default_factory=dict)
    # One resource per CloudWatch namespace (see metric_namespaces), built once.
    namespace_resources: NamespaceResources = field(default_factory=NamespaceResources)

    def flush(self, budget_s: float) -> FlushResult:
        """Export what this invocation produced; never raises, never exceeds `budget_s` by much.

        Exporters that can (OTLP) send spans and metrics before waiting for either answer, so
        the collector works on both at once. Metrics are regrouped so each catalog namespace
        has its own resource, from which the collector's one `awsemf` exporter takes the
        CloudWatch namespace. A span export that fails at once (collector down) is counted in
        this same metric flush; one that fails later is counted in the next. When the budget is
        gone before metrics, they are not collected, so the delta stays in the SDK and goes out
        with the next flush instead of being lost.
        """
        started = time.monotonic()
        deadline = started + max(budget_s, 0.0)
        result = FlushResult()
        spans = self.span_buffer.drain()
        span_answer = None
        if spans and self.span_exporter is not None:
            span_answer = self._begin_spans(self.span_exporter, spans, deadline, result)
        metric_answer = None
        in_flight: dict[str, int] = {}
        if self.metric_exporter is not None and time.monotonic() < deadline:
            in_flight, self.pending_failures = self.pending_failures, {}
            try:
                for signal, count in in_flight.items():
                    record(catalog.TELEMETRY_EXPORT_FAILURES, count, signal=signal)
                data = self.metric_reader.take()
                if data is not None and _has_points(data):
                    data = split_by_namespace(data, self.namespace_resources)
                    metric_answer = self._begin_metrics(self.metric_exporter, data, deadline)
                else:
                    in_flight = {}
            except Exception as exc:
                self._fail(result, "metrics", f"{type(exc).__name__}: {exc}")
        if span_answer is not None:
            self._span_outcome(_answer(span_answer, SpanExportResult.FAILURE), len(spans), result)
        if metric_answer is not None:
            if _answer(metric_answer, MetricExportResult.FAILURE) is MetricExportResult.SUCCESS:
                result.metrics_exported = True
                in_flight = {}
            else:
                self._fail(result, "metrics", _last_error(self.metric_exporter))
        for signal, count in in_flight.items():
            self.pending_failures[signal] = self.pending_failures.get(signal, 0) + count
        result.elapsed_ms = (time.monotonic() - started) * 1000.0
        return result

    def _begin_spans(
        self,
        exporter: SpanExporter,
        spans: list[ReadableSpan],
        deadline: float,
        result: FlushResult,
    ) -> Callable[[], SpanExportResult] | None:
        """Start the span export; an outcome already known is handled here and now."""
        try:
            _set_deadline(exporter, deadline)
            scrubbed = [scrub_span(s) for s in spans]
            begin = getattr(exporter, "begin_export", None)
            outcome = begin(scrubbed) if begin is not None else exporter.export(scrubbed)
        except Exception as exc:
            self._fail(result, "traces", f"{type(exc).__name__}: {exc}")
            return None
        if callable(outcome):
            return outcome  # type: ignore[no-any-return]
        self._span_outcome(outcome, len(spans), result)
        return None

    def _span_outcome(self, outcome: object, count: int, result: FlushResult) -> None:
        if outcome is SpanExportResult.SUCCESS:
            result.spans_exported = count
        else:
            self._fail(result, "traces", _last_error(self.span_exporter))

    def _begin_metrics(
        self, exporter: MetricExporter, data: MetricsData, deadline: float
    ) -> Callable[[], MetricExportResult] | MetricExportResult:
        _set_deadline(exporter, deadline)
        remaining_ms = max((deadline - time.monotonic()) * 1000.0, 0.0)
        begin = getattr(exporter, "begin_export", None)
        if begin is not None:
            answer: Callable[[], MetricExportResult] | MetricExportResult = begin(
                data, remaining_ms
            )
            return answer
        return exporter.export(data, timeout_millis=remaining_ms)

    def _fail(self, result: FlushResult, signal: str, detail: str) -> None:
        result.failures.append(signal)
        self.pending_failures[signal] = self.pending_failures.get(signal, 0) + 1
        with contextlib.suppress(Exception):  # a failing failure hook must not escape
            self.on_failure(signal, detail)


def _answer(answer: Any, failure: Any) -> Any:
    """Wait for a deferred export outcome (a callable) or take a known one; never raises."""
    if not callable(answer):
        return answer
    try:
        return answer()
    except Exception:
        return failure


def _last_error(exporter: object) -> str:
    return str(getattr(exporter, "last_error", None) or "export returned FAILURE")


class InMemoryMetricExporter(MetricExporter):
    """Keeps every exported batch (tests, `make demo`)."""

    def __init__(self) -> None:
        super().__init__(preferred_temporality=DELTA_TEMPORALITY)
        self.batches: list[MetricsData] = []

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        self.batches.append(metrics_data)
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        return None


def exported_spans(exporter: SpanExporter) -> Sequence[ReadableSpan]:
    getter = getattr(exporter, "get_finished_spans", None)
    return tuple(getter()) if getter is not None else ()
