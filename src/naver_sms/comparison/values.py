"""JSON value semantics of the capture spec: metadata stripping, equality, differing paths.

Values compare as JSON values: objects regardless of key order, arrays in order, numbers by
numeric value (``4 == 4.0``), strings code point by code point, and ``true`` is not ``1``.
Keys starting with ``_`` are metadata at any depth and are dropped before anything else.
"""

from __future__ import annotations

import json
import marshal
from typing import Any, Final

JsonValue = Any  # what json.loads returns; recursive aliases buy nothing here


def is_metadata_key(key: str) -> bool:
    """A key starting with ``_`` (timestamps, request ids, ...) never takes part in a comparison."""
    return key[:1] == "_"


_CONTAINERS: Final = (dict, list)


def strip_metadata(value: JsonValue) -> JsonValue:
    """Return ``value`` without metadata keys at any depth (a new structure; input untouched)."""
    kind = type(value)
    if kind is dict:
        return {
            k: (strip_metadata(v) if type(v) in _CONTAINERS else v)
            for k, v in value.items()
            if k[:1] != "_"
        }
    if kind is list:
        return [strip_metadata(v) if type(v) in _CONTAINERS else v for v in value]
    return value


def _is_number(value: JsonValue) -> bool:
    return type(value) is int or type(value) is float


def json_equal(a: JsonValue, b: JsonValue) -> bool:
    """Equality as the spec defines it; both values must already be metadata-free.

    Python's ``==`` is necessary (JSON-equal values are always ``==``) but not sufficient
    (``True == 1``); identical ``marshal`` bytes are sufficient (same types, values, order).
    Only when ``==`` holds and the bytes differ (key order, ``4`` vs ``4.0``, ``true`` vs
    ``1``) does the exact walk run.
    """
    if a != b:
        return False
    try:
        if marshal.dumps(a, 2) == marshal.dumps(b, 2):
            return True
    except ValueError:  # pragma: no cover - JSON values always marshal
        pass
    return _strict_equal(a, b)


def _strict_equal(a: JsonValue, b: JsonValue) -> bool:
    ta, tb = type(a), type(b)
    if ta is dict:
        if tb is not dict or a.keys() != b.keys():
            return False
        return all(_strict_equal(v, b[k]) for k, v in a.items())
    if ta is list:
        if tb is not list or len(a) != len(b):
            return False
        return all(_strict_equal(x, y) for x, y in zip(a, b, strict=True))
    if _is_number(a):
        # Python compares int and float exactly; bool is excluded on purpose (true != 1).
        return _is_number(b) and bool(a == b)
    if ta is not tb:
        return False
    return bool(a == b)


def differing_paths(a: JsonValue, b: JsonValue, prefix: str = "") -> list[str]:
    """Sorted dotted paths where two metadata-free values differ.

    Objects are descended into; arrays and scalars compare whole; a key present on one side
    only is itself a differing path. Two different non-objects at the top give ``[prefix]``.
    """
    paths: list[str] = []
    _collect_paths(a, b, prefix, paths)
    return sorted(paths)


def _collect_paths(a: JsonValue, b: JsonValue, prefix: str, out: list[str]) -> None:
    if type(a) is dict and type(b) is dict:
        for key in a.keys() | b.keys():
            path = f"{prefix}.{key}" if prefix else key
            if key not in a or key not in b:
                out.append(path)
            else:
                _collect_paths(a[key], b[key], path, out)
        return
    if not json_equal(a, b):
        out.append(prefix)


def common_prefix_length(a: str, b: str) -> int:
    """0-based code point index of the first difference (= length of the common prefix)."""
    limit = min(len(a), len(b))
    if a[:limit] == b[:limit]:
        return limit
    lo, hi = 0, limit  # invariant: a[:lo] == b[:lo] and a[:hi] != b[:hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid
    return lo


def _normalise_numbers(value: JsonValue) -> JsonValue:
    kind = type(value)
    if kind is dict:
        return {k: _normalise_numbers(v) for k, v in value.items()}
    if kind is list:
        return [_normalise_numbers(v) for v in value]
    if kind is float and value.is_integer():
        return int(value)
    return value


def canonical_json(value: JsonValue) -> str:
    """Compact JSON with sorted keys and integral floats written as integers.

    Two metadata-free values that are :func:`json_equal` get the same text, which is why the
    DynamoDB identity (``table#key``) uses it: ``{"n": 4}`` and ``{"n": 4.0}`` are one key.
    """
    return json.dumps(
        _normalise_numbers(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
