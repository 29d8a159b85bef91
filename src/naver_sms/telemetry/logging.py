"""structlog JSON logs, one object per line on stdout, correlated with the current trace.

One visible chain, :data:`PROCESSORS`, serves both structlog loggers and stdlib `logging`
records (boto3, urllib3 ...) through `structlog.stdlib.ProcessorFormatter`, so masking and
correlation cannot differ between them. Every processor is a tiny pure function
`(logger, method_name, event_dict) -> event_dict`; they edit the event dict in place (it is
already a fresh dict per call) and copy nested containers only when they change something.
structlog loggers run the chain through :func:`render_line`, which does the same work in one
pass for the usual line of scalar fields (tested equal, field for field).

Field names come from :data:`naver_sms.telemetry.catalog.LOG_FIELDS`; Logs Insights queries
and metric filters depend on them.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from naver_sms import SERVICE_NAME
from naver_sms.privacy import (
    NAME_KEYS,
    REDACTED,
    has_secrets,
    is_secret_key,
    mask_name,
    mask_phones,
    redact_secrets,
)
from naver_sms.telemetry import constants as env_names
from naver_sms.telemetry.spans import current_span

_LAMBDA_LEVELS: Final = {"TRACE": "DEBUG", "WARN": "WARNING", "FATAL": "CRITICAL"}

# What the handler wrapper binds for the current invocation (Lambda runs one at a time).
_invocation: dict[str, Any] = {}
_static: dict[str, Any] = {"service": SERVICE_NAME}
_xray_root_cache: dict[str, str | None] = {}


def bind_invocation(function_name: str, request_id: str, cold_start: bool) -> None:
    """Called by the handler wrapper at the start of every invocation."""
    _invocation["function_name"] = function_name
    _invocation["function_request_id"] = request_id
    _invocation["cold_start"] = cold_start


def clear_invocation() -> None:
    _invocation.clear()


# --- processors, in chain order -------------------------------------------------------------


def add_service(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """`service` (and `function_name` outside an invocation) on every line."""
    for key, value in _static.items():
        event_dict.setdefault(key, value)
    return event_dict


def add_lambda_context(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """`function_name`, `function_request_id`, `cold_start` of the running invocation."""
    for key, value in _invocation.items():
        event_dict.setdefault(key, value)
    return event_dict


def add_logger_name(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """`logger`: the stdlib logger name for records from boto3, urllib3 and friends."""
    record = event_dict.get("_record")
    if record is not None:
        event_dict.setdefault("logger", record.name)
    return event_dict


def xray_trace_id(trace_id: str) -> str:
    """32 hex digits -> the X-Ray form 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx (same trace)."""
    return f"1-{trace_id[:8]}-{trace_id[8:]}"


def _xray_root(header: str) -> str | None:
    """The W3C trace id in a `Root=1-…-…;Parent=…` header (memoised: one per invocation)."""
    cached = _xray_root_cache.get(header, "")
    if cached != "":
        return cached
    root: str | None = None
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "Root":
            pieces = value.split("-")
            if len(pieces) == 3 and len(pieces[1]) == 8 and len(pieces[2]) == 24:
                root = (pieces[1] + pieces[2]).lower()
    if len(_xray_root_cache) > 64:
        _xray_root_cache.clear()
    _xray_root_cache[header] = root
    return root


# The current span's ids as text, formatted once for all the lines logged inside it.
_ids_of: list[Any] = [None, "", "", ""]


def _format_ids(context: Any) -> list[Any]:
    trace_id = format(context.trace_id, "032x")
    _ids_of[:] = [context, trace_id, xray_trace_id(trace_id), format(context.span_id, "016x")]
    return _ids_of


def add_trace_ids(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """`trace_id`, `xray_trace_id`, `span_id` of the current span.

    With telemetry switched off there is no span, but Lambda's own trace header still names
    the X-Ray trace of the invocation: logs keep pointing to it.
    """
    context = current_span().context
    if context.span_id:
        ids = _ids_of if _ids_of[0] is context else _format_ids(context)
        event_dict["trace_id"] = ids[1]
        event_dict["xray_trace_id"] = ids[2]
        event_dict["span_id"] = ids[3]
        return event_dict
    header = os.environ.get(env_names.X_AMZN_TRACE_ID)
    if header:
        root = _xray_root(header)
        if root:
            event_dict["trace_id"] = root
            event_dict["xray_trace_id"] = xray_trace_id(root)
    return event_dict


def _map_strings(value: Any, func: Callable[[str], str]) -> Any:
    """Apply `func` to every string inside dicts/lists/tuples; copy only what changes."""
    if isinstance(value, str):
        return func(value)
    if isinstance(value, dict):
        changed = {k: n for k, v in value.items() if (n := _map_strings(v, func)) is not v}
        return {**value, **changed} if changed else value
    if isinstance(value, list | tuple):
        items = [_map_strings(v, func) for v in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            return items if isinstance(value, list) else tuple(items)
    return value


# Fields the chain itself adds from trusted sources: not worth scanning on every line.
_OWN_FIELDS: Final = frozenset(
    {
        "timestamp",
        "level",
        "service",
        "function_name",
        "function_request_id",
        "cold_start",
        "trace_id",
        "xray_trace_id",
        "span_id",
        "logger",
    }
)


def _update_in_place(event_dict: EventDict, func: Callable[[str], str]) -> EventDict:
    for key, value in event_dict.items():
        if key in _OWN_FIELDS:
            continue
        if type(value) is str:
            new = func(value)
        elif isinstance(value, str | dict | list | tuple):
            new = _map_strings(value, func)
        else:
            continue
        if new is not value:
            event_dict[key] = new
    return event_dict


def _mask_phones_fast(text: str) -> str:
    masked = mask_phones(text)
    return text if masked == text else masked


def mask_phone_numbers(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Any Korean mobile number, in any field, at any depth: `010-****-5678`."""
    return _update_in_place(event_dict, _mask_phones_fast)


def _mask_names(value: Any) -> Any:
    if isinstance(value, dict):
        changed: dict[Any, Any] = {}
        for key, item in value.items():
            if key in NAME_KEYS and isinstance(item, str):
                changed[key] = mask_name(item)
            else:
                new = _mask_names(item)
                if new is not item:
                    changed[key] = new
        return {**value, **changed} if changed else value
    if isinstance(value, list | tuple):
        items = [_mask_names(v) for v in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            return items if isinstance(value, list) else tuple(items)
    return value


def mask_customer_names(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Fields named `customer_name` or `name` (any depth): 홍길동 -> 홍*동."""
    for key, value in event_dict.items():
        if key in NAME_KEYS and isinstance(value, str):
            event_dict[key] = mask_name(value)
        elif isinstance(value, dict | list | tuple):
            new = _mask_names(value)
            if new is not value:
                event_dict[key] = new
    return event_dict


def _drop_secret_keys(value: Any) -> Any:
    if isinstance(value, dict):
        changed: dict[Any, Any] = {}
        for key, item in value.items():
            if isinstance(key, str) and is_secret_key(key) and item is not None:
                changed[key] = REDACTED
            else:
                new = _drop_secret_keys(item)
                if new is not item:
                    changed[key] = new
        return {**value, **changed} if changed else value
    if isinstance(value, list | tuple):
        items = [_drop_secret_keys(v) for v in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            return items if isinstance(value, list) else tuple(items)
    return value


def _redact_fast(text: str) -> str:
    redacted = redact_secrets(text)
    return text if redacted == text else redacted


def drop_secrets(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Secret-looking keys (token, secret, key, password, signature ...) and every registered
    secret value, anywhere in the event, become `[REDACTED]`."""
    for key, value in event_dict.items():
        if key in _OWN_FIELDS:
            continue
        if is_secret_key(key) and value is not None:
            event_dict[key] = REDACTED
        elif isinstance(value, dict | list | tuple):
            new = _drop_secret_keys(value)
            if new is not value:
                event_dict[key] = new
    if not has_secrets():
        return event_dict
    return _update_in_place(event_dict, _redact_fast)


# Each module-level logger resolves its processor chain once (a real saving per log call in
# Lambda). Tests turn it off: structlog's `capture_logs` cannot reach a cached logger.
CACHE_LOGGERS = True

PROCESSORS: Final[tuple[Processor, ...]] = (
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
    add_lambda_context,
    add_service,
    add_logger_name,
    add_trace_ids,
    structlog.processors.StackInfoRenderer(),
    structlog.processors.format_exc_info,
    # Masking runs last, after exceptions became text: a traceback can carry a phone number.
    mask_phone_numbers,
    mask_customer_names,
    drop_secrets,
)


_RENDERER = structlog.processors.JSONRenderer(ensure_ascii=False)
_LEVEL_NAMES: Final = {"warn": "warning", "exception": "error"}
_SCALARS: Final = (str, int, float, bool, type(None))


def _json_fallback(obj: Any) -> Any:
    """What structlog's JSONRenderer writes for objects JSON does not know."""
    structlog_form = getattr(obj, "__structlog__", None)
    return structlog_form() if callable(structlog_form) else repr(obj)


# One encoder for every line: `json.dumps` with keyword arguments builds a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False, default=_json_fallback).encode
_second: list[Any] = [None, ""]  # the last whole second seen, and its ISO 8601 text


def _timestamp() -> str:
    """`datetime.now(UTC).isoformat()` with `Z` for `+00:00` (as structlog's TimeStamper
    writes it), the date and time formatted once per second."""
    now = time.time()
    whole = int(now)
    if whole != _second[0]:
        _second[0] = whole
        _second[1] = datetime.fromtimestamp(whole, UTC).isoformat()[: -len("+00:00")]
    micros = int((now - whole) * 1_000_000)
    return f"{_second[1]}.{micros:06d}Z" if micros else f"{_second[1]}Z"


def render_line(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> str:
    """:data:`PROCESSORS` then JSON, fused into one pass for the usual log call.

    A structlog call runs a dozen processors; most lines carry a few scalar fields, and for
    those this does the same work in one function (~10 µs less per line, five or more lines
    per invocation). Anything else (nested values, `exc_info`, `stack_info`, a stdlib record)
    takes the full chain. A test holds both paths to the same output.
    """
    for value in event_dict.values():
        if type(value) not in _SCALARS:
            return _full_chain(logger, method_name, event_dict)
    if "exc_info" in event_dict or "stack_info" in event_dict or "_record" in event_dict:
        return _full_chain(logger, method_name, event_dict)
    secrets = has_secrets()
    for key, value in event_dict.items():
        if key in _OWN_FIELDS:
            continue
        new = value
        if type(value) is str:
            new = _mask_phones_fast(value)
            if key in NAME_KEYS:
                new = mask_name(new)
        if is_secret_key(key) and value is not None:
            new = REDACTED
        elif secrets and type(new) is str:
            new = _redact_fast(new)
        if new is not value:
            event_dict[key] = new
    event_dict["level"] = _LEVEL_NAMES.get(method_name, method_name)
    event_dict["timestamp"] = _timestamp()
    for key, value in _invocation.items():
        event_dict.setdefault(key, value)
    for key, value in _static.items():
        event_dict.setdefault(key, value)
    add_trace_ids(logger, method_name, event_dict)
    return _encode(event_dict)


def _full_chain(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> str:
    for processor in PROCESSORS:
        event_dict = processor(logger, method_name, event_dict)  # type: ignore[assignment]
    return _encode(event_dict)


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


_configured_handler: StdoutHandler | None = None


def configure_logging(
    environ: Mapping[str, str] | None = None, *, service_name: str | None = None
) -> None:
    """Install the JSON chain for structlog and the root stdlib logger (safe to call again).

    Loggers obtained with `structlog.get_logger()` anywhere in the code, before or after this
    call, use this configuration from their first use on.
    """
    global _configured_handler  # noqa: PLW0603 - logging is process-wide by nature
    env = os.environ if environ is None else environ
    level = log_level(env)
    _static["service"] = service_name or SERVICE_NAME
    function_name = env.get(env_names.AWS_LAMBDA_FUNCTION_NAME)
    if function_name:
        _static["function_name"] = function_name
    renderer = _RENDERER
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
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root.addHandler(handler)
    root.setLevel(level)
    _configured_handler = handler
