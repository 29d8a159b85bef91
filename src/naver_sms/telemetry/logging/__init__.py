"""structlog JSON logs, one object per line on stdout, correlated with the current trace.

One visible chain, :data:`~naver_sms.telemetry.logging.processors.PROCESSORS`, serves both
structlog loggers and stdlib `logging` records (boto3, urllib3 ...) through
`structlog.stdlib.ProcessorFormatter`, so masking and correlation cannot differ between them.
Field names come from :data:`naver_sms.telemetry.catalog.LOG_FIELDS`; Logs Insights queries
and metric filters depend on them.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import Any, Final

import structlog

from naver_sms import SERVICE_NAME
from naver_sms.telemetry import constants as env_names
from naver_sms.telemetry.logging.processors import (
    INVOCATION,
    PROCESSORS,
    RENDERER,
    STATIC,
    add_lambda_context,
    add_service,
    add_trace_ids,
    drop_secrets,
    mask_customer_names,
    mask_phone_numbers,
    render_line,
    xray_trace_id,
)

__all__ = [
    "CACHE_LOGGERS",
    "PROCESSORS",
    "StdoutHandler",
    "StdoutLogger",
    "add_lambda_context",
    "add_service",
    "add_trace_ids",
    "bind_invocation",
    "clear_invocation",
    "configure_logging",
    "drop_secrets",
    "log_level",
    "mask_customer_names",
    "mask_phone_numbers",
    "render_line",
    "xray_trace_id",
]

_LAMBDA_LEVELS: Final = {"TRACE": "DEBUG", "WARN": "WARNING", "FATAL": "CRITICAL"}

# Each module-level logger resolves its processor chain once (a real saving per log call in
# Lambda). Tests turn it off: structlog's `capture_logs` cannot reach a cached logger.
CACHE_LOGGERS = True


def bind_invocation(function_name: str, request_id: str, cold_start: bool) -> None:
    """Called by the handler wrapper at the start of every invocation."""
    INVOCATION["function_name"] = function_name
    INVOCATION["function_request_id"] = request_id
    INVOCATION["cold_start"] = cold_start


def clear_invocation() -> None:
    INVOCATION.clear()


class StdoutLogger:
    """Writes each rendered line to the *current* `sys.stdout` (one write call per line)."""

    __slots__ = ("name",)

    def __init__(self, name: str | None = None) -> None:
        self.name = name

    def msg(self, message: str) -> None:
        sys.stdout.write(message + "\n")

    log = debug = info = warn = warning = error = err = critical = fatal = exception = msg


def _logger_factory(*args: Any) -> StdoutLogger:
    return StdoutLogger(str(args[0]) if args else None)


class StdoutHandler(logging.Handler):
    """The stdlib side: records formatted by the same chain, to the current `sys.stdout`."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def log_level(environ: Mapping[str, str]) -> int:
    """`AWS_LAMBDA_LOG_LEVEL` (Lambda's advanced logging controls), then `LOG_LEVEL`."""
    raw = (
        environ.get(env_names.AWS_LAMBDA_LOG_LEVEL)
        or environ.get(env_names.LOG_LEVEL)
        or env_names.DEFAULT_LOG_LEVEL
    ).upper()
    name = _LAMBDA_LEVELS.get(raw, raw)
    level = logging.getLevelName(name)
    if not isinstance(level, int):
        raise ValueError(
            f"log level {raw!r} (AWS_LAMBDA_LOG_LEVEL/LOG_LEVEL) is not one of "
            "TRACE, DEBUG, INFO, WARN, WARNING, ERROR, CRITICAL, FATAL"
        )
    return level


def configure_logging(
    environ: Mapping[str, str] | None = None, *, service_name: str | None = None
) -> None:
    """Install the JSON chain for structlog and the root stdlib logger (safe to call again).

    Loggers obtained with `structlog.get_logger()` anywhere in the code, before or after this
    call, use this configuration from their first use on.
    """
    env = os.environ if environ is None else environ
    level = log_level(env)
    STATIC["service"] = service_name or SERVICE_NAME
    function_name = env.get(env_names.AWS_LAMBDA_FUNCTION_NAME)
    if function_name:
        STATIC["function_name"] = function_name
    structlog.configure(
        processors=[render_line],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_logger_factory,
        cache_logger_on_first_use=CACHE_LOGGERS,
    )
    root = logging.getLogger()
    # The Lambda runtime installs its own plain-text handler on the root logger: replace it,
    # or every boto3 line would come out twice, once unmasked.
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = StdoutHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=list(PROCESSORS),
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, RENDERER],
        )
    )
    root.addHandler(handler)
    root.setLevel(level)
