"""`VALIDATION.md`: the evidence section of the go/no-go review, written by a replay.

Everything an auditor needs to re-run the campaign and get the same numbers: the commands,
versions, input checksums, the window covered, the numbers and every discrepancy.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from naver_sms import __version__
from naver_sms.comparison.engine import ComparisonResult
from naver_sms.comparison.masking import mask_text

REQUIRED_DAYS = 7


@dataclass(frozen=True)
class CampaignFacts:
    command: str
    inputs: tuple[Path, ...]
    outputs: tuple[str, ...]
    first_day: date
    last_day: date
    invocations: int
    bookings_replayed: int
    started_at: str
    finished_at: str

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verdict(result: ComparisonResult, facts: CampaignFacts) -> tuple[str, list[str]]:
    """GO only with 100% match, zero discrepancies, no invalid line and a 7-day window."""
    reasons = []
    if result.discrepancies:
        reasons.append(f"{result.discrepancies} discrepancies (must be 0)")
    if result.match_percentage < 100.0:
        reasons.append(f"match percentage {result.match_percentage:.2f}% (must be 100%)")
    if result.invalid_lines:
        reasons.append(f"{result.invalid_lines} invalid capture lines (must be 0)")
    if facts.days < REQUIRED_DAYS:
        reasons.append(f"window covers {facts.days} day(s) (must be {REQUIRED_DAYS})")
    return ("GO" if not reasons else "NO-GO"), reasons


def _versions() -> list[str]:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    names = ["boto3", "structlog", "opentelemetry-sdk", "moto"]
    lines = [f"naver-sms {__version__}", f"Python {sys.version.split()[0]} ({platform.platform()})"]
    for name in names:
        try:
            lines.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            lines.append(f"{name} (not installed)")
    return lines


def render_validation(result: ComparisonResult, facts: CampaignFacts) -> str:
    decision, reasons = verdict(result, facts)
    out = [
        "# Validation evidence: new naver-sms Lambda against the legacy Lambda",
        "",
        f"**Verdict: {decision}**" + ("" if not reasons else " — " + "; ".join(reasons) + "."),
        "",
        "## What was run",
        "",
        "```sh",
        facts.command,
        "```",
        "",
        f"- started {facts.started_at}, finished {facts.finished_at}",
        f"- {facts.invocations} handler invocations (dry run, comparison mode: no SMS sent), "
        f"{facts.bookings_replayed} bookings replayed",
        "- on the embedded local stack (moto server for DynamoDB/SSM, local SENS and Telegram)",
        "",
        "Versions:",
        "",
        *[f"- {line}" for line in _versions()],
        "",
        "Inputs (sha256):",
        "",
        "| file | sha256 | bytes |",
        "|---|---|---|",
        *[f"| `{p}` | `{sha256(p)}` | {p.stat().st_size:,} |" for p in facts.inputs],
        "",
        "Outputs: " + ", ".join(f"`{o}`" for o in facts.outputs) + ".",
        "",
        "To re-run and check: run the same command on the same inputs (checksums above), then "
        "`naver-sms compare LEGACY new-capture.jsonl --json again.json` must give the same "
        "numbers as `report.json`.",
        "",
        "## Window",
        "",
        f"{facts.first_day.isoformat()} to {facts.last_day.isoformat()} (KST): "
        f"{facts.days} day(s); the go/no-go gate needs {REQUIRED_DAYS}.",
        "",
        "## Numbers",
        "",
        "| measure | legacy (old) | new |",
        "|---|---|---|",
        f"| SMS | {result.sms_sent_old} | {result.sms_sent_new} |",
        f"| DynamoDB writes | {result.dynamodb_writes_old} | {result.dynamodb_writes_new} |",
        f"| Telegram messages | {result.telegram_old} | {result.telegram_new} |",
        "",
        f"- bookings compared: {result.bookings_compared}",
        f"- bookings matched: {result.bookings_matched}",
        f"- match percentage: {result.match_percentage:.2f}%",
        f"- discrepancies: {result.discrepancies}",
        f"- invalid capture lines: {result.invalid_lines}",
        "",
        "## Discrepancies",
        "",
    ]
    if not result.records:
        out.append("None.")
    else:
        out += [
            "| booking | store | channel | key | kind | fields | first diff |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in result.records:
            fields = ", ".join(r.fields) or "—"
            index = "—" if r.first_diff_index is None else str(r.first_diff_index)
            key = mask_text(r.key).replace("|", "\\|")
            out.append(
                f"| {r.booking_id} | {r.store_id or '—'} | {r.channel} | `{key}` | "
                f"{r.kind} | {fields} | {index} |"
            )
    out.append("")
    return "\n".join(out)
