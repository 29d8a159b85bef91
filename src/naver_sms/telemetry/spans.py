"""Spans: what one Lambda invocation records, in OpenTelemetry's data model, without its SDK.

Why not `opentelemetry-sdk`'s tracer: at every cold start the API and SDK cost ~37 ms of
imports (measured next to boto3, `docs/benchmarks.md`), and each span ~45 µs of attribute
validation, locks, context tokens and processor hooks, in a process that runs one invocation
at a time and exports once at its end. A span here is a slotted object whose fields carry the
SDK's names (`name`, `context`, `parent`, `kind`, `attributes`, `events`, `status`,
`start_time`, `end_time`, `resource`, `instrumentation_scope`), so the OTLP encoder and tests
read it as they would read a `ReadableSpan`; kinds and status codes have OTLP's values, ids
are X-Ray compatible (the first 32 bits of a trace id are its epoch seconds). The current span
lives in a `ContextVar`.

What this leaves out, on purpose: span links, trace state and sampling beyond following the
parent's sampled flag (Lambda's X-Ray header decides), attribute limits (attributes come from
this package's own instrumentation, checked against the catalog by tests).
"""

from __future__ import annotations

import random
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar, Token
from enum import IntEnum
from types import TracebackType
from typing import Any, Final

from naver_sms.telemetry.resource import SCOPE, InstrumentationScope, Resource


class SpanKind(IntEnum):
    """The SDK's values; OTLP's `Span.SpanKind` is this value + 1 (0 is UNSPECIFIED)."""

    INTERNAL = 0
    SERVER = 1
    CLIENT = 2
    PRODUCER = 3
    CONSUMER = 4


class StatusCode(IntEnum):
    """OTLP `Status.StatusCode`."""

    UNSET = 0
    OK = 1
    ERROR = 2


class Status:
    __slots__ = ("description", "status_code")

    def __init__(self, status_code: StatusCode = StatusCode.UNSET, description: str | None = None):
        self.status_code = status_code
        self.description = description

    @property
    def is_ok(self) -> bool:
        return self.status_code is not StatusCode.ERROR

    def __repr__(self) -> str:
        return f"Status({self.status_code.name}, {self.description!r})"


UNSET_STATUS: Final = Status()


class SpanContext:
    """Trace id, span id, sampled flag; `is_remote` when it came in a header."""

    __slots__ = ("is_remote", "sampled", "span_id", "trace_id")

    def __init__(
        self, trace_id: int, span_id: int, *, is_remote: bool = False, sampled: bool = True
    ) -> None:
        self.trace_id = trace_id
        self.span_id = span_id
        self.is_remote = is_remote
        self.sampled = sampled

    @property
    def is_valid(self) -> bool:
        return self.trace_id != 0 and self.span_id != 0

    @property
    def trace_flags(self) -> int:
        """W3C trace flags: bit 0 is `sampled`."""
        return 1 if self.sampled else 0

    def __repr__(self) -> str:
        return (
            f"SpanContext(trace_id={self.trace_id:032x}, span_id={self.span_id:016x}, "
            f"is_remote={self.is_remote}, sampled={self.sampled})"
        )


INVALID_SPAN_CONTEXT: Final = SpanContext(0, 0, sampled=False)


class Event:
    __slots__ = ("attributes", "name", "timestamp")
    dropped_attributes = 0

    def __init__(self, name: str, attributes: Mapping[str, Any] | None, timestamp: int) -> None:
        self.name = name
        self.attributes = attributes or {}
        self.timestamp = timestamp


_SCALAR_TYPES: Final = frozenset({str, bool, int, float})


def _sequence_attribute(value: Any) -> tuple[Any, ...] | None:
    """`value` as a homogeneous tuple of scalars, or None when it is not one."""
    if not isinstance(value, list | tuple) or isinstance(value, str):
        return None
    kinds = {type(item) for item in value}
    if len(kinds) > 1 or not kinds <= _SCALAR_TYPES:
        return None
    return tuple(value)


_getrandbits = random.getrandbits
_time_ns = time.time_ns


def new_trace_id() -> int:
    """X-Ray compatible: epoch seconds in the first 32 bits, 96 random bits after."""
    return ((_time_ns() // 1_000_000_000) << 96) | _getrandbits(96)


def new_span_id() -> int:
    span_id = _getrandbits(64)
    while span_id == 0:
        span_id = _getrandbits(64)
    return span_id


class Span:
    """A recording span. Not thread-safe: one Lambda invocation runs at a time."""

    __slots__ = (
        "_on_end",
        "attributes",
        "context",
        "end_time",
        "events",
        "instrumentation_scope",
        "kind",
        "name",
        "parent",
        "resource",
        "start_time",
        "status",
    )
    links: tuple[()] = ()
    dropped_attributes = 0
    dropped_events = 0
    dropped_links = 0

    def __init__(
        self,
        name: str,
        context: SpanContext,
        parent: SpanContext | None,
        kind: SpanKind,
        attributes: dict[str, Any],
        resource: Resource,
        on_end: Callable[[Span], None] | None,
        scope: InstrumentationScope = SCOPE,
    ) -> None:
        self.name = name
        self.context = context
        self.parent = parent
        self.kind = kind
        self.attributes = attributes
        self.events: list[Event] = []
        self.status = UNSET_STATUS
        self.start_time = _time_ns()
        self.end_time: int | None = None
        self.resource = resource
        self.instrumentation_scope = scope
        self._on_end = on_end

    def get_span_context(self) -> SpanContext:
        return self.context

    def is_recording(self) -> bool:
        return self.end_time is None

    def set_attribute(self, key: str, value: Any) -> None:
        """As OpenTelemetry allows: a str, bool, int or float, or a sequence of one of those
        types (kept as a tuple). Anything else (a dict, a mixed list) is dropped: it could
        not be scrubbed reliably before export."""
        if self.end_time is not None or value is None:
            return
        if type(value) not in _SCALAR_TYPES:
            value = _sequence_attribute(value)
            if value is None:
                return
        self.attributes[key] = value

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        for key, value in attributes.items():
            self.set_attribute(key, value)

    def add_event(self, name: str, attributes: Mapping[str, Any] | None = None) -> None:
        if self.end_time is None:
            self.events.append(Event(name, attributes, _time_ns()))

    def set_status(self, status: Status | StatusCode, description: str | None = None) -> None:
        """As in the SDK: OK is final, and UNSET never replaces a status already set."""
        if self.end_time is not None or self.status.status_code is StatusCode.OK:
            return
        new = status if isinstance(status, Status) else Status(status, description)
        if new.status_code is StatusCode.UNSET:
            return
        if new.status_code is StatusCode.OK and new.description:
            new = Status(StatusCode.OK)  # a description only goes with ERROR
        self.status = new

    def record_exception(self, exc: BaseException) -> None:
        """An `exception` event with the semantic-convention attributes."""
        self.add_event(
            "exception",
            {
                "exception.type": type(exc).__qualname__,
                "exception.message": str(exc),
                "exception.stacktrace": "".join(
                    traceback.format_exception(type(exc), exc, exc.__traceback__)
                ),
                "exception.escaped": "False",
            },
        )

    def end(self, end_time: int | None = None) -> None:
        if self.end_time is not None:
            return
        self.end_time = end_time or _time_ns()
        if self._on_end is not None:
            self._on_end(self)

    def __repr__(self) -> str:
        return f"Span({self.name!r}, {self.kind.name}, {self.context!r})"


class NonRecordingSpan:
    """A span that records nothing but still carries a context (unsampled traces, telemetry
    off): children and log lines keep the trace id."""

    __slots__ = ("context",)
    name = ""
    attributes: Mapping[str, Any] = {}
    events: Sequence[Event] = ()
    status = UNSET_STATUS

    def __init__(self, context: SpanContext) -> None:
        self.context = context

    def get_span_context(self) -> SpanContext:
        return self.context

    def is_recording(self) -> bool:
        return False

    def set_attribute(self, key: str, value: Any) -> None:
        return None

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        return None

    def add_event(self, name: str, attributes: Mapping[str, Any] | None = None) -> None:
        return None

    def set_status(self, status: Status | StatusCode, description: str | None = None) -> None:
        return None

    def record_exception(self, exc: BaseException) -> None:
        return None

    def end(self, end_time: int | None = None) -> None:
        return None


AnySpan = Span | NonRecordingSpan
INVALID_SPAN: Final = NonRecordingSpan(INVALID_SPAN_CONTEXT)

_current: ContextVar[AnySpan] = ContextVar("naver_sms_current_span", default=INVALID_SPAN)


def current_span() -> AnySpan:
    """The active span, or INVALID_SPAN outside any."""
    return _current.get()


def activate(span: AnySpan) -> Token[AnySpan]:
    """Make `span` current until :func:`deactivate` with the returned token."""
    return _current.set(span)


def deactivate(token: Token[AnySpan]) -> None:
    _current.reset(token)


def record_escaped(span: AnySpan, exc: BaseException) -> None:
    """An exception leaving the span's scope, as OpenTelemetry records it: an `exception`
    event and ERROR status `<type>: <message>`."""
    span.record_exception(exc)
    span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))


class ActiveSpan:
    """`with tracer.start_as_current_span(...) as span:` — current while inside, ended on exit;
    an exception is recorded on it (event + ERROR status) and propagates."""

    __slots__ = ("_token", "span")

    def __init__(self, span: AnySpan) -> None:
        self.span = span
        self._token: Token[AnySpan] | None = None

    def __enter__(self) -> AnySpan:
        self._token = _current.set(self.span)
        return self.span

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        span = self.span
        if exc is not None:
            record_escaped(span, exc)
        if self._token is not None:
            _current.reset(self._token)
        span.end()


class Tracer:
    """Creates spans on one resource and hands each ended span to `sink`.

    Until :func:`naver_sms.telemetry.setup.configure` gives it a sink, every span is
    non-recording (as the OpenTelemetry API is before an SDK is installed).
    """

    def __init__(self) -> None:
        self.resource = Resource({})
        self.sink: Callable[[Span], None] | None = None

    def start_span(
        self,
        name: str,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: dict[str, Any] | None = None,
        parent: SpanContext | type[_Current] | None = None,
    ) -> AnySpan:
        """A started span; its parent is `parent`, or the current span when `parent` is
        :class:`_Current`. A root span starts a new trace."""
        parent_context: SpanContext | None
        if parent is _Current:
            current = _current.get().context
            parent_context = current if current.span_id else None
        else:
            parent_context = parent  # type: ignore[assignment]
        if parent_context is None:
            context = SpanContext(new_trace_id(), new_span_id())
        else:
            context = SpanContext(
                parent_context.trace_id, new_span_id(), sampled=parent_context.sampled
            )
        if self.sink is None or not context.sampled:
            return NonRecordingSpan(context)
        return Span(
            name,
            context,
            parent_context,
            kind,
            attributes if attributes is not None else {},
            self.resource,
            self.sink,
        )

    def start_as_current_span(
        self,
        name: str,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: dict[str, Any] | None = None,
    ) -> ActiveSpan:
        """A child of the current span, current inside the `with` block."""
        return ActiveSpan(self.start_span(name, kind, attributes, _Current))


class _Current:
    """Sentinel: take the parent from the current span."""


CURRENT: Final = _Current
TRACER: Final = Tracer()
