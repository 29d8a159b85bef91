"""The saved Logs Insights queries (docs/ops/queries/*.insights) and their run parameters.

A query's parameter is a literal in its text (a booking id, a trace id). To run the catalog on
a given run, :func:`for_run` replaces a placeholder literal by a value taken from that run's
logs, and says so.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from naver_sms.ops.terraform_values import REPO

QUERIES_DIR: Final = REPO / "docs" / "ops" / "queries"
TRACE_PLACEHOLDER: Final = '"1-00000000-000000000000000000000000"'


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    text: str

    @property
    def purpose(self) -> str:
        first = self.text.splitlines()[0] if self.text else ""
        return first.removeprefix("#").strip()


def saved_queries(directory: Path = QUERIES_DIR) -> list[SavedQuery]:
    return [
        SavedQuery(path.stem, path, path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.insights"))
    ]


def first_trace_id(logs: Sequence[Path]) -> str | None:
    """The X-Ray trace of the first error line of the run (else of its first traced line)."""
    first: str | None = None
    for path in logs:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            trace = obj.get("xray_trace_id") if isinstance(obj, dict) else None
            if not isinstance(trace, str):
                continue
            if obj.get("level") in ("error", "critical"):
                return trace
            first = first or trace
    return first


def for_run(query: SavedQuery, logs: Sequence[Path]) -> tuple[str, str | None]:
    """The query text to run on these logs, and a note when a parameter was set."""
    if TRACE_PLACEHOLDER in query.text:
        trace = first_trace_id(logs)
        if trace is not None:
            return (
                query.text.replace(TRACE_PLACEHOLDER, json.dumps(trace)),
                f"xray_trace_id set to {trace} (the run's first error line)",
            )
    return query.text, None
