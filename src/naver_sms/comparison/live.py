"""Comparison mode inside the Lambda: each invocation's outputs against the legacy capture.

The legacy capture holds one line per booking per legacy invocation. Lines are aligned per
booking: the k-th time this execution environment produces outputs for a booking is compared
with the k-th legacy line (with outputs) of that booking, so a guide SMS sent on day 3 is
compared with the legacy's day-3 line, not with its day-1 confirm. A timing difference shows
up here as a discrepancy; the campaign's whole-capture comparison (`naver-sms replay`,
`naver-sms compare`) is the authoritative one for go/no-go.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import structlog

from naver_sms.app.capture import BookingCapture
from naver_sms.comparison.capture import BookingOutputs, CaptureError, iter_capture
from naver_sms.comparison.engine import UNKNOWN_STORE, ComparisonResult, compare_bookings
from naver_sms.comparison.telemetry import emit_comparison

log = structlog.get_logger("naver_sms.comparison")


class LegacyLines:
    """The legacy capture, per booking: one `BookingOutputs` per line that has outputs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: dict[str, list[BookingOutputs]] = {}
        for _, obj in iter_capture(path):
            outputs = BookingOutputs(obj["booking_id"])
            outputs.merge(obj)
            if outputs.sms or outputs.dynamodb or outputs.telegram:
                self.lines.setdefault(outputs.booking_id, []).append(outputs)
        self.seen: Counter[str] = Counter()

    def next_for(self, booking_id: str) -> BookingOutputs | None:
        k = self.seen[booking_id]
        self.seen[booking_id] += 1
        lines = self.lines.get(booking_id, [])
        return lines[k] if k < len(lines) else None


_legacy: dict[Path, LegacyLines] = {}


def result_of(
    pairs: Iterable[tuple[BookingOutputs | None, BookingOutputs | None]],
) -> ComparisonResult:
    """A `ComparisonResult` over in-memory (old, new) pairs, counted as the spec says."""
    result = ComparisonResult()
    for old, new in pairs:
        either = old or new
        if either is None:
            continue
        result.bookings_compared += 1
        store = (old.store_id if old else None) or (new.store_id if new else None)
        result.booking_stores[either.booking_id] = store
        for side, counter in (
            (old, result.sms_old_by_store_type),
            (new, result.sms_new_by_store_type),
        ):
            for entry in side.sms if side else ():
                counter[(store or UNKNOWN_STORE, entry["type"])] += 1
        if old:
            result.sms_sent_old += len(old.sms)
            result.dynamodb_writes_old += len(old.dynamodb)
            result.telegram_old += len(old.telegram)
        if new:
            result.sms_sent_new += len(new.sms)
            result.dynamodb_writes_new += len(new.dynamodb)
            result.telegram_new += len(new.telegram)
        records = compare_bookings(old, new)
        result.records.extend(records)
        if not records:
            result.bookings_matched += 1
    return result


def _as_outputs(capture: BookingCapture) -> BookingOutputs:
    outputs = BookingOutputs(capture.booking_id)
    outputs.merge(capture.to_json())
    return outputs


def compare_invocation(captured: list[BookingCapture], legacy_path: Path | None) -> dict[str, Any]:
    """Compare what this invocation produced, emit the comparison telemetry, summarise."""
    if legacy_path is None:
        log.warning("comparison_unavailable", reason="NAVER_SMS_LEGACY_CAPTURE is not set")
        return {"error": "NAVER_SMS_LEGACY_CAPTURE is not set"}
    legacy = _legacy.get(legacy_path)
    if legacy is None:
        try:
            legacy = _legacy[legacy_path] = LegacyLines(legacy_path)
        except (CaptureError, OSError) as exc:
            log.error("comparison_unavailable", reason=str(exc))
            return {"error": str(exc)}
    pairs = [
        (legacy.next_for(c.booking_id), _as_outputs(c))
        for c in captured
        if c.sms or c.dynamodb or c.telegram
    ]
    if not pairs:
        return {"bookings_compared": 0}
    result = result_of(pairs)
    emit_comparison(result, scope="invocation")
    report = result.to_report()
    report.pop("records")
    return report
