"""Log events as Logs Insights sees them: one per line, JSON flattened, @timestamp and @message.

Flattening follows Logs Insights: nested objects and arrays become dotted names
(``record.metrics.durationMs``, ``fields.0``); a JSON ``null`` is an absent field. A line that is
not a JSON object is still an event, with only ``@message``. ``@timestamp`` is the line's own
time: ``timestamp`` (our structlog lines), ``time`` (Lambda's platform records) or
``_aws.Timestamp`` (EMF documents); CloudWatch would use the ingestion-side event time, which
for these lines is the same instant to within the delivery delay.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

Scalar = str | int | float | bool


class LogReadError(ValueError):
    """A log file cannot be read; names the file and why."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_line(line: str) -> dict[str, Any] | None:
    """The JSON object on `line`, or None when the line is not one (it stays a text event)."""
    try:
        obj = json.loads(line, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


def flatten(obj: dict[str, Any]) -> dict[str, Scalar]:
    """Dotted names to scalar values; iterative, so any nesting depth is safe."""
    flat: dict[str, Scalar] = {}
    stack: list[tuple[str, Any]] = [("", obj)]
    while stack:
        prefix, value = stack.pop()
        if isinstance(value, dict):
            items: list[tuple[str, Any]] = [(str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            items = [(str(i), v) for i, v in enumerate(value)]
        else:
            if value is not None:
                flat[prefix] = value
            continue
        for key, child in reversed(items):
            stack.append((f"{prefix}.{key}" if prefix else key, child))
    return flat


def _iso_ms(raw: Any) -> int | None:
    if not isinstance(raw, str):
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def timestamp_ms(obj: dict[str, Any]) -> int | None:
    """The event's own time in epoch milliseconds, or None when it carries none."""
    for key in ("timestamp", "time"):
        found = _iso_ms(obj.get(key))
        if found is not None:
            return found
    aws = obj.get("_aws")
    if isinstance(aws, dict):
        raw = aws.get("Timestamp")
        if isinstance(raw, int | float) and not isinstance(raw, bool) and 0 <= raw < 1e14:
            return int(raw)
    return None


def read_lines(path: Path) -> Iterator[str]:
    try:
        handle: TextIO = path.open(encoding="utf-8", errors="replace", newline="")
    except OSError as exc:
        raise LogReadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with handle:
        try:
            for raw in handle:
                line = raw.rstrip("\r\n")
                if line.strip():
                    yield line
        except OSError as exc:
            raise LogReadError(f"{path}: cannot read ({exc.strerror or exc})") from None


def write_staging(paths: Sequence[Path], out: TextIO) -> int:
    """Every event of `paths` as one JSON line ``{i, t, m, f}`` for DuckDB; returns the count."""
    count = 0
    for path in paths:
        for line in read_lines(path):
            obj = parse_line(line)
            record = {
                "i": count,
                "t": None if obj is None else timestamp_ms(obj),
                "m": line,
                "f": {} if obj is None else flatten(obj),
            }
            out.write(json.dumps(record, ensure_ascii=False, allow_nan=False))
            out.write("\n")
            count += 1
    return count
