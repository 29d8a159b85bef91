"""CloudWatch Logs Insights queries, run offline over JSON-lines logs by DuckDB.

A query is tokenized (:mod:`.tokens`), parsed into an AST (:mod:`.syntax`, :mod:`.parser`),
translated into one SQL statement (:mod:`.sql`) and run by DuckDB over the log events
(:mod:`.events`, :mod:`.engine`). Anything the translation cannot express exactly is rejected
with a :class:`QueryError` naming the token and its position, never answered approximately.
See docs/ops/logs-query.md for the language covered and the semantics chosen.
"""

from __future__ import annotations

from naver_sms.ops.insights.errors import QueryError, UnsupportedSyntax
from naver_sms.ops.insights.parser import parse_query

__all__ = ["QueryError", "UnsupportedSyntax", "parse_query"]
