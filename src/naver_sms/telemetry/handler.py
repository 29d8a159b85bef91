"""`instrument_handler`: the invocation span, cold-start flag and bounded flush around a handler.

    @instrument_handler                      # or @instrument_handler(switch=telemetry_on)
    def lambda_handler(event, context): ...

Per invocation: the kill switch is asked first (off: the handler runs bare, no span, no
metric, no flush); the span continues the X-Ray trace Lambda started (`_X_AMZN_TRACE_ID`
changes at every invocation, so it is parsed every time); exceptions are recorded on the span,
counted in `invocation_errors` and re-raised untouched; finally spans and metrics are flushed,
within `NAVER_SMS_TELEMETRY_FLUSH_MS` and never past the time Lambda has left. Nothing the
telemetry does can raise out of the wrapper.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

import structlog

from naver_sms.telemetry import catalog, instruments, setup
from naver_sms.telemetry import constants as env_names
from naver_sms.telemetry.logging import bind_invocation, clear_invocation
from naver_sms.telemetry.propagation import extract_from_headers, parse_xray_header
from naver_sms.telemetry.spans import (
    INVALID_SPAN,
    TRACER,
    AnySpan,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    activate,
    deactivate,
)

if TYPE_CHECKING:
    from contextvars import Token

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


def _parent_context(event: Any) -> SpanContext | None:
    """The trace this invocation continues: Lambda's X-Ray header, else W3C/X-Ray headers in
    an HTTP-shaped event, else None (a new trace; never the previous invocation's)."""
    header = os.environ.get(env_names.X_AMZN_TRACE_ID)
    if header:
        return parse_xray_header(header)
    headers = event.get("headers") if isinstance(event, Mapping) else None
    if isinstance(headers, Mapping):
        return extract_from_headers(headers)
    return None


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


def _flush(state: setup.Telemetry, lambda_context: Any) -> None:
    try:
        state.flush(flush_budget(state, lambda_context))
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

    token: Token[AnySpan] | None = None
    span: AnySpan = INVALID_SPAN
    try:
        parent = _parent_context(event)
        attributes: dict[str, Any] = {
            "faas.trigger": faas_trigger(event),
            "faas.coldstart": cold_start,
        }
        if request_id:
            attributes["faas.invocation_id"] = request_id
        arn = getattr(lambda_context, "invoked_function_arn", None)
        if arn:
            attributes["cloud.resource_id"] = str(arn)
        span = TRACER.start_span(function_name, SpanKind.SERVER, attributes, parent)
        token = activate(span)
    except Exception as exc:
        _log.warning("telemetry_span_failed", error=f"{type(exc).__name__}: {exc}")
    try:
        return func(event, lambda_context)
    except BaseException as exc:
        try:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            instruments.record(catalog.INVOCATION_ERRORS)
        except Exception:  # noqa: S110 - the handler's exception is what matters
            pass
        raise
    finally:
        with contextlib.suppress(Exception):
            span.end()
        _flush(state, lambda_context)
        if token is not None:
            deactivate(token)
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
