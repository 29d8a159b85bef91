"""``naver-sms compare``: run a comparison, print the summary, write the reports, exit code."""

from __future__ import annotations

import argparse
import sys
from typing import Final, TextIO

from naver_sms.comparison.capture import CaptureError
from naver_sms.comparison.engine import ComparisonResult, EmptyComparison, compare_captures
from naver_sms.comparison.report import format_summary, write_json_report, write_text_atomic

EXIT_OK: Final = 0
EXIT_DISCREPANCIES: Final = 1
EXIT_INVALID: Final = 2
MAX_INVALID_SHOWN: Final = 20


def exit_code(result: ComparisonResult, *, fail_on_discrepancy: bool) -> int:
    """0 when the comparison ran; 1 only if asked to fail and there are discrepancies."""
    return EXIT_DISCREPANCIES if fail_on_discrepancy and result.discrepancies else EXIT_OK


def run_compare(
    args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        result = compare_captures(
            args.old,
            args.new,
            skip_invalid=args.skip_invalid,
            parallel=False if args.sequential else None,
        )
    except CaptureError as exc:
        err.write(f"naver-sms compare: invalid capture: {exc}\n")
        return EXIT_INVALID
    except EmptyComparison as exc:
        err.write(f"naver-sms compare: nothing to compare: {exc}\n")
        return EXIT_INVALID
    except OSError as exc:
        err.write(f"naver-sms compare: cannot read capture: {exc}\n")
        return EXIT_INVALID
    for invalid in result.invalid[:MAX_INVALID_SHOWN]:
        err.write(f"naver-sms compare: skipped {invalid}\n")
    if len(result.invalid) > MAX_INVALID_SHOWN:
        err.write(
            f"naver-sms compare: ... {len(result.invalid) - MAX_INVALID_SHOWN} more skipped\n"
        )
    if args.json:
        write_json_report(result, args.json)
    if args.html:
        from naver_sms.comparison.html import render_html  # noqa: PLC0415 - only when asked

        write_text_atomic(args.html, render_html(result))
    out.write(format_summary(result, shown=max(0, args.show)))
    return exit_code(result, fail_on_discrepancy=args.fail_on_discrepancy)
