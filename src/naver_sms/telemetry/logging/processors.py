"""The one structlog processor chain: level, time, Lambda context, trace ids, masking.

Every processor is a small pure function `(logger, method_name, event_dict) -> event_dict`;
they edit the event dict in place (structlog hands each call a fresh one) and copy nested
containers only when they change something. :data:`PROCESSORS` is the chain for structlog
loggers and stdlib `logging` records alike (boto3, urllib3 ...), so masking and correlation
cannot differ between them.

:func:`render_line` runs it for structlog loggers. For the usual line (scalar fields, no
exception, no stack, not a stdlib record) it skips the processors that have nothing to do on
such a line (:data:`ONLY_FOR_STRUCTURED_LINES`): the fast path is the chain minus those, derived
from it, never a second copy.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
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

# What the handler wrapper binds for the current invocation (Lambda runs one at a time).
INVOCATION: dict[str, Any] = {}
STATIC: dict[str, Any] = {"service": SERVICE_NAME}
_xray_root_cache: dict[str, str | None] = {}


def add_service(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """`service` (and `function_name` outside an invocation) on every line."""
    for key, value in STATIC.items():
        event_dict.setdefault(key, value)
    return event_dict


def add_lambda_context(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """`function_name`, `function_request_id`, `cold_start` of the running invocation."""
    for key, value in INVOCATION.items():
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
    """`trace_id`, `xray_trace_id`, `span_id` of the current OpenTelemetry span (whoever
    started it: the handler wrapper, the ADOT layer, the user's code).

    With no span (telemetry switched off, or not loaded at all) Lambda's own trace header
    still names the invocation's X-Ray trace: logs keep pointing to it.
    """
    api = sys.modules.get("opentelemetry.trace")  # not loaded: no span can exist
    if api is not None:
        context = api.get_current_span().get_span_context()
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
    """Any Korean phone number, in any field, at any depth: `010-****-5678`."""
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


_STACK_INFO: Final = structlog.processors.StackInfoRenderer()

PROCESSORS: Final[tuple[Processor, ...]] = (
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
    add_lambda_context,
    add_service,
    add_logger_name,
    add_trace_ids,
    _STACK_INFO,
    structlog.processors.format_exc_info,
    # Masking runs last, after exceptions became text: a traceback can carry a phone number.
    mask_phone_numbers,
    mask_customer_names,
    drop_secrets,
)

# Processors with nothing to do on a line of scalar fields without `exc_info`, `stack_info`
# or a stdlib record: what the fast path leaves out of :data:`PROCESSORS`.
ONLY_FOR_STRUCTURED_LINES: Final[frozenset[Processor]] = frozenset(
    {add_logger_name, _STACK_INFO, structlog.processors.format_exc_info}
)
SCALAR_LINE_PROCESSORS: Final[tuple[Processor, ...]] = tuple(
    p for p in PROCESSORS if p not in ONLY_FOR_STRUCTURED_LINES
)
_SCALARS: Final = frozenset({str, int, float, bool, type(None)})
_STRUCTURED_KEYS: Final = ("exc_info", "stack_info", "_record")


def _json_fallback(obj: Any) -> Any:
    """What structlog's JSONRenderer writes for objects JSON does not know."""
    structlog_form = getattr(obj, "__structlog__", None)
    return structlog_form() if callable(structlog_form) else repr(obj)


# One encoder for every line: `json.dumps` with keyword arguments builds a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False, default=_json_fallback).encode


def _dumps(obj: Any, **_: Any) -> str:
    return _encode(obj)


RENDERER: Final = structlog.processors.JSONRenderer(serializer=_dumps)


def render_line(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> str:
    """:data:`PROCESSORS` then JSON: the structlog loggers' whole chain.

    A line of scalar fields runs :data:`SCALAR_LINE_PROCESSORS` (the chain without the
    processors that have nothing to do on it); any other line runs every processor.
    """
    chain = SCALAR_LINE_PROCESSORS
    for value in event_dict.values():
        if type(value) not in _SCALARS:
            chain = PROCESSORS
            break
    else:
        for key in _STRUCTURED_KEYS:
            if key in event_dict:
                chain = PROCESSORS
                break
    for processor in chain:
        event_dict = processor(logger, method_name, event_dict)  # type: ignore[assignment]
    return _encode(event_dict)
