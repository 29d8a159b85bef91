"""The trace an invocation continues: Lambda's X-Ray header, or W3C / X-Ray request headers.

Two header formats, parsed by hand (each is one `split`), instead of the OpenTelemetry
propagator packages whose import and entry-point scan cost milliseconds at cold start:

- X-Ray: `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`, in
  `_X_AMZN_TRACE_ID` (Lambda sets it for every invocation) or an `X-Amzn-Trace-Id` header;
- W3C tracecontext: `traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`.

A malformed header is ignored (a new trace starts), never an error: it comes from outside.
When a request carries both, W3C wins, as with a composite [X-Ray, tracecontext] propagator.
Header names are matched case-insensitively (API Gateway HTTP APIs lower-case them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from naver_sms.telemetry.spans import SpanContext

XRAY_HEADER = "x-amzn-trace-id"
TRACEPARENT_HEADER = "traceparent"
_HEX = frozenset("0123456789abcdefABCDEF")
_LOWER_HEX = frozenset("0123456789abcdef")


def _hex_int(text: str, length: int) -> int:
    """The value of exactly `length` hex digits, else 0 (invalid)."""
    if len(text) != length or not _HEX.issuperset(text):
        return 0
    return int(text, 16)


def parse_xray_header(header: str | None) -> SpanContext | None:
    """The remote parent an X-Ray trace header names, or None when it names none validly."""
    if not header:
        return None
    trace_id = span_id = 0
    sampled = False
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "Root":
            pieces = value.split("-")
            if len(pieces) == 3 and pieces[0] == "1":
                trace_id = _hex_int(pieces[1] + pieces[2], 32) if len(pieces[1]) == 8 else 0
        elif key == "Parent":
            span_id = _hex_int(value, 16)
        elif key == "Sampled":
            sampled = value == "1"
    if not trace_id or not span_id:
        return None
    return SpanContext(trace_id, span_id, is_remote=True, sampled=sampled)


def parse_traceparent(header: str | None) -> SpanContext | None:
    """The remote parent a W3C `traceparent` header names, or None.

    As the W3C specification (and OpenTelemetry's propagator) reads it: lower-case hex only,
    version `ff` invalid, version `00` exactly four fields, later versions may append fields.
    """
    if not header:
        return None
    pieces = header.strip().split("-")
    if len(pieces) < 4 or not all(_LOWER_HEX.issuperset(p) for p in pieces[:4]):
        return None
    version, trace_hex, span_hex, flags_hex = pieces[:4]
    if len(version) != 2 or version == "ff" or (version == "00" and len(pieces) != 4):
        return None
    trace_id = _hex_int(trace_hex, 32)
    span_id = _hex_int(span_hex, 16)
    if not trace_id or not span_id or len(flags_hex) != 2:
        return None
    return SpanContext(trace_id, span_id, is_remote=True, sampled=bool(int(flags_hex, 16) & 1))


def _header(headers: Mapping[Any, Any], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        for key, candidate in headers.items():
            if isinstance(key, str) and key.lower() == name:
                value = candidate
                break
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def extract_from_headers(headers: Mapping[Any, Any]) -> SpanContext | None:
    """The parent named by request headers: `traceparent` first, then `X-Amzn-Trace-Id`."""
    return parse_traceparent(_header(headers, TRACEPARENT_HEADER)) or parse_xray_header(
        _header(headers, XRAY_HEADER)
    )
