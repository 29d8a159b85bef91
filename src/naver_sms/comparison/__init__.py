"""Comparing what the legacy Lambda did with what the new one does (spec: capture-format.md).

The API a campaign (``naver-sms replay``) builds on:

* :func:`compare_captures` (two capture files -> :class:`ComparisonResult`), which raises
  :class:`CaptureError` (``file:line: reason``) or :class:`EmptyComparison`;
  :func:`compare_outputs` for captures already merged in memory;
* :func:`write_json_report` / :func:`report_json` (the spec's report), :func:`format_summary`;
* :func:`render_html` in :mod:`naver_sms.comparison.html` (optional booking -> day mapping);
* :func:`emit_comparison` in :mod:`naver_sms.comparison.telemetry`;
* :func:`char_segments`, :func:`visible`, :func:`difference_hints` for character-level diffs.

Submodules load lazily here so that importing the package costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from naver_sms.comparison.capture import BookingOutputs, CaptureError, load_capture
    from naver_sms.comparison.engine import (
        ComparisonResult,
        DiscrepancyRecord,
        EmptyComparison,
        compare_bookings,
        compare_captures,
        compare_outputs,
    )
    from naver_sms.comparison.report import format_summary, report_json, write_json_report
    from naver_sms.comparison.textdiff import char_segments, difference_hints, visible

__all__ = [
    "BookingOutputs",
    "CaptureError",
    "ComparisonResult",
    "DiscrepancyRecord",
    "EmptyComparison",
    "char_segments",
    "compare_bookings",
    "compare_captures",
    "compare_outputs",
    "difference_hints",
    "format_summary",
    "load_capture",
    "report_json",
    "visible",
    "write_json_report",
]

_HOMES = {
    "BookingOutputs": "capture",
    "CaptureError": "capture",
    "load_capture": "capture",
    "ComparisonResult": "engine",
    "DiscrepancyRecord": "engine",
    "EmptyComparison": "engine",
    "compare_bookings": "engine",
    "compare_captures": "engine",
    "compare_outputs": "engine",
    "format_summary": "report",
    "report_json": "report",
    "write_json_report": "report",
    "char_segments": "textdiff",
    "difference_hints": "textdiff",
    "visible": "textdiff",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib  # noqa: PLC0415

    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
