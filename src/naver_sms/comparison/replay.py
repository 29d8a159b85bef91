"""`naver-sms replay`: the validation campaign.

Replays captured invocations through the new Lambda handler on the embedded local stack, in
comparison mode (forced dry run, nothing sent), in invocation-sized batches at the captured
times (so time-dependent rules replay exactly), then compares the new capture with the legacy
one and writes `report.json`, `report.html`, `VALIDATION.md`, the new capture and the
handler's logs. Everything is written to a private folder first and moved into place at the
end: Ctrl-C leaves no half-written report.

Input: JSON Lines, one captured invocation per line: `{"now": ISO-8601, "bookings": [...]}`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final, TextIO

from naver_sms.comparison.capture import CaptureError
from naver_sms.comparison.engine import ComparisonResult, EmptyComparison, compare_captures
from naver_sms.comparison.report import format_summary, report_json
from naver_sms.comparison.validation import CampaignFacts, render_validation, verdict

KST: Final = timezone(timedelta(hours=9))
DEFAULT_BATCH: Final = 100
EXIT_OK: Final = 0
EXIT_DISCREPANCIES: Final = 1
EXIT_INVALID: Final = 2
# The business identity a replay sends as, unless the environment says otherwise: the caller
# number and the owner's chat are compared character by character with the legacy capture,
# so they must be the production values, never the local stack's random ones.
REPLAY_IDENTITY: Final = {"SENS_CALLER_NUMBER": "0215881234", "TELEGRAM_CHAT_ID": "-1001987654321"}
OUTPUTS: Final = ("report.json", "report.html", "VALIDATION.md", "capture.jsonl", "logs.jsonl")
# The operations evidence (docs/campaign.md): written when the tools it needs are there.
EVIDENCE_OUTPUTS: Final = ("dashboard.html", "dashboard.png", "report.png")


class ReplayInputError(ValueError):
    """The captured invocations file is unusable; names `file:line` and the reason."""


@dataclass(frozen=True)
class Invocation:
    now: datetime
    bookings: list[Any]


def read_invocations(path: Path) -> list[Invocation]:
    invocations = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ReplayInputError(f"{path}: cannot read ({exc})") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReplayInputError(f"{where}: invalid JSON ({exc.msg})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("bookings"), list):
            raise ReplayInputError(f"{where}: expected an object with a 'bookings' list")
        raw_now = obj.get("now")
        try:
            now = datetime.fromisoformat(str(raw_now).replace("Z", "+00:00"))
        except ValueError:
            raise ReplayInputError(f"{where}: 'now' is not ISO-8601: {raw_now!r}") from None
        if now.tzinfo is None:
            raise ReplayInputError(f"{where}: 'now' needs a UTC offset")
        invocations.append(Invocation(now, obj["bookings"]))
    if not invocations:
        raise ReplayInputError(f"{path}: no invocation to replay")
    return invocations


def batches(invocations: list[Invocation], size: int) -> Iterator[Invocation]:
    """Invocation-sized batches: a captured invocation larger than `size` is split."""
    for inv in invocations:
        for start in range(0, max(len(inv.bookings), 1), size):
            yield Invocation(inv.now, inv.bookings[start : start + size])


class Progress:
    """One line on a terminal; silent when stderr is not a TTY or in CI."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.enabled = stream.isatty() and not os.environ.get("CI")
        self.started = time.monotonic()

    def update(self, done: int, label: str) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / max(self.total, 1))
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} "
            f"{label} {elapsed:5.1f}s"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")


def _booking_id(raw: Any) -> str | None:
    if isinstance(raw, dict):
        value = raw.get("booking_id") or raw.get("bookingId") or raw.get("id")
        return str(value) if value is not None else None
    return None


def run_batches(
    invocations: list[Invocation], batch_size: int, work: Path, legacy: Path, stderr: TextIO
) -> tuple[dict[str, str], int, int]:
    """Run the handler over every batch on a fresh local stack; returns the booking -> day
    map (KST day of first replay), the invocation count and the bookings replayed."""
    from naver_sms.devstack.lambda_context import LambdaContext  # noqa: PLC0415
    from naver_sms.devstack.stack import LocalStack  # noqa: PLC0415

    days: dict[str, str] = {}
    planned = list(batches(invocations, batch_size))
    progress = Progress(len(planned), stderr)
    replayed = 0
    for name, value in REPLAY_IDENTITY.items():
        os.environ.setdefault(name, value)
    # Without a collector configured: metrics as EMF on stdout, i.e. into logs.jsonl, where
    # the operations evidence finds the run's datapoints (as CloudWatch would in the log
    # group), and no span export to a collector that is not there.
    os.environ.setdefault("OTEL_METRICS_EXPORTER", "emf")
    os.environ.setdefault("OTEL_TRACES_EXPORTER", "none")
    with LocalStack(log_dir=work) as stack:
        stack.set_switch("comparison", True)
        os.environ.update(stack.env())
        os.environ.update(
            {
                "SMS_SENDING_ENABLED": "false",
                "CAPTURE_PATH": str(work / "capture.jsonl"),
                "NAVER_SMS_LEGACY_CAPTURE": str(legacy),
                "NAVER_SMS_COMPARISON": "on",
            }
        )
        os.environ.setdefault("AWS_LAMBDA_FUNCTION_NAME", "naver-sms")
        init_started = time.perf_counter()
        from naver_sms.app import handler  # noqa: PLC0415 - configured by the env above
        from naver_sms.clients import aws  # noqa: PLC0415
        from naver_sms.devstack.invoke import new_trace_header, platform_report  # noqa: PLC0415

        aws.client.cache_clear()
        handler.reset()
        init_ms: float | None = (time.perf_counter() - init_started) * 1000
        with (
            (work / "logs.jsonl").open("w", encoding="utf-8") as logs,
            contextlib.redirect_stdout(logs),
        ):
            for done, batch in enumerate(planned, 1):
                day = batch.now.astimezone(KST).date().isoformat()
                for raw in batch.bookings:
                    booking_id = _booking_id(raw)
                    if booking_id is not None:
                        days.setdefault(booking_id, day)
                replayed += len(batch.bookings)
                event = {"bookings": batch.bookings, "now": batch.now.isoformat()}
                trace_header, _ = new_trace_header()
                os.environ["_X_AMZN_TRACE_ID"] = trace_header
                context = LambdaContext(timeout_s=900)
                started = time.perf_counter()
                handler.lambda_handler(event, context)
                # The execution environment's own record, as Lambda writes it (JSON format).
                elapsed_ms = (time.perf_counter() - started) * 1000
                report = platform_report(
                    context.aws_request_id, elapsed_ms, "success", trace_header, init_ms
                )
                init_ms = None
                sys.stdout.write(json.dumps(report) + "\n")
                progress.update(done, batch.now.astimezone(KST).strftime("%m-%d %H:%M"))
        progress.close()
        handler.reset()
    return days, len(planned), replayed


def replay(
    args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out_stream = stdout or sys.stdout
    err = stderr or sys.stderr
    bookings_path, legacy, out = Path(args.bookings), Path(args.legacy), Path(args.out)
    started = datetime.now(UTC)
    try:
        invocations = read_invocations(bookings_path)
        if not legacy.is_file():
            raise ReplayInputError(f"{legacy}: legacy capture not found")
    except ReplayInputError as exc:
        err.write(f"naver-sms replay: {exc}\n")
        return EXIT_INVALID
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".replay-", dir=out))
    try:
        days, count, replayed = run_batches(
            invocations, args.batch_size, work, legacy.resolve(), err
        )
        new_capture = work / "capture.jsonl"
        new_capture.touch()
        try:
            result = compare_captures(legacy, new_capture, skip_invalid=args.skip_invalid)
        except (CaptureError, EmptyComparison) as exc:
            err.write(f"naver-sms replay: {exc}\n")
            return EXIT_INVALID
        first = min(i.now for i in invocations).astimezone(KST).date()
        last = max(i.now for i in invocations).astimezone(KST).date()
        facts = CampaignFacts(
            command=shlex.join(["naver-sms", *(getattr(args, "argv", None) or sys.argv[1:])]),
            inputs=(bookings_path, legacy),
            outputs=OUTPUTS,
            first_day=first,
            last_day=last,
            invocations=count,
            bookings_replayed=replayed,
            started_at=started.isoformat(timespec="seconds"),
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        _write_reports(result, facts, days, work)
        with (
            (work / "logs.jsonl").open("a", encoding="utf-8") as logs,
            contextlib.redirect_stdout(logs),
        ):
            _emit(result, first, last)
        if not getattr(args, "no_ops_evidence", False):
            write_evidence(work, facts.command, err)
        for name in OUTPUTS:
            os.replace(work / name, out / name)
        for name in EVIDENCE_OUTPUTS:
            if (work / name).exists():
                os.replace(work / name, out / name)
    except KeyboardInterrupt:
        err.write("\nnaver-sms replay: interrupted; no report written\n")
        return 130
    finally:
        shutil.rmtree(work, ignore_errors=True)
    decision, reasons = verdict(result, facts)
    out_stream.write(format_summary(result, shown=10))
    out_stream.write(
        f"\nwindow {first} .. {last} ({facts.days} day(s)), {count} invocations; "
        f"verdict {decision}" + (f": {'; '.join(reasons)}" if reasons else "") + "\n"
    )
    out_stream.write(f"reports: {out / 'report.html'}, {out / 'VALIDATION.md'}\n")
    return EXIT_DISCREPANCIES if args.fail_on_discrepancy and result.discrepancies else EXIT_OK


def _write_reports(
    result: ComparisonResult, facts: CampaignFacts, days: dict[str, str], work: Path
) -> None:
    from naver_sms.comparison.html import render_html  # noqa: PLC0415

    (work / "report.json").write_text(report_json(result), encoding="utf-8")
    (work / "report.html").write_text(
        render_html(
            result, days=days, title="naver-sms validation campaign", generated_at=facts.finished_at
        ),
        encoding="utf-8",
    )
    (work / "VALIDATION.md").write_text(render_validation(result, facts), encoding="utf-8")


def write_evidence(work: Path, command: str, stderr: TextIO) -> None:
    """The operations section of VALIDATION.md from this replay's own logs (and the EMF in
    them); a part that cannot be produced says why there, and the campaign still completes."""
    logs = work / "logs.jsonl"
    try:
        from naver_sms.ops.evidence import (  # noqa: PLC0415 - the ops extra, only here
            EvidenceInputs,
            write_operations_evidence,
        )

        write_operations_evidence(
            work / "VALIDATION.md",
            EvidenceInputs(out=work, logs=[logs], emf=[logs], produced_by=command),
        )
    except Exception as exc:  # the campaign's numbers stand without the ops evidence
        stderr.write(f"naver-sms replay: operations evidence not written: {exc}\n")


def _emit(result: ComparisonResult, first: date, last: date) -> None:
    """The campaign's comparison telemetry: summary + discrepancy logs and the metrics."""
    from naver_sms.comparison.telemetry import emit_comparison  # noqa: PLC0415
    from naver_sms.telemetry import flush  # noqa: PLC0415

    emit_comparison(result, scope="campaign", window=f"{first}..{last}")
    flush(2000)
