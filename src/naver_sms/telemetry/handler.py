"""`instrument_handler`: the invocation span, cold-start flag and bounded flush around a handler.

    @instrument_handler                      # or @instrument_handler(switch=telemetry_on)
    def lambda_handler(event, context): ...

Per invocation: the kill switch is asked first (off: the handler runs bare, no span, no
metric, no flush). The SERVER span continues the trace Lambda started (`_X_AMZN_TRACE_ID`,
new at every invocation) and is current while the handler runs, so spans the handler's code
starts with `opentelemetry.trace` are its children. Exceptions are recorded on the span,
counted in `invocation_errors` and re-raised untouched; finally spans and metrics are flushed
within `NAVER_SMS_TELEMETRY_FLUSH_MS` and never past the time Lambda has left.

Under the ADOT layer (opentelemetry-instrumentation-aws-lambda) the invocation span already
exists when the wrapper runs: it is used, not duplicated, and its instrumentation flushes the
global providers after ending it. Nothing the telemetry does can raise out of the wrapper.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

import structlog

from naver_sms.telemetry import catalog, instruments, setup
from naver_sms.telemetry import constants as env_names
from naver_sms.telemetry.logging import bind_invocation, clear_invocation

_log = structlog.get_logger("naver_sms.telemetry")

Handler = Callable[[Any, Any], Any]
H = TypeVar("H", bound=Handler)
Switch = Callable[[], bool]

_cold_start = True
_switch_error_logged = False


def is_cold_start_pending() -> bool:
    """True until the first instrumented invocation of this execution environment."""
    return _cold_start


def reset_cold_start() -> None:
    """Make the next invocation count as a cold start again (tests only)."""
    global _cold_start  # noqa: PLW0603
    _cold_start = True


def faas_trigger(event: Any) -> str:
    """`timer` for EventBridge scheduled events, else `other` (semantic-convention values)."""
    if (
        isinstance(event, Mapping)
        and event.get("source") == "aws.events"
        and event.get("detail-type") == "Scheduled Event"
    ):
        return "timer"
    return "other"


def _switch_on(switch: Switch | None) -> bool:
    global _switch_error_logged  # noqa: PLW0603
    if switch is None:
        return True
    try:
        return bool(switch())
    except Exception as exc:
        if not _switch_error_logged:
            _switch_error_logged = True
            _log.warning("telemetry_switch_failed", error=f"{type(exc).__name__}: {exc}")
        return True


def flush_budget(state: setup.Telemetry, lambda_context: Any) -> float:
    """The flush budget in ms: the configured one, cut to what Lambda has left minus a margin."""
    budget = float(state.flush_ms)
    remaining = getattr(lambda_context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        try:
            left = float(remaining()) - env_names.DEADLINE_RESERVE_MS
        except Exception:
            return budget
        budget = min(budget, max(left, 0.0))
    return budget


class _Invocation:
    """The invocation span (ours, or the aws-lambda instrumentation's) and its context."""

    __slots__ = ("ours", "span", "token")

    def __init__(self, event: Any, lambda_context: Any, name: str, cold_start: bool) -> None:
        from opentelemetry import context as otel_context  # noqa: PLC0415
        from opentelemetry import trace  # noqa: PLC0415

        self.token: object | None = None
        outer = trace.get_current_span()
        if outer.is_recording() and getattr(outer, "kind", None) is trace.SpanKind.SERVER:
            # opentelemetry-instrumentation-aws-lambda (the ADOT layer) made it already.
            self.span, self.ours = outer, False
            outer.set_attribute("faas.coldstart", cold_start)
            return
        from naver_sms.telemetry.setup.propagators import invocation_parent  # noqa: PLC0415

        parent = invocation_parent(event, os.environ)
        attributes: dict[str, Any] = {
            "faas.trigger": faas_trigger(event),
            "faas.coldstart": cold_start,
        }
        request_id = getattr(lambda_context, "aws_request_id", None)
        if request_id:
            attributes["faas.invocation_id"] = str(request_id)
        arn = getattr(lambda_context, "invoked_function_arn", None)
        if arn:
            attributes["cloud.resource_id"] = str(arn)
        self.span = instruments.tracer().start_span(
            name, context=parent, kind=trace.SpanKind.SERVER, attributes=attributes
        )
        self.ours = True
        self.token = otel_context.attach(trace.set_span_in_context(self.span, parent))

    def failed(self, exc: BaseException) -> None:
        if self.ours:  # the aws-lambda instrumentation records on its own span
            from opentelemetry.trace import Status, StatusCode  # noqa: PLC0415

            self.span.record_exception(exc)
            self.span.set_status(Status(StatusCode.ERROR, type(exc).__name__))

    def end(self) -> None:
        from opentelemetry import context as otel_context  # noqa: PLC0415

        if self.ours:
            self.span.end()
        if self.token is not None:
            otel_context.detach(self.token)  # type: ignore[arg-type]
            self.token = None


def _flush(state: setup.Telemetry, lambda_context: Any, ours: bool) -> None:
    """Flush within budget; a foreign invocation span means its instrumentation flushes the
    global providers once it has ended it (only our own non-global ones are flushed here)."""
    try:
        state.flush(flush_budget(state, lambda_context), globals_too=ours)
    except Exception as exc:
        _log.warning("telemetry_flush_failed", error=f"{type(exc).__name__}: {exc}")


def _invoke(
    func: Handler, event: Any, lambda_context: Any, switch: Switch | None, name: str | None
) -> Any:
    global _cold_start
    cold_start, _cold_start = _cold_start, False
    function_name = str(
        name
        or getattr(lambda_context, "function_name", None)
        or os.environ.get(env_names.AWS_LAMBDA_FUNCTION_NAME)
        or getattr(func, "__name__", "handler")
    )
    request_id = str(getattr(lambda_context, "aws_request_id", "") or "")
    bind_invocation(function_name, request_id, cold_start)
    state = setup.current()
    on = state is not None and state.enabled and _switch_on(switch)
    instruments.set_enabled(on)
    if not on or state is None:
        try:
            return func(event, lambda_context)
        finally:
            clear_invocation()

    if state.clock is not None:
        state.clock.close()  # the previous invocation's flush window
    invocation: _Invocation | None = None
    try:
        invocation = _Invocation(event, lambda_context, function_name, cold_start)
    except Exception as exc:
        _log.warning("telemetry_span_failed", error=f"{type(exc).__name__}: {exc}")
    try:
        return func(event, lambda_context)
    except BaseException as exc:
        with contextlib.suppress(Exception):  # the handler's exception is what matters
            if invocation is not None:
                invocation.failed(exc)
            instruments.record(catalog.INVOCATION_ERRORS)
        raise
    finally:
        with contextlib.suppress(Exception):
            if invocation is not None:
                invocation.end()
        _flush(state, lambda_context, invocation is None or invocation.ours)
        clear_invocation()


@overload
def instrument_handler(func: H, *, switch: Switch | None = None, name: str | None = None) -> H: ...


@overload
def instrument_handler(
    func: None = None, *, switch: Switch | None = None, name: str | None = None
) -> Callable[[H], H]: ...


def instrument_handler(
    func: H | None = None, *, switch: Switch | None = None, name: str | None = None
) -> H | Callable[[H], H]:
    """Instrument a Lambda handler; usable bare or with arguments.

    `switch` is asked at every invocation (e.g. the SSM `telemetry` kill switch, cached by
    the app): when it returns False the handler runs with no telemetry cost at all.
    `name` overrides the span name (default: the function name from the Lambda context).
    Calls :func:`naver_sms.telemetry.setup.configure` once, at decoration (init) time.
    """

    def decorate(handler: H) -> H:
        setup.configure()

        @functools.wraps(handler)
        def wrapper(event: Any, lambda_context: Any) -> Any:
            return _invoke(handler, event, lambda_context, switch, name)

        return wrapper  # type: ignore[return-value]

    if func is not None:
        return decorate(func)
    return decorate
