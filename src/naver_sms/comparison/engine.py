"""The comparison rules of the capture spec, booking by booking, and the streaming driver.

:func:`compare_bookings` is the rule book for one booking (identity keys, value equality,
discrepancy records). :func:`compare_captures` runs it over two capture files without holding
either in memory: bookings whose fingerprints agree are matched outright, the rest are read
back and compared in full, in bounded chunks.
"""

from __future__ import annotations

import json
import os
import secrets
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from naver_sms.comparison import worker
from naver_sms.comparison.capture import (
    BookingOutputs,
    CaptureIndex,
    InvalidLine,
    bookings_of,
    collect_bookings,
    index_capture,
)
from naver_sms.comparison.values import (
    JsonValue,
    canonical_json,
    common_prefix_length,
    differing_paths,
    json_equal,
    strip_metadata,
)

Channel = Literal["sms", "dynamodb", "telegram"]
Kind = Literal["missing_in_new", "extra_in_new", "mismatch"]
CHANNEL_ORDER: Final[tuple[Channel, ...]] = ("sms", "dynamodb", "telegram")
KINDS: Final[tuple[Kind, ...]] = ("missing_in_new", "extra_in_new", "mismatch")
TEXT_FIELD: Final[dict[str, str]] = {"sms": "content", "telegram": "text"}
UNKNOWN_STORE: Final = "unknown"
_CONTAINERS: Final = (dict, list)
_json_string: Callable[[str], str] = json.encoder.encode_basestring  # C; non-ASCII kept as is
DEFAULT_CHUNK: Final = 20_000
PARALLEL_MIN_BYTES: Final = 32 * 1024 * 1024  # below this a worker's start-up costs more
PARALLEL_MIN_FULL: Final = 2_000  # bookings compared in full before a worker shares them


class EmptyComparison(ValueError):
    """Both captures hold no booking at all: an empty campaign proves nothing."""


@dataclass(frozen=True)
class DiscrepancyRecord:
    """One identity key whose outputs differ; ``old``/``new`` are the compared values."""

    booking_id: str
    store_id: str | None
    channel: Channel
    key: str
    kind: Kind
    fields: tuple[str, ...] = ()
    first_diff_index: int | None = None
    old: dict[str, JsonValue] | None = field(default=None, compare=False, repr=False)
    new: dict[str, JsonValue] | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        """Exactly the record keys of the spec's report."""
        return {
            "booking_id": self.booking_id,
            "store_id": self.store_id,
            "channel": self.channel,
            "key": self.key,
            "kind": self.kind,
            "fields": list(self.fields),
            "first_diff_index": self.first_diff_index,
        }

    @property
    def text_field(self) -> str | None:
        """``content`` for SMS, ``text`` for Telegram, else ``None``."""
        return TEXT_FIELD.get(self.channel)

    def texts(self) -> tuple[str, str] | None:
        """Old and new ``content``/``text`` when both sides have it as a string."""
        name = self.text_field
        if name is None or self.old is None or self.new is None:
            return None
        old, new = self.old.get(name), self.new.get(name)
        if isinstance(old, str) and isinstance(new, str):
            return old, new
        return None


@dataclass
class ComparisonResult:
    """Everything a report, the telemetry and the HTML need; the spec's numbers are here."""

    bookings_compared: int = 0
    bookings_matched: int = 0
    invalid_lines: int = 0
    sms_sent_old: int = 0
    sms_sent_new: int = 0
    dynamodb_writes_old: int = 0
    dynamodb_writes_new: int = 0
    telegram_old: int = 0
    telegram_new: int = 0
    records: list[DiscrepancyRecord] = field(default_factory=list)
    # booking_id -> store (old side's first non-null store, else the new side's)
    booking_stores: dict[str, str | None] = field(default_factory=dict)
    # (store or "unknown", sms type) -> number of SMS on each side
    sms_old_by_store_type: Counter[tuple[str, str]] = field(default_factory=Counter)
    sms_new_by_store_type: Counter[tuple[str, str]] = field(default_factory=Counter)
    invalid: list[InvalidLine] = field(default_factory=list)

    @property
    def discrepancies(self) -> int:
        return len(self.records)

    @property
    def match_percentage(self) -> float:
        return percentage(self.bookings_matched, self.bookings_compared)

    def mismatched_bookings(self) -> set[str]:
        return {record.booking_id for record in self.records}

    def store_summary(self) -> dict[str, tuple[int, int]]:
        """store -> (bookings compared, bookings matched), stores sorted by name."""
        bad = self.mismatched_bookings()
        compared: Counter[str] = Counter()
        matched: Counter[str] = Counter()
        for booking_id, store in self.booking_stores.items():
            name = store or UNKNOWN_STORE
            compared[name] += 1
            if booking_id not in bad:
                matched[name] += 1
        return {name: (compared[name], matched[name]) for name in sorted(compared)}

    def day_summary(self, days: Mapping[str, str]) -> dict[str, tuple[int, int]]:
        """day -> (bookings compared, matched) given booking_id -> day (e.g. from a replay);
        compared bookings missing from ``days`` are grouped under ``"unknown"``."""
        bad = self.mismatched_bookings()
        compared: Counter[str] = Counter()
        matched: Counter[str] = Counter()
        for booking_id in self.booking_stores:
            day = days.get(booking_id, UNKNOWN_STORE)
            compared[day] += 1
            if booking_id not in bad:
                matched[day] += 1
        return {day: (compared[day], matched[day]) for day in sorted(compared)}

    def discrepancy_counts(self) -> Counter[tuple[str, str]]:
        """(channel, kind) -> number of records."""
        return Counter((record.channel, record.kind) for record in self.records)

    def to_report(self) -> dict[str, Any]:
        """The ``--json`` report: exactly the spec's keys, in the spec's order."""
        return {
            "bookings_compared": self.bookings_compared,
            "bookings_matched": self.bookings_matched,
            "match_percentage": self.match_percentage,
            "discrepancies": self.discrepancies,
            "invalid_lines": self.invalid_lines,
            "sms_sent_old": self.sms_sent_old,
            "sms_sent_new": self.sms_sent_new,
            "dynamodb_writes_old": self.dynamodb_writes_old,
            "dynamodb_writes_new": self.dynamodb_writes_new,
            "telegram_old": self.telegram_old,
            "telegram_new": self.telegram_new,
            "records": [record.to_json() for record in self.records],
        }


def percentage(part: int, whole: int) -> float:
    """100 x part / whole rounded to 2 decimals (0.0 for an empty whole)."""
    return round(100.0 * part / whole, 2) if whole else 0.0


# --- one booking -------------------------------------------------------------------------


def _compared(entry: dict[str, Any], identity_fields: tuple[str, ...]) -> dict[str, JsonValue]:
    return {
        k: (strip_metadata(v) if type(v) in _CONTAINERS else v)
        for k, v in entry.items()
        if k[:1] != "_" and k not in identity_fields
    }


def key_text(key: dict[str, Any]) -> str:
    """The DynamoDB key as canonical JSON; string/integer keys (the usual) without json.dumps."""
    items = [(k, v) for k, v in key.items() if k[:1] != "_"]
    if all(type(v) is str or type(v) is int for _, v in items):
        items.sort()
        return (
            "{"
            + ",".join(
                f"{_json_string(k)}:{_json_string(v) if type(v) is str else v}" for k, v in items
            )
            + "}"
        )
    return canonical_json(strip_metadata(key))


def identified_entries(
    channel: Channel, entries: Sequence[dict[str, Any]]
) -> list[tuple[str, dict[str, JsonValue]]]:
    """``(identity key text, compared value)`` per entry, in file order.

    sms: ``type#n``; telegram: ``chat_id#n`` (chat id as a string); dynamodb:
    ``table#<canonical key JSON>``, and, for the n-th repeat (n >= 1) of the same table and key
    on one side, ``table#<key>#n``: repeated writes pair up in order (docs/comparison.md).
    """
    seen: dict[str, int] = {}
    out: list[tuple[str, dict[str, JsonValue]]] = []
    for entry in entries:
        if channel == "sms":
            base = entry["type"]
            n = seen.get(base, 0)
            key = f"{base}#{n}"
            value = _compared(entry, ("type",))
        elif channel == "telegram":
            base = str(entry["chat_id"])
            n = seen.get(base, 0)
            key = f"{base}#{n}"
            value = _compared(entry, ("chat_id",))
        else:
            base = f"{entry['table']}#{key_text(entry['key'])}"
            n = seen.get(base, 0)
            key = base if n == 0 else f"{base}#{n}"
            value = _compared(entry, ("table", "key"))
        seen[base] = n + 1
        out.append((key, value))
    return out


def compare_bookings(
    old: BookingOutputs | None, new: BookingOutputs | None
) -> list[DiscrepancyRecord]:
    """The discrepancy records of one booking, channel by channel (sms, dynamodb, telegram).

    Within a channel, records follow the old side's order, then new-only keys in the new
    side's order.
    """
    either = old if old is not None else new
    if either is None:
        return []
    booking_id = either.booking_id
    store_id = old.store_id if old is not None and old.store_id is not None else None
    if store_id is None and new is not None:
        store_id = new.store_id
    records: list[DiscrepancyRecord] = []
    for channel in CHANNEL_ORDER:
        old_entries = dict(
            identified_entries(channel, getattr(old, channel) if old is not None else [])
        )
        new_entries = dict(
            identified_entries(channel, getattr(new, channel) if new is not None else [])
        )
        for key, old_value in old_entries.items():
            new_value = new_entries.get(key)
            if new_value is None:
                records.append(
                    DiscrepancyRecord(
                        booking_id, store_id, channel, key, "missing_in_new", old=old_value
                    )
                )
            elif not json_equal(old_value, new_value):
                records.append(_mismatch(booking_id, store_id, channel, key, old_value, new_value))
        for key, new_value in new_entries.items():
            if key not in old_entries:
                records.append(
                    DiscrepancyRecord(
                        booking_id, store_id, channel, key, "extra_in_new", new=new_value
                    )
                )
    return records


def _mismatch(
    booking_id: str,
    store_id: str | None,
    channel: Channel,
    key: str,
    old: dict[str, JsonValue],
    new: dict[str, JsonValue],
) -> DiscrepancyRecord:
    fields = tuple(differing_paths(old, new))
    index: int | None = None
    text_field = TEXT_FIELD.get(channel)
    if text_field is not None and text_field in fields:
        old_text, new_text = old.get(text_field), new.get(text_field)
        if isinstance(old_text, str) and isinstance(new_text, str):
            index = common_prefix_length(old_text, new_text)
    return DiscrepancyRecord(
        booking_id, store_id, channel, key, "mismatch", fields, index, old=old, new=new
    )


# --- whole captures ----------------------------------------------------------------------


def compare_captures(
    old_path: str | Path,
    new_path: str | Path,
    *,
    skip_invalid: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
    parallel: bool | None = None,
) -> ComparisonResult:
    """Compare two capture files (streamed); raises ``CaptureError`` or ``EmptyComparison``.

    ``parallel`` indexes the two files in two worker processes and shares a large full
    comparison with a third (default: when there are two CPUs and the files are large).
    """
    if parallel is None:
        parallel = use_parallel(old_path, new_path)
    old, new = index_pair(old_path, new_path, skip_invalid=skip_invalid, parallel=parallel)
    result = ComparisonResult(
        invalid_lines=len(old.invalid) + len(new.invalid),
        sms_sent_old=old.sms_total,
        sms_sent_new=new.sms_total,
        dynamodb_writes_old=old.dynamodb_total,
        dynamodb_writes_new=new.dynamodb_total,
        telegram_old=old.telegram_total,
        telegram_new=new.telegram_total,
        invalid=old.invalid + new.invalid,
    )
    full = _triage(old, new, result)
    result.bookings_compared = len(result.booking_stores)
    if not result.bookings_compared:
        raise EmptyComparison(f"no booking in {old_path} nor in {new_path}")
    # With many bookings to compare in full, a worker takes the first half meanwhile.
    split = len(full) // 2 if parallel and len(full) >= PARALLEL_MIN_FULL else 0
    helper = None
    if split:
        theirs = full[:split]
        helper = worker.start_full(
            old.path, new.path, bookings_of(old, theirs), bookings_of(new, theirs), theirs
        )
    try:
        mine, mine_matched = compare_in_full(old, new, full[split:], chunk_size)
        theirs_records, theirs_matched = worker.finish_full(helper) if helper else ([], 0)
    finally:
        if helper is not None:
            helper.stop()
    result.records = theirs_records + mine
    result.bookings_matched = result.bookings_compared - len(full) + theirs_matched + mine_matched
    return result


def compare_outputs(
    old: Mapping[str, BookingOutputs], new: Mapping[str, BookingOutputs]
) -> ComparisonResult:
    """Compare captures already merged in memory (an invocation's batch, tests).

    Same rules and same result as :func:`compare_captures` on the files they came from;
    raises ``EmptyComparison`` when both are empty.
    """
    ids = sorted(old.keys() | new.keys())
    if not ids:
        raise EmptyComparison("no booking on either side")
    result = ComparisonResult(bookings_compared=len(ids))
    for side, tally in ((old, result.sms_old_by_store_type), (new, result.sms_new_by_store_type)):
        for outputs in side.values():
            for entry in outputs.sms:
                tally[(outputs.store_id or UNKNOWN_STORE, entry["type"])] += 1
    result.sms_sent_old = sum(len(o.sms) for o in old.values())
    result.sms_sent_new = sum(len(o.sms) for o in new.values())
    result.dynamodb_writes_old = sum(len(o.dynamodb) for o in old.values())
    result.dynamodb_writes_new = sum(len(o.dynamodb) for o in new.values())
    result.telegram_old = sum(len(o.telegram) for o in old.values())
    result.telegram_new = sum(len(o.telegram) for o in new.values())
    matched = 0
    for booking_id in ids:
        o, n = old.get(booking_id), new.get(booking_id)
        store = o.store_id if o is not None else None
        result.booking_stores[booking_id] = store if store is not None or n is None else n.store_id
        records = compare_bookings(o, n)
        if records:
            result.records.extend(records)
        else:
            matched += 1
    result.bookings_matched = matched
    return result


def compare_in_full(
    old: CaptureIndex, new: CaptureIndex, ids: list[str], chunk_size: int = DEFAULT_CHUNK
) -> tuple[list[DiscrepancyRecord], int]:
    """Read back and compare the given bookings (sorted); (records, matched bookings)."""
    return compare_lines(
        old.path, new.path, bookings_of(old, ids), bookings_of(new, ids), ids, chunk_size
    )


def compare_lines(
    old_path: str | Path,
    new_path: str | Path,
    old_wanted: Mapping[int, str],
    new_wanted: Mapping[int, str],
    ids: Sequence[str],
    chunk_size: int = DEFAULT_CHUNK,
) -> tuple[list[DiscrepancyRecord], int]:
    """Compare the bookings ``ids`` from their lines (byte offset -> booking id per side).

    ``chunk_size`` bookings at a time are held in memory, whatever the number of ``ids``.
    """
    old_offsets = _offsets_by_booking(old_wanted)
    new_offsets = _offsets_by_booking(new_wanted)
    records: list[DiscrepancyRecord] = []
    matched = 0
    for chunk in _chunks(list(ids), chunk_size):
        old_full = collect_bookings(old_path, _wanted(old_offsets, chunk))
        new_full = collect_bookings(new_path, _wanted(new_offsets, chunk))
        for booking_id in chunk:
            found = compare_bookings(old_full.get(booking_id), new_full.get(booking_id))
            if found:
                records.extend(found)
            else:
                matched += 1
    return records, matched


def _offsets_by_booking(wanted: Mapping[int, str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for offset, booking_id in wanted.items():
        out.setdefault(booking_id, []).append(offset)
    return out


def _wanted(offsets: Mapping[str, list[int]], ids: Sequence[str]) -> dict[int, str]:
    return {offset: b for b in ids for offset in offsets.get(b, ())}


def use_parallel(old_path: str | Path, new_path: str | Path) -> bool:
    """Two CPUs and large files: the worker start-up (~0.1 s) is then worth it."""
    return _cpus() > 1 and _size(old_path) + _size(new_path) >= PARALLEL_MIN_BYTES


def index_pair(
    old_path: str | Path,
    new_path: str | Path,
    *,
    skip_invalid: bool = False,
    parallel: bool | None = None,
) -> tuple[CaptureIndex, CaptureIndex]:
    """Index both captures, the old one in a worker process when that pays off.

    Parsing dominates the cost and the two files are independent, so on two CPUs the wall
    time nearly halves. Errors are raised in file order (old first) either way.
    """
    if parallel is None:
        parallel = use_parallel(old_path, new_path)
    if not parallel:
        return (
            index_capture(old_path, skip_invalid=skip_invalid),
            index_capture(new_path, skip_invalid=skip_invalid),
        )
    # Both sides in children under one random hash seed (fingerprints must agree); the old
    # side's error, if any, is raised first, as in a sequential run.
    seed = secrets.randbelow(2**32 - 1) + 1
    processes = [
        worker.start(path, skip_invalid=skip_invalid, hash_seed=seed)
        for path in (old_path, new_path)
    ]
    try:
        old = worker.finish(processes[0])
        new = worker.finish(processes[1])
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return old, new


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _size(path: str | Path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _triage(old: CaptureIndex, new: CaptureIndex, result: ComparisonResult) -> list[str]:
    """Fill the per-store tallies; return the bookings that need a full comparison, sorted.

    This loop runs once per booking, so it does as little as it can: no sorted union of all
    ids (only the few bookings compared in full are sorted, which orders the records); the SMS
    tallies come ready from the indexes.
    """
    full: list[str] = []
    stores = result.booking_stores
    new_get = new.bookings.get
    for booking_id, o in old.bookings.items():
        n = new_get(booking_id)
        if n is None:
            stores[booking_id] = o[1]
            if o[3] or o[4]:
                full.append(booking_id)
        else:
            stores[booking_id] = o[1] if o[1] is not None else n[1]
            if o[0] is None or o[0] != n[0]:
                full.append(booking_id)
    old_bookings = old.bookings
    for booking_id, n in new.bookings.items():
        if booking_id not in old_bookings:
            stores[booking_id] = n[1]
            if n[3] or n[4]:
                full.append(booking_id)
    for source, target in (
        (old.sms_by_store_type, result.sms_old_by_store_type),
        (new.sms_by_store_type, result.sms_new_by_store_type),
    ):
        for (store, sms_type), count in source.items():
            target[(store or UNKNOWN_STORE, sms_type)] += count
    full.sort()
    return full


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start : start + size]
