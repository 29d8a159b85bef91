"""The narrow interface through which the booking flow is observed, on the OpenTelemetry API.

Domain and client code call these functions; they never touch tracers or meters directly.
Spans go through `opentelemetry.trace` and metric points through `opentelemetry.metrics`, with
the tracer and meter named for this package (its version, the semantic-conventions schema
URL), so they join whatever SDK is installed: ours (`configure()`), the ADOT layer's or the
user's. Before any SDK is installed the API is a no-op, so the flow runs the same with
telemetry on, off, or broken. Every instrument is created from
:mod:`naver_sms.telemetry.catalog`; nothing here raises into the caller, except
:func:`record` for an undeclared attribute (a programming error the tests catch).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.trace import INVALID_SPAN, Span, SpanKind, Status, StatusCode

from naver_sms import __version__
from naver_sms.privacy import on_secrets_changed, scrub_text
from naver_sms.telemetry import catalog
from naver_sms.telemetry.catalog import MetricSpec

if TYPE_CHECKING:
    from naver_sms.telemetry.setup.providers import Pipeline

# Flipped per invocation by the handler wrapper from the telemetry kill switch: when off, no
# span is created and no point recorded, so the flow pays nothing for telemetry.
_enabled = True


def set_enabled(enabled: bool) -> None:
    """Turn recording on or off for the following calls (the handler wrapper's switch)."""
    global _enabled  # noqa: PLW0603 - a process-wide switch, by design
    _enabled = enabled


def enabled() -> bool:
    return _enabled


# --- tracer and instruments, bound to the installed providers ------------------------------

_pipeline: Pipeline | None = None
_tracer: trace.Tracer | None = None
# metric name -> the instrument's recording method (`add`, `record` or `set`)
_recorders: dict[str, Callable[..., None]] = {}
# (metric name, attribute items as called) -> (recording method, clean attributes)
_aliases: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[Callable[..., None], dict[str, str]]]
_aliases = {}
_MAX_ALIASES = 2000
# A value that was clean may now hold a secret: the next measurements validate and scrub again.
on_secrets_changed(_aliases.clear)


def bind(pipeline: Pipeline | None) -> None:
    """Point the facade at the providers `configure()` installed (or found)."""
    global _pipeline, _tracer  # noqa: PLW0603
    _pipeline = pipeline
    _tracer = None
    _recorders.clear()
    _aliases.clear()


def tracer() -> trace.Tracer:
    """The package's tracer, from the global tracer provider."""
    global _tracer  # noqa: PLW0603
    if _tracer is None:
        _tracer = trace.get_tracer(
            catalog.SCOPE_NAME, __version__, schema_url=catalog.SEMCONV_SCHEMA_URL
        )
    return _tracer


def _recorder(spec: MetricSpec) -> Callable[..., None]:
    """The catalog metric's instrument on its namespace's meter provider, made once."""
    found = _recorders.get(spec.name)
    if found is None:
        provider = (
            _pipeline.meter_provider_for(spec.namespace)
            if _pipeline is not None
            else metrics.get_meter_provider()
        )
        meter = provider.get_meter(
            catalog.SCOPE_NAME, __version__, schema_url=catalog.SEMCONV_SCHEMA_URL
        )
        if spec.instrument is catalog.Instrument.COUNTER:
            found = meter.create_counter(spec.name, spec.unit, spec.description).add
        elif spec.instrument is catalog.Instrument.HISTOGRAM:
            found = meter.create_histogram(
                spec.name,
                spec.unit,
                spec.description,
                explicit_bucket_boundaries_advisory=list(spec.bucket_boundaries),
            ).record
        else:
            found = meter.create_gauge(spec.name, spec.unit, spec.description).set
        _recorders[spec.name] = found
    return found


_declared: dict[str, tuple[frozenset[str], dict[str, frozenset[str] | None]]] = {}


def _declaration(spec: MetricSpec) -> tuple[frozenset[str], dict[str, frozenset[str] | None]]:
    """The spec's attribute names and closed value sets, computed once per metric."""
    found = _declared.get(spec.name)
    if found is None:
        found = _declared[spec.name] = (
            frozenset(spec.attributes),
            {a: catalog.LOW_CARDINALITY_ATTRIBUTES.get(a) for a in spec.attributes},
        )
    return found


def record(spec: MetricSpec, value: float = 1, **attributes: str) -> None:
    """Record one point of a catalogued metric; undeclared attributes are a programming error.

    The first call of a given (metric, attributes) shape is validated and its values scrubbed
    (a phone or secret passed as a "store id" never reaches a metric), and remembered; the
    same call again is one dict lookup before the SDK instrument.
    """
    alias = (spec.name, tuple(attributes.items()))
    found = _aliases.get(alias)
    if found is None:
        names, allowed = _declaration(spec)
        if attributes.keys() != names:
            raise ValueError(
                f"metric {spec.name!r} takes attributes {sorted(spec.attributes)}, "
                f"got {sorted(attributes)}"
            )
        if not _enabled:
            return
        clean = {
            key: val
            if (allowed[key] is not None and val in allowed[key])  # type: ignore[operator]
            else scrub_text(val)
            for key, val in attributes.items()
        }
        try:
            found = (_recorder(spec), clean)
        except Exception:
            return  # telemetry never breaks the flow
        if len(_aliases) >= _MAX_ALIASES:  # only a high-cardinality caller gets here
            _aliases.clear()
        _aliases[alias] = found
    if _enabled:
        try:  # noqa: SIM105 - no context manager on the hot path
            found[0](value, found[1])
        except Exception:  # noqa: S110 - telemetry never breaks the flow
            pass


def count_export_failures(signal: str, count: int) -> None:
    """`telemetry_export_failures`, whatever the kill switch says (telemetry already lost)."""
    try:  # noqa: SIM105 - no context manager on the hot path
        _recorder(catalog.TELEMETRY_EXPORT_FAILURES)(count, {"signal": signal})
    except Exception:  # noqa: S110 - telemetry never breaks the flow
        pass


# --- spans -------------------------------------------------------------------------------


@contextmanager
def booking_span(booking_id: str, store_id: str | None) -> Iterator[Span]:
    """The INTERNAL span around one booking; exceptions are recorded and re-raised."""
    if not _enabled:
        yield INVALID_SPAN
        return
    attrs: dict[str, Any] = {"booking.id": booking_id}
    if store_id:
        attrs["store.id"] = store_id
    with tracer().start_as_current_span(
        catalog.BOOKING_SPAN.name, kind=SpanKind.INTERNAL, attributes=attrs
    ) as span:
        yield span


def record_escaped(span: Span, exc: BaseException) -> None:
    """An exception leaving the span's scope, as OpenTelemetry records it: an `exception`
    event and ERROR status `<type>: <message>`."""
    span.record_exception(exc)
    span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))


class ClientCall:
    """What a client learns about one outbound attempt; turned into span attributes + metrics."""

    __slots__ = ("outcome", "span", "status_code")

    def __init__(self, span: Span) -> None:
        self.span = span
        self.outcome: str | None = None
        self.status_code: int | None = None

    def finish(self, outcome: str, status_code: int | None = None, **attributes: Any) -> None:
        """Record the result of the attempt (call once, before leaving the context)."""
        self.outcome = outcome
        self.status_code = status_code
        span = self.span
        if status_code is not None:
            span.set_attribute("http.response.status_code", status_code)
        for key, value in attributes.items():
            if value is not None:
                span.set_attribute(key, value)
        if outcome != "success":
            span.set_status(Status(StatusCode.ERROR, outcome))


class _ClientScope:
    """`with`: a CLIENT span, current inside (an HTTP or botocore instrumentation below makes
    its span a child of it), and the attempt's metrics on the way out. An exception is
    recorded on the span (event + ERROR status), counts as `network_error` unless the client
    said otherwise, and propagates."""

    __slots__ = ("_attributes", "_call", "_done", "_name", "_span_too", "_started", "_token")

    def __init__(
        self,
        name: str,
        attributes: dict[str, Any],
        done: Callable[[str, float], None],
        span_too: bool = True,
    ) -> None:
        self._name = name
        self._attributes = attributes
        self._done = done
        self._span_too = span_too
        self._token: object | None = None

    def __enter__(self) -> ClientCall:
        span: Span = INVALID_SPAN
        if _enabled and self._span_too:
            try:
                span = tracer().start_span(
                    self._name, kind=SpanKind.CLIENT, attributes=self._attributes
                )
                self._token = otel_context.attach(trace.set_span_in_context(span))
            except Exception:
                span = INVALID_SPAN
        self._call = ClientCall(span)
        self._started = time.perf_counter()
        return self._call

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        elapsed_ms = (time.perf_counter() - self._started) * 1000.0
        call = self._call
        span = call.span
        if exc is not None and call.outcome is None:
            call.outcome = "network_error"
        try:
            if exc is not None:
                record_escaped(span, exc)
            if self._token is not None:
                otel_context.detach(self._token)  # type: ignore[arg-type]
                self._token = None
            span.end()
        except Exception:  # noqa: S110 - telemetry never breaks the flow
            pass
        self._done(call.outcome or "network_error", elapsed_ms)


_host_cache: dict[str, str] = {}


def _host(url: str) -> str:
    host = _host_cache.get(url)
    if host is None:
        rest = url.split("://", 1)[-1]
        host = rest.split("/", 1)[0].split(":", 1)[0]
        if len(_host_cache) < 64:  # a client has one base URL
            _host_cache[url] = host
    return host


def _sens_done(outcome: str, elapsed_ms: float) -> None:
    record(catalog.SENS_REQUESTS, outcome=outcome)
    record(catalog.SENS_LATENCY, elapsed_ms, outcome=outcome)


def sens_request(url: str, sms_type: str, store_id: str, attempt: int) -> _ClientScope:
    """One SENS HTTP attempt: CLIENT span `POST`, `sens_requests` and `sens_latency` points."""
    attrs: dict[str, Any] = {
        "peer.service": "naver-sens",
        "server.address": _host(url),
        "http.request.method": "POST",
        "url.full": url,
        "sms.type": sms_type,
        "store.id": store_id,
    }
    if attempt > 1:
        attrs["http.request.resend_count"] = attempt - 1
    return _ClientScope("POST", attrs, _sens_done)


def _telegram_done(outcome: str, elapsed_ms: float) -> None:
    record(catalog.TELEGRAM_NOTIFICATIONS, outcome=outcome)


def telegram_request(redacted_url: str, attempt: int) -> _ClientScope:
    """One Telegram attempt. The caller passes the URL with the bot token already redacted."""
    attrs: dict[str, Any] = {
        "peer.service": "telegram",
        "server.address": _host(redacted_url),
        "http.request.method": "POST",
        "url.full": redacted_url,
    }
    if attempt > 1:
        attrs["http.request.resend_count"] = attempt - 1
    return _ClientScope("POST", attrs, _telegram_done)


def botocore_instrumented() -> bool:
    """True when opentelemetry-instrumentation-botocore is active (e.g. under the ADOT layer):
    it makes the DynamoDB span itself, with the same `rpc.*`/`aws.*` attributes."""
    module = sys.modules.get("opentelemetry.instrumentation.botocore")
    if module is None:
        return False
    try:
        return bool(module.BotocoreInstrumentor().is_instrumented_by_opentelemetry)
    except Exception:
        return False


def dynamodb_call(operation: str, table: str, region: str | None) -> _ClientScope:
    """One DynamoDB call: CLIENT span `DynamoDB.<op>` (X-Ray aws subsegment) + metric.

    When the botocore instrumentation is active its span is the one per call and ours steps
    aside (the metric is still recorded here): two spans for one call would double every
    DynamoDB node in X-Ray's service map.
    """
    attrs: dict[str, Any] = {
        "rpc.system": "aws-api",
        "rpc.service": "DynamoDB",
        "rpc.method": operation,
        "aws.dynamodb.table_names": (table,),
    }
    if region:
        attrs["cloud.region"] = region

    def done(outcome: str, elapsed_ms: float) -> None:
        # A DynamoDB call that raised before any answer is an `error` (SDK exception).
        record(
            catalog.DYNAMODB_OPERATIONS,
            operation=operation,
            outcome="error" if outcome == "network_error" else outcome,
        )

    return _ClientScope(f"DynamoDB.{operation}", attrs, done, span_too=not botocore_instrumented())
