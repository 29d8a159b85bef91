"""The OpenTelemetry Lambda layer's `otel_wrapper.py`: `_HANDLER` points here and this module
imports the function named by `ORIG_HANDLER`. The aws-lambda instrumentation, loaded by
`opentelemetry-instrument` before any of this, has already wrapped that function."""

from __future__ import annotations

import os
from importlib import import_module

_module, _, _name = os.environ["ORIG_HANDLER"].rpartition(".")
lambda_handler = getattr(import_module(_module.replace("/", ".")), _name)
