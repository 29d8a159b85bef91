"""The ADOT Python layer's `otel_wrapper.py` (aws-otel-python-instrumentation/lambda-layer):
its `otel-instrument` keeps aws-lambda out of `opentelemetry-instrument` and instruments it here,
with an extractor that prefers Lambda's `_X_AMZN_TRACE_ID`, then imports `ORIG_HANDLER`."""

from __future__ import annotations

import os
from importlib import import_module
from typing import Any

from opentelemetry.context import Context
from opentelemetry.instrumentation.aws_lambda import AwsLambdaInstrumentor
from opentelemetry.propagate import get_global_textmap
from opentelemetry.trace import get_current_span

_TRACE_HEADER = "X-Amzn-Trace-Id"


def _extract(event: Any) -> Context:
    headers = event.get("headers") if isinstance(event, dict) else None
    carrier = dict(headers) if isinstance(headers, dict) else {}
    xray = os.environ.get("_X_AMZN_TRACE_ID")
    if xray:
        carrier = {k: v for k, v in carrier.items() if k.lower() != _TRACE_HEADER.lower()}
        carrier[_TRACE_HEADER] = xray
    context = get_global_textmap().extract(carrier)
    if get_current_span(context).get_span_context():
        return context
    return Context()


AwsLambdaInstrumentor().instrument(event_context_extractor=_extract)

_module, _, _name = os.environ["ORIG_HANDLER"].rpartition(".")
lambda_handler = getattr(import_module(_module.replace("/", ".")), _name)
