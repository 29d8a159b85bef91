"""``naver-sms logs-query QUERY_FILE LOGFILE... [--format table|json]``.

Exit 0 with the result; 2 when the query cannot be run exactly (the error names the file,
line, column and token) or a file cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final, TextIO

from naver_sms.ops.insights.errors import QueryError

EXIT_OK: Final = 0
EXIT_INVALID: Final = 2


def run(
    args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    from naver_sms.ops.insights.engine import run_query  # noqa: PLC0415
    from naver_sms.ops.insights.events import LogReadError  # noqa: PLC0415
    from naver_sms.ops.insights.render import json_rows, table  # noqa: PLC0415

    out = stdout or sys.stdout
    err = stderr or sys.stderr
    query_path = Path(args.query_file)
    try:
        text = query_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        err.write(f"naver-sms logs-query: {query_path}: cannot read ({exc})\n")
        return EXIT_INVALID
    try:
        result = run_query(text, [Path(p) for p in args.logfiles])
    except QueryError as exc:
        err.write(f"naver-sms logs-query: {query_path}:{exc}\n")
        return EXIT_INVALID
    except LogReadError as exc:
        err.write(f"naver-sms logs-query: {exc}\n")
        return EXIT_INVALID
    out.write(json_rows(result) if args.format == "json" else table(result))
    return EXIT_OK
