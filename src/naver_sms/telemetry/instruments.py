"""The narrow interface through which the booking flow is observed.

Domain and client code call these functions; they never touch spans or the metric store
directly. Spans are non-recording until :func:`naver_sms.telemetry.setup.configure` gives the
tracer a sink, so the flow runs the same with telemetry on, off, or broken. Nothing here may
raise into the caller, except :func:`record` for an undeclared attribute (a programming error
the tests catch).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import Token
from types import TracebackType
from typing import Any

from naver_sms.privacy import scrub_text
from naver_sms.telemetry import catalog
from naver_sms.telemetry.aggregation import STORE
from naver_sms.telemetry.catalog import MetricSpec
from naver_sms.telemetry.spans import (
    CURRENT,
    INVALID_SPAN,
    TRACER,
    AnySpan,
    SpanKind,
    Status,
    StatusCode,
    activate,
    deactivate,
    record_escaped,
)

# Flipped per invocation by the handler wrapper from the telemetry kill switch: when off,
# no span is created and no point recorded, so the flow pays nothing for telemetry.
_enabled = True


def set_enabled(enabled: bool) -> None:
    """Turn recording on or off for the following calls (the handler wrapper's switch)."""
    global _enabled  # noqa: PLW0603 - a process-wide switch, by design
    _enabled = enabled


def enabled() -> bool:
    return _enabled


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

    The first measurement of a given (metric, attributes) call shape is validated and
    scrubbed, and remembered as an alias of its series; the same call again is one dict
    lookup and an addition (~1 µs).
    """
    alias = (spec.name, tuple(attributes.items()))
    series = STORE.aliases.get(alias)
    if series is None:
        names, allowed = _declaration(spec)
        if attributes.keys() != names:
            raise ValueError(
                f"metric {spec.name!r} takes attributes {sorted(spec.attributes)}, "
                f"got {sorted(attributes)}"
            )
        if not _enabled:
            return
        for key, val in attributes.items():
            closed = allowed[key]
            if closed is not None and val in closed:
                continue
            # Last line of defence: a phone or secret passed as a "store id" never reaches a
            # metric.
            clean = scrub_text(val)
            if clean is not val:
                attributes[key] = clean
        try:
            series = STORE.aliases[alias] = STORE.series(spec, attributes)
        except Exception:
            return  # telemetry never breaks the flow
    if _enabled:
        series.add(value)


@contextmanager
def booking_span(booking_id: str, store_id: str | None) -> Iterator[AnySpan]:
    """The INTERNAL span around one booking; exceptions are recorded and re-raised."""
    if not _enabled:
        yield INVALID_SPAN
        return
    attrs: dict[str, Any] = {"booking.id": booking_id}
    if store_id:
        attrs["store.id"] = store_id
    with TRACER.start_as_current_span(catalog.BOOKING_SPAN.name, SpanKind.INTERNAL, attrs) as span:
        yield span


class ClientCall:
    """What a client learns about one outbound attempt; turned into span attributes + metrics."""

    __slots__ = ("outcome", "span", "status_code")

    def __init__(self, span: AnySpan) -> None:
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
    """`with`: a CLIENT span, current inside, and the attempt's metrics on the way out.

    A class rather than nested generator-based context managers: three client calls per
    booking run through it. An exception is recorded on the span (event + ERROR status),
    counts as `network_error` unless the client said otherwise, and propagates.
    """

    __slots__ = ("_attributes", "_call", "_done", "_name", "_started", "_token")

    def __init__(
        self,
        name: str,
        attributes: dict[str, Any],
        done: Callable[[str, float], None],
    ) -> None:
        self._name = name
        self._attributes = attributes
        self._done = done
        self._token: Token[AnySpan] | None = None

    def __enter__(self) -> ClientCall:
        span = (
            TRACER.start_span(self._name, SpanKind.CLIENT, self._attributes, CURRENT)
            if _enabled
            else INVALID_SPAN
        )
        self._token = activate(span)
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
        if exc is not None:
            if call.outcome is None:
                call.outcome = "network_error"
            record_escaped(span, exc)
        if self._token is not None:
            deactivate(self._token)
        span.end()
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


def dynamodb_call(operation: str, table: str, region: str | None) -> _ClientScope:
    """One DynamoDB call: CLIENT span `DynamoDB.<op>` (X-Ray aws subsegment) + metric."""
    attrs: dict[str, Any] = {
        "rpc.system": "aws-api",
        "rpc.service": "DynamoDB",
        "rpc.method": operation,
        "aws.dynamodb.table_names": (table,),  # an array attribute (immutable, hashable)
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

    return _ClientScope(f"DynamoDB.{operation}", attrs, done)
