"""The per-invocation export path: buffer spans, collect delta metrics, flush once.

Lambda freezes the process between invocations, so a batch processor or periodic reader on
a background thread would export while frozen (never) or need a forced flush anyway. Instead
spans are appended to a list as they end (no lock, no thread), metrics add up in the
:class:`~naver_sms.telemetry.aggregation.MetricStore`, and the handler wrapper calls
:meth:`TelemetryPipeline.flush` once at the end of every invocation: one span export and one
metric export, both bounded by a single deadline.

The buffer also is the last line of defence for secrecy: before export, the name, string
attributes, events and status of every span are scrubbed of phone numbers and registered
secrets (a regex scan of a few short strings per span; only what changed is replaced).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

from naver_sms.privacy import known_clean, scrub_text_cached
from naver_sms.telemetry import catalog
from naver_sms.telemetry.aggregation import STORE, MetricsData, MetricStore
from naver_sms.telemetry.exporting import ExportResult, MetricExporter, SpanExporter
from naver_sms.telemetry.spans import Event, Span, Status

MAX_BUFFERED_SPANS = 4096


def _scrub_attributes(attributes: Any) -> dict[str, Any] | None:
    """A scrubbed copy of span attributes, or None when nothing needed scrubbing."""
    if not attributes:
        return None
    changed: dict[str, Any] | None = None
    clean = known_clean  # texts already found clean: a set lookup, no call
    for key, value in attributes.items():
        new = value
        if type(value) is str:
            if value in clean:
                continue
            new = scrub_text_cached(value)
        elif isinstance(value, str):
            new = scrub_text_cached(value)
        elif isinstance(value, tuple | list) and value and isinstance(value[0], str):
            items = tuple(scrub_text_cached(v) for v in value)
            if any(a is not b for a, b in zip(items, value, strict=True)):
                new = items
        if new is not value:
            changed = changed or {}
            changed[key] = new
    return None if changed is None else {**attributes, **changed}


def scrub_span(span: Span) -> Span:
    """Remove phones and secrets from the span's name, attributes, events and status, in
    place (the span has ended and belongs to the buffer); returns it."""
    attributes = _scrub_attributes(span.attributes)
    if attributes is not None:
        span.attributes = attributes
    name = scrub_text_cached(span.name)
    if name is not span.name:
        span.name = name
    for index, event in enumerate(span.events):
        event_attrs = _scrub_attributes(event.attributes)
        event_name = scrub_text_cached(event.name)
        if event_attrs is not None or event_name is not event.name:
            span.events[index] = Event(
                event_name,
                event_attrs if event_attrs is not None else event.attributes,
                event.timestamp,
            )
    status = span.status
    description = status.description
    if description:
        clean = scrub_text_cached(description)
        if clean is not description:
            span.status = Status(status.status_code, clean)
    return span


class InvocationSpanBuffer:
    """Keeps the spans that ended during this invocation until the flush (the tracer's sink)."""

    def __init__(self, max_spans: int = MAX_BUFFERED_SPANS) -> None:
        self.spans: list[Span] = []
        self.max_spans = max_spans
        self.dropped = 0

    def __call__(self, span: Span) -> None:
        if len(self.spans) >= self.max_spans:
            self.dropped += 1
            return
        self.spans.append(span)

    def drain(self) -> list[Span]:
        spans, self.spans = self.spans, []
        return spans


class FlushResult:
    """What one flush did. (Plain classes in this package's import path, not dataclasses:
    each `@dataclass` costs ~0.45 ms of every cold start.)"""

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


def _set_deadline(exporter: object, deadline: float | None) -> None:
    if hasattr(exporter, "deadline"):
        exporter.deadline = deadline


def _ignore_failure(signal: str, detail: str) -> None:
    return None


class TelemetryPipeline:
    """Span buffer + metric store + the exporters they flush to (swappable by configure)."""

    def __init__(
        self,
        span_buffer: InvocationSpanBuffer,
        metric_store: MetricStore,
        span_exporter: SpanExporter | None,
        metric_exporter: MetricExporter | None,
        on_failure: Callable[[str, str], None] = _ignore_failure,
    ) -> None:
        self.span_buffer = span_buffer
        self.metric_store = metric_store
        self.span_exporter = span_exporter
        self.metric_exporter = metric_exporter
        self.on_failure = on_failure
        # Failed exports not yet delivered as `telemetry_export_failures` points. Kept here,
        # not in the store, so that a metric export that fails does not lose the count.
        self.pending_failures: dict[str, int] = {}

    def flush(self, budget_s: float) -> FlushResult:
        """Export what this invocation produced; never raises, never exceeds `budget_s` by much.

        Exporters that can (OTLP) send spans and metrics before waiting for either answer, so
        the collector works on both at once. Each catalog namespace's metrics come on a
        resource of their own, from which the collector's one `awsemf` exporter takes the
        CloudWatch namespace. A span export that fails at once (collector down) is counted in
        this same metric flush; one that fails later is counted in the next. When the budget is
        gone before metrics, they are not drained, so the delta stays in the store and goes out
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
                    # Straight into the store: counted even when the kill switch turned
                    # recording off for the invocation that flushes them.
                    self.metric_store.add(
                        catalog.TELEMETRY_EXPORT_FAILURES, count, {"signal": signal}
                    )
                if self.metric_store.pending():
                    export_series = getattr(self.metric_exporter, "export_series", None)
                    if export_series is not None:  # EMF, OTLP: straight from the series
                        _set_deadline(self.metric_exporter, deadline)
                        metric_answer = self.metric_store.drain_with(export_series)
                    else:
                        data = self.metric_store.drain()
                        metric_answer = self._begin_metrics(self.metric_exporter, data, deadline)
                else:
                    in_flight = {}
            except Exception as exc:
                self._fail(result, "metrics", f"{type(exc).__name__}: {exc}")
        elif self.metric_exporter is None:
            self.metric_store.discard()
        if span_answer is not None:
            self._span_outcome(_answer(span_answer, ExportResult.FAILURE), len(spans), result)
        if metric_answer is not None:
            if _answer(metric_answer, ExportResult.FAILURE) is ExportResult.SUCCESS:
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
        spans: list[Span],
        deadline: float,
        result: FlushResult,
    ) -> Callable[[], ExportResult] | None:
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
        if outcome is ExportResult.SUCCESS:
            result.spans_exported = count
        else:
            self._fail(result, "traces", _last_error(self.span_exporter))

    def _begin_metrics(
        self, exporter: MetricExporter, data: MetricsData, deadline: float
    ) -> Callable[[], ExportResult] | ExportResult:
        _set_deadline(exporter, deadline)
        remaining_ms = max((deadline - time.monotonic()) * 1000.0, 0.0)
        begin = getattr(exporter, "begin_export", None)
        if begin is not None:
            answer: Callable[[], ExportResult] | ExportResult = begin(data, remaining_ms)
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


def default_pipeline() -> TelemetryPipeline:
    """The process's pipeline: a fresh span buffer and the shared metric store."""
    return TelemetryPipeline(InvocationSpanBuffer(), STORE, None, None)
