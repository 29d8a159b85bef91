"""Writing a comparison: the spec's JSON report and the human summary on the console.

Files are written atomically (temporary file + rename) so an interrupted run never leaves a
half-written report that looks complete.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Final

from naver_sms.comparison.engine import ComparisonResult, DiscrepancyRecord
from naver_sms.comparison.masking import excerpt, mask_text, masked_positions
from naver_sms.comparison.textdiff import char_segments, difference_hints, visible

DEFAULT_SHOWN: Final = 20


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; a report is meant to be shared
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def report_json(result: ComparisonResult) -> str:
    """The ``--json`` report text (spec keys only, UTF-8, one space indent)."""
    return json.dumps(result.to_report(), ensure_ascii=False, indent=1) + "\n"


def write_json_report(result: ComparisonResult, path: str | Path) -> None:
    write_text_atomic(path, report_json(result))


def masked_visible(text: str, start: int, end: int) -> str:
    """``visible()`` of ``text[start:end]`` with phone middles and names shown as ``*``."""
    hidden = masked_positions(text)
    return "".join(
        "*" if i in hidden else visible(text[i]) for i in range(start, min(end, len(text)))
    )


def describe_text_difference(record: DiscrepancyRecord, max_segments: int = 10) -> list[str]:
    """Console lines showing what differs in an SMS content / Telegram text (masked)."""
    texts = record.texts()
    if texts is None:
        return []
    old, new = texts
    lines = [f"    first difference at code point {record.first_diff_index}"]
    lines.extend(f"    hint: {hint}" for hint in difference_hints(old, new))
    for seg in char_segments(old, new, max_segments):
        old_part = masked_visible(old, seg.old_start, seg.old_end) or "∅"
        new_part = masked_visible(new, seg.new_start, seg.new_end) or "∅"
        lines.append(
            f"    {seg.op:<7} old[{seg.old_start}:{seg.old_end}] «{old_part}»"
            f" -> new[{seg.new_start}:{seg.new_end}] «{new_part}»"
        )
    index = record.first_diff_index or 0
    lines.append(f"    old: {visible(excerpt(old, index))}")
    lines.append(f"    new: {visible(excerpt(new, index))}")
    return lines


def format_summary(result: ComparisonResult, shown: int = DEFAULT_SHOWN) -> str:
    """The human-readable summary ``naver-sms compare`` prints (personal data masked)."""
    out = [
        f"bookings compared  {result.bookings_compared}",
        f"bookings matched   {result.bookings_matched} ({result.match_percentage:.2f}%)",
        f"discrepancies      {result.discrepancies}",
        f"invalid lines      {result.invalid_lines}",
        f"sms sent           old {result.sms_sent_old}  new {result.sms_sent_new}",
        f"dynamodb writes    old {result.dynamodb_writes_old}  new {result.dynamodb_writes_new}",
        f"telegram           old {result.telegram_old}  new {result.telegram_new}",
    ]
    counts = result.discrepancy_counts()
    if counts:
        out.append(
            "by channel/kind     "
            + ", ".join(
                f"{channel}/{kind} {count}" for (channel, kind), count in sorted(counts.items())
            )
        )
    for record in result.records[:shown]:
        fields = ",".join(record.fields) or "-"
        out.append(
            f"- {record.booking_id} [{record.store_id or '-'}] {record.channel} "
            f"{mask_text(record.key)} {record.kind} fields={fields}"
        )
        out.extend(describe_text_difference(record))
    if len(result.records) > shown:
        out.append(f"... and {len(result.records) - shown} more records (see the JSON report)")
    return "\n".join(out) + "\n"
