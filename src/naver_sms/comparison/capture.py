"""Reading capture files (JSON Lines): validation, per-booking merge, and a compact index.

Two ways in:

* :func:`load_capture` merges a whole file into :class:`BookingOutputs` (small files, tests).
* :func:`index_capture` streams a file once and keeps per booking only a fingerprint of the
  line with its metadata members removed, the store, the line offsets and the SMS types.
  The engine compares fingerprints and reads back (:func:`collect_bookings`) only the lines
  of bookings that need a full comparison, so week-long captures fit in memory.

Line numbers are 1-based physical lines (``\\n``-terminated), blank lines included.
"""

from __future__ import annotations

import gc
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from json.decoder import JSONDecoder
from pathlib import Path
from typing import Any, BinaryIO, Final

from naver_sms.comparison.values import JsonValue

_JSON_WS: Final = " \t\r\n"


class CaptureError(ValueError):
    """An invalid capture line, named as ``file:line: reason``."""

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path}:{line}: {reason}")

    def __reduce__(self) -> tuple[type[CaptureError], tuple[str, int, str]]:
        # Crosses process boundaries when both captures are indexed in parallel.
        return (CaptureError, (self.path, self.line, self.reason))


@dataclass(frozen=True)
class InvalidLine:
    """A line skipped under ``--skip-invalid``."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class BookingOutputs:
    """Everything one side produced for one booking, lines merged in file order."""

    booking_id: str
    store_id: str | None = None
    sms: list[dict[str, Any]] = field(default_factory=list)
    dynamodb: list[dict[str, Any]] = field(default_factory=list)
    telegram: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, line: Mapping[str, Any]) -> None:
        """Append one validated line: arrays concatenate, ``store_id`` is the first non-null."""
        if self.store_id is None:
            self.store_id = line.get("store_id")
        self.sms.extend(line.get("sms") or ())
        self.dynamodb.extend(line.get("dynamodb") or ())
        self.telegram.extend(line.get("telegram") or ())


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


_DECODER: Final = JSONDecoder(parse_constant=_reject_constant)
# The C scanner behind json.loads, called directly: it skips the two whitespace regex passes
# json.loads adds per call (about 10% of parsing a one-kilobyte line).
_SCAN_ONCE: Final[Callable[[str, int], tuple[Any, int]]] = _DECODER.scan_once  # type: ignore[attr-defined]


def _json_reason(text: str) -> str:
    """The decoder's own message, with the column in the physical line."""
    try:
        json.loads(text.rstrip("\r\n"), parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg} at column {exc.colno})"
    except ValueError as exc:
        return f"not valid JSON ({exc})"
    return "not valid JSON"  # pragma: no cover - only reached if the fast scanner disagrees


def parse_line(text: str) -> Any:
    """Decode one line's JSON text; raise ``ValueError(reason)`` when it is not one JSON value."""
    try:
        value, end = _SCAN_ONCE(text, 0)
    except (StopIteration, ValueError, RecursionError):
        raise ValueError(_json_reason(text)) from None
    if end != len(text):
        raise ValueError(_json_reason(text))
    return value


def validate_line(obj: Any) -> str | tuple[str, ...]:
    """The reason a decoded line is invalid, or the SMS types it carries (in order).

    Written for the common case (a well-formed line costs a handful of type checks); the
    precise reason is worked out only once something is wrong.
    """
    if type(obj) is not dict:
        return "not a JSON object"
    booking_id = obj.get("booking_id")
    if type(booking_id) is not str or not booking_id:
        return (
            "missing booking_id" if booking_id is None else "booking_id must be a non-empty string"
        )
    store_id = obj.get("store_id")
    if store_id is not None and type(store_id) is not str:
        return "store_id must be a string or null"
    sms = obj.get("sms")
    types: tuple[str, ...] = ()
    if sms is None:
        if "sms" in obj:
            return "sms must be an array"  # optional means absent, not null
    else:
        if type(sms) is not list:
            return "sms must be an array"
        try:
            types = tuple([entry["type"] for entry in sms])
        except (TypeError, KeyError):
            return _entry_reason("sms", sms)
        for kind in types:
            if type(kind) is not str:
                return _entry_reason("sms", sms)
    writes = obj.get("dynamodb")
    if writes is None:
        if "dynamodb" in obj:
            return "dynamodb must be an array"
    else:
        if type(writes) is not list:
            return "dynamodb must be an array"
        for entry in writes:
            if (
                type(entry) is not dict
                or type(entry.get("table")) is not str
                or type(entry.get("key")) is not dict
            ):
                return _entry_reason("dynamodb", writes)
    notes = obj.get("telegram")
    if notes is None:
        if "telegram" in obj:
            return "telegram must be an array"
    else:
        if type(notes) is not list:
            return "telegram must be an array"
        for entry in notes:
            if type(entry) is not dict or type(entry.get("chat_id")) not in (str, int):
                return _entry_reason("telegram", notes)
    return types


def _entry_reason(channel: str, entries: list[Any]) -> str:
    """The precise reason for the first bad entry of a channel (slow path, errors only)."""
    for i, entry in enumerate(entries):
        where = f"{channel}[{i}]"
        if type(entry) is not dict:
            return f"{where} must be an object"
        if channel == "sms" and type(entry.get("type")) is not str:
            return f"{where}.type must be a string"
        if channel == "dynamodb":
            if type(entry.get("table")) is not str:
                return f"{where}.table must be a string"
            if type(entry.get("key")) is not dict:
                return f"{where}.key must be an object"
        if channel == "telegram" and type(entry.get("chat_id")) not in (str, int):
            return f"{where}.chat_id must be a string or an integer"
    return f"{channel} has an invalid entry"  # pragma: no cover - callers found one


def iter_lines(path: str | Path) -> Iterator[tuple[int, int, str | None]]:
    """``(line number, byte offset, text)`` per physical line; text is ``None`` if not UTF-8.

    Binary reading with a decode per line is as fast as text mode here, names the exact line
    of a bad byte, and gives the offsets that let :func:`collect_bookings` seek.
    """
    offset = 0
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            start = offset
            offset += len(raw)
            try:
                yield number, start, raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, start, None


def iter_capture(
    path: str | Path, *, skip_invalid: bool = False, invalid: list[InvalidLine] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Validated ``(line number, object)`` pairs; invalid lines raise or are recorded."""
    for number, _, text in iter_lines(path):
        if text is None:
            reason = "not valid UTF-8"
        else:
            stripped = text.strip(_JSON_WS)
            if not stripped:
                continue
            try:
                obj = parse_line(stripped)
            except ValueError:
                reason = _json_reason(text)  # columns of the physical line
            else:
                verdict = validate_line(obj)
                if not isinstance(verdict, str):
                    yield number, obj
                    continue
                reason = verdict
        _invalid(path, number, reason, skip_invalid, invalid)


def _invalid(
    path: str | Path, number: int, reason: str, skip: bool, sink: list[InvalidLine] | None
) -> None:
    if not skip:
        raise CaptureError(path, number, reason)
    if sink is not None:
        sink.append(InvalidLine(str(path), number, reason))


def load_capture(
    path: str | Path, *, skip_invalid: bool = False, invalid: list[InvalidLine] | None = None
) -> dict[str, BookingOutputs]:
    """Merge a whole capture into memory: ``booking_id -> BookingOutputs`` in first-seen order."""
    merged: dict[str, BookingOutputs] = {}
    for _, obj in iter_capture(path, skip_invalid=skip_invalid, invalid=invalid):
        booking_id = obj["booking_id"]
        outputs = merged.get(booking_id)
        if outputs is None:
            outputs = merged[booking_id] = BookingOutputs(booking_id)
        outputs.merge(obj)
    return merged


# --- compact index -----------------------------------------------------------------------

# Fast path: a metadata member `, "_key": value` (value a scalar or a flat object/array, its
# strings without escapes) is cut out of the raw line text, leading comma included, and the
# rest hashed. This is exact (docs/comparison.md, "Fingerprints"): a `"` right after a comma
# (and blanks) is never an escaped quote and never closes a string (a string is not followed
# by `_`), so it opens a string, and that string followed by `:` is an object key; the comma
# before it is structural; an escape-free string ends at its next quote; the value patterns
# are JSON's own grammar. What the patterns cannot cut (first member of an object, nested
# values, escapes) stays in the text: the fingerprints then differ and the booking is compared
# in full, never wrongly.
_PLAIN_STRING: Final = r'"[^"\\\x00-\x1f]*"'
# Never across a line: no pattern matches a newline, so a whole block of lines can be cut in
# one call and still split into the same lines (`[ \t\r]` is JSON's whitespace minus `\n`).
_FLAT_BODY: Final = r'(?:[^{}\[\]"\\\n]|' + _PLAIN_STRING + r")*"
_META_VALUE: Final = (
    r"(?:"
    + _PLAIN_STRING
    + r"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null"
    + r"|\{"
    + _FLAT_BODY
    + r"\}|\["
    + _FLAT_BODY
    + r"\])"
)
_META_KEY: Final = r'"_[^"\\\x00-\x1f]*"[ \t\r]*:[ \t\r]*'
# `, "_` is a literal prefix the regex engine searches fast (json.dumps' default separators);
# the general pattern runs only when a `"_` is left after it. The patterns run on the UTF-8
# bytes of the line: 40% cheaper than on str, and equivalent, because the bytes of a
# multi-byte UTF-8 character are never ASCII (never a quote, backslash, comma or control).
_META_MEMBER_DEFAULT: Final = re.compile((", " + _META_KEY + _META_VALUE).encode())
_META_MEMBER: Final = re.compile((r",[ \t\r]*" + _META_KEY + _META_VALUE).encode())


def metadata_free(line: bytes) -> bytes:
    """The line's JSON text with the metadata members the fast path can cut, cut out."""
    text = _META_MEMBER_DEFAULT.sub(b"", line)
    if b'"_' in text:
        text = _META_MEMBER.sub(b"", text)
    return text


def metadata_free_text(line: str) -> str:
    """:func:`metadata_free` for text."""
    return metadata_free(line.encode("utf-8")).decode("utf-8")


# Index entry per booking: (fingerprint or None, store_id, byte offset(s) of its line(s),
# sms types, others)
# `others` = number of DynamoDB + Telegram entries. A tuple keeps the per-booking cost at
# about a hundred bytes, which is what lets 200,000-booking captures stay far below 600 MB.
IndexEntry = tuple[int | None, str | None, int | tuple[int, ...], tuple[str, ...], int]


@dataclass
class CaptureIndex:
    """One side of a comparison, streamed: per-booking fingerprints plus the totals."""

    path: str
    bookings: dict[str, IndexEntry] = field(default_factory=dict)
    sms_total: int = 0
    dynamodb_total: int = 0
    telegram_total: int = 0
    # (booking's store, sms type) -> SMS entries; store None when no line named one
    sms_by_store_type: Counter[tuple[str | None, str]] = field(default_factory=Counter)
    invalid: list[InvalidLine] = field(default_factory=list)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Parsed JSON and index tuples never form cycles, but the collector would still walk the
    ever-growing index on every generation-2 pass; reference counting frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def index_capture(path: str | Path, *, skip_invalid: bool = False) -> CaptureIndex:
    """Stream one capture into a :class:`CaptureIndex` (one parse per line, nothing kept)."""
    with gc_paused():
        return _index_capture(path, skip_invalid)


def _index_capture(path: str | Path, skip_invalid: bool) -> CaptureIndex:
    index = CaptureIndex(str(path))
    with open(path, "rb") as handle:
        _index_lines(_line_blocks(handle), path, skip_invalid, index)
    # Per (store, type) SMS counts, done here so that parallel indexing parallelises it too.
    by_types: Counter[tuple[str | None, tuple[str, ...]]] = Counter(
        (entry[1], entry[3]) for entry in index.bookings.values() if entry[3]
    )
    for (store, types_of_booking), count in by_types.items():
        for sms_type in types_of_booking:
            index.sms_by_store_type[(store, sms_type)] += count
    return index


BLOCK_BYTES: Final = 1 << 20


def _line_blocks(handle: BinaryIO) -> Iterator[tuple[list[bytes], list[bytes]]]:
    """Blocks of whole lines (without their ``\n``) and the same lines with metadata cut.

    The cut runs once per megabyte rather than once per line: the same regular expressions,
    but without a call per line and without alternating with the JSON parser in the CPU
    caches, which halves their cost. No pattern matches a newline, so the cut block splits
    into exactly the same lines.
    """
    carry = b""
    cut_default = _META_MEMBER_DEFAULT.sub
    cut_any = _META_MEMBER.sub
    while True:
        chunk = handle.read(BLOCK_BYTES)
        if not chunk:
            if carry:
                yield [carry], [metadata_free(carry)]
            return
        data = carry + chunk if carry else chunk
        end = data.rfind(b"\n")
        if end < 0:
            carry = data
            continue
        carry = data[end + 1 :]
        block = data[:end]
        cut = cut_default(b"", block)
        if b'"_' in cut:
            cut = cut_any(b"", cut)
        lines = block.split(b"\n")
        cuts = cut.split(b"\n")
        if len(cuts) != len(lines):  # pragma: no cover - the patterns never match a newline
            cuts = [metadata_free(line) for line in lines]
        yield lines, cuts


def _index_lines(
    blocks: Iterable[tuple[list[bytes], list[bytes]]],
    path: str | Path,
    skip_invalid: bool,
    index: CaptureIndex,
) -> None:
    """The hot loop: one parse, validation and fingerprint per line, locals only."""
    bookings = index.bookings
    scan = _SCAN_ONCE
    intern = sys.intern
    type_tuples: dict[tuple[str, ...], tuple[str, ...]] = {}
    sms_total = dynamodb_total = telegram_total = 0
    offset = next_offset = 0
    number = 0
    for lines, cuts in blocks:
        for raw, cut in zip(lines, cuts, strict=True):
            number += 1
            offset = next_offset
            next_offset += len(raw) + 1  # the newline split off
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                _invalid(path, number, "not valid UTF-8", skip_invalid, index.invalid)
                continue
            try:
                # Scanned in place: a line rarely has leading blanks, and what follows the
                # value is checked instead of copying the line to strip it.
                obj, end = scan(text, 0)
                if end != len(text) and text[end:].strip(_JSON_WS):
                    raise ValueError
            except StopIteration:
                line = text.strip(_JSON_WS)
                if not line:
                    continue  # blank line
                try:
                    obj = parse_line(line)
                except ValueError:
                    _invalid(path, number, _json_reason(text), skip_invalid, index.invalid)
                    continue
            except (ValueError, RecursionError):
                _invalid(path, number, _json_reason(text), skip_invalid, index.invalid)
                continue
            verdict = validate_line(obj)
            if type(verdict) is str:
                _invalid(path, number, verdict, skip_invalid, index.invalid)
                continue
            types = type_tuples.setdefault(verdict, verdict)  # type: ignore[arg-type]
            writes = obj.get("dynamodb")
            notes = obj.get("telegram")
            n_writes = len(writes) if writes else 0
            n_notes = len(notes) if notes else 0
            sms_total += len(types)
            dynamodb_total += n_writes
            telegram_total += n_notes
            store_id = obj.get("store_id")
            if store_id is not None:
                store_id = intern(store_id)
            booking_id = obj["booking_id"]
            previous = bookings.get(booking_id)
            if previous is None:
                bookings[booking_id] = (hash(cut), store_id, offset, types, n_writes + n_notes)
            else:
                # A booking over several lines: merged semantics, so always a full comparison.
                _, first_store, offsets, old_types, old_others = previous
                merged = (offsets if isinstance(offsets, tuple) else (offsets,)) + (offset,)
                bookings[booking_id] = (
                    None,
                    first_store if first_store is not None else store_id,
                    merged,
                    old_types + types,
                    old_others + n_writes + n_notes,
                )
    index.sms_total = sms_total
    index.dynamodb_total = dynamodb_total
    index.telegram_total = telegram_total


def entry_offsets(entry: IndexEntry) -> tuple[int, ...]:
    """Byte offsets of the lines of one indexed booking, in file order."""
    offsets = entry[2]
    return offsets if isinstance(offsets, tuple) else (offsets,)


def collect_bookings(path: str | Path, wanted: Mapping[int, str]) -> dict[str, BookingOutputs]:
    """Re-read only the ``wanted`` lines (byte offset -> booking id) and merge them.

    The lines were validated by the index pass, so they are parsed as they are; offsets are
    visited in file order, which keeps each booking's lines in file order too.
    """
    merged: dict[str, BookingOutputs] = {}
    if not wanted:
        return merged
    # seek + readline rather than mmap: mapped pages of a 200 MB file would count in this
    # process's resident memory.
    with open(path, "rb") as handle:
        for offset in sorted(wanted):
            handle.seek(offset)
            raw = handle.readline()
            booking_id = wanted[offset]
            obj: Mapping[str, JsonValue] = parse_line(raw.decode("utf-8").strip(_JSON_WS))
            outputs = merged.get(booking_id)
            if outputs is None:
                outputs = merged[booking_id] = BookingOutputs(booking_id)
            outputs.merge(obj)
    return merged


def bookings_of(index: CaptureIndex, ids: Iterable[str]) -> dict[int, str]:
    """Byte offset -> booking id for the lines of the given bookings of one side."""
    wanted: dict[int, str] = {}
    for booking_id in ids:
        entry = index.bookings.get(booking_id)
        if entry is not None:
            for offset in entry_offsets(entry):
                wanted[offset] = booking_id
    return wanted
