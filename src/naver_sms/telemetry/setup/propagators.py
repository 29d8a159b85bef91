"""Which trace an invocation continues, read by the upstream propagators.

- Lambda's active tracing names the invocation's X-Ray trace in `_X_AMZN_TRACE_ID` (new at
  every invocation): `AwsXRayLambdaPropagator` (opentelemetry-propagator-aws-xray) reads it.
  It wins over headers in the event, as in the ADOT layer's wrapper: the function's segment
  in X-Ray is that trace, and a second, W3C-only trace would split it in two.
- Without it, an HTTP-shaped event's headers: `X-Amzn-Trace-Id` (`AwsXRayPropagator`), then
  `traceparent` (`TraceContextTextMapPropagator`), which wins when both are present; header
  names are matched case-insensitively (API Gateway HTTP APIs lower-case them).
- Otherwise, or when a header is malformed: a new trace (never the previous invocation's).

The global propagator (`OTEL_PROPAGATORS`, used by instrumentations for outgoing requests) is
left as it is: setting it means importing `opentelemetry.propagate`, whose entry-point scan is
paid at cold start; the ADOT layer sets `OTEL_PROPAGATORS` itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.context import Context
from opentelemetry.propagators.aws import AwsXRayLambdaPropagator, AwsXRayPropagator
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import get_current_span
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from naver_sms.telemetry import constants as env_names

_LAMBDA = AwsXRayLambdaPropagator()
_XRAY = AwsXRayPropagator()
_W3C = TraceContextTextMapPropagator()


class CaseInsensitiveGetter(Getter[Mapping[Any, Any]]):
    """Header lookup whatever the case the caller wrote the name in; a list value's first."""

    def get(self, carrier: Mapping[Any, Any], key: str) -> list[str] | None:
        value = carrier.get(key)
        if value is None:
            lowered = key.lower()
            for name, candidate in carrier.items():
                if isinstance(name, str) and name.lower() == lowered:
                    value = candidate
                    break
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        return [value] if isinstance(value, str) else None

    def keys(self, carrier: Mapping[Any, Any]) -> list[str]:
        return [key for key in carrier if isinstance(key, str)]


_GETTER = CaseInsensitiveGetter()


def _valid(context: Context) -> bool:
    return bool(get_current_span(context).get_span_context().is_valid)


def invocation_parent(event: Any, environ: Mapping[str, str]) -> Context:
    """The context holding the invocation's remote parent, or an empty one (a new trace)."""
    if environ.get(env_names.X_AMZN_TRACE_ID):
        context = _LAMBDA.extract({}, context=Context())  # reads _X_AMZN_TRACE_ID
        if _valid(context):
            return context
    headers = event.get("headers") if isinstance(event, Mapping) else None
    if isinstance(headers, Mapping) and headers:
        context = _W3C.extract(headers, context=Context(), getter=_GETTER)
        if _valid(context):
            return context
        context = _XRAY.extract(headers, context=Context(), getter=_GETTER)
        if _valid(context):
            return context
    return Context()
