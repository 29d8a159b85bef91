"""Comparison telemetry: the ``comparison_summary`` and ``comparison_discrepancy`` log lines and
the ``naver-sms/comparison`` metrics, emitted from a :class:`ComparisonResult`.

Logging goes through ``structlog.get_logger("naver_sms.comparison")`` and metrics through
:func:`naver_sms.telemetry.instruments.record` with the catalogue's ``COMPARISON_*`` specs;
configuring either is the caller's business. Like all telemetry, emission never raises into
the comparison: a failure is swallowed after the results are already on disk.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any, Final

import structlog

from naver_sms.comparison.engine import (
    CHANNEL_ORDER,
    KINDS,
    UNKNOWN_STORE,
    ComparisonResult,
    DiscrepancyRecord,
    percentage,
)
from naver_sms.comparison.masking import excerpt, mask_text
from naver_sms.telemetry import catalog
from naver_sms.telemetry.instruments import record

LOGGER_NAME: Final = "naver_sms.comparison"
SUMMARY_EVENT: Final = "comparison_summary"
DISCREPANCY_EVENT: Final = "comparison_discrepancy"
OTHER_SMS_TYPE: Final = "other"


def _by_type(counts: Counter[tuple[str, str]]) -> dict[str, int]:
    out: Counter[str] = Counter()
    for (_, sms_type), count in counts.items():
        out[sms_type] += count
    return dict(sorted(out.items()))


def summary_fields(result: ComparisonResult) -> dict[str, Any]:
    """The fields of the ``comparison_summary`` line (documented in the telemetry catalog)."""
    return {
        "bookings_compared": result.bookings_compared,
        "bookings_matched": result.bookings_matched,
        "match_percentage": result.match_percentage,
        "discrepancies": result.discrepancies,
        "invalid_lines": result.invalid_lines,
        "sms_sent_old": result.sms_sent_old,
        "sms_sent_new": result.sms_sent_new,
        "sms_sent_old_by_type": _by_type(result.sms_old_by_store_type),
        "sms_sent_new_by_type": _by_type(result.sms_new_by_store_type),
        "dynamodb_writes_old": result.dynamodb_writes_old,
        "dynamodb_writes_new": result.dynamodb_writes_new,
        "telegram_old": result.telegram_old,
        "telegram_new": result.telegram_new,
        "discrepancies_by_kind": {
            f"{channel}.{kind}": count
            for (channel, kind), count in sorted(result.discrepancy_counts().items())
        },
    }


def discrepancy_fields(record: DiscrepancyRecord) -> dict[str, Any]:
    """The fields of one ``comparison_discrepancy`` line; text excerpts are masked."""
    fields: dict[str, Any] = {
        "booking_id": record.booking_id,
        "store_id": record.store_id,
        "channel": record.channel,
        # not "key": the log redaction treats any field named like *key* as a secret
        "identity": mask_text(record.key),
        "kind": record.kind,
        "fields": list(record.fields),
        "first_diff_index": record.first_diff_index,
    }
    texts = record.texts()
    if texts is not None and record.first_diff_index is not None:
        fields["old_excerpt"] = excerpt(texts[0], record.first_diff_index)
        fields["new_excerpt"] = excerpt(texts[1], record.first_diff_index)
    return fields


def _sms_type(value: str) -> str:
    # sms_type is a closed, low-cardinality dimension: unknown types are folded together.
    allowed = catalog.LOW_CARDINALITY_ATTRIBUTES["sms_type"]
    return value if allowed is None or value in allowed else OTHER_SMS_TYPE


def record_metrics(result: ComparisonResult) -> None:
    """``sms_sent_old/new`` per (type, store), ``match_percentage`` per store and ``all``,
    ``discrepancies`` per (channel, kind), zeros included so dashboards show a flat line."""
    for spec, counts in (
        (catalog.COMPARISON_SMS_SENT_OLD, result.sms_old_by_store_type),
        (catalog.COMPARISON_SMS_SENT_NEW, result.sms_new_by_store_type),
    ):
        folded: Counter[tuple[str, str]] = Counter()
        for (store, sms_type), count in counts.items():
            folded[(store or UNKNOWN_STORE, _sms_type(sms_type))] += count
        for (store, sms_type), count in sorted(folded.items()):
            record(spec, count, sms_type=sms_type, store_id=store)
    for store, (compared, matched) in result.store_summary().items():
        record(catalog.COMPARISON_MATCH_PERCENTAGE, percentage(matched, compared), store_id=store)
    record(
        catalog.COMPARISON_MATCH_PERCENTAGE, result.match_percentage, store_id=catalog.ALL_STORES
    )
    counts = result.discrepancy_counts()
    for channel in CHANNEL_ORDER:
        for kind in KINDS:
            record(
                catalog.COMPARISON_DISCREPANCIES,
                counts.get((channel, kind), 0),
                channel=channel,
                kind=kind,
            )


def emit_comparison(result: ComparisonResult, **context: Any) -> None:
    """Log the summary and every discrepancy, and record the metrics; never raises.

    ``context`` (e.g. ``source="replay"``, ``window="2026-11-20..2026-11-26"``) is bound onto
    every line.
    """
    log = structlog.get_logger(LOGGER_NAME).bind(**context)
    # Telemetry never breaks the comparison: its results are already on disk or returned.
    with contextlib.suppress(Exception):
        log.info(SUMMARY_EVENT, **summary_fields(result))
        for item in result.records:
            log.warning(DISCREPANCY_EVENT, **discrepancy_fields(item))
    with contextlib.suppress(Exception):
        record_metrics(result)
