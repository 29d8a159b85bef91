"""The one error type of the query tools: what is wrong, the token, and where it is."""

from __future__ import annotations


class QueryError(ValueError):
    """A query that cannot be run exactly; ``str()`` is ``line:column: message (near 'token')``.

    ``offset`` is 0-based in the query text, ``line`` and ``column`` 1-based.
    """

    def __init__(self, message: str, text: str, offset: int, token: str) -> None:
        offset = max(0, min(offset, len(text)))
        self.message = message
        self.offset = offset
        self.line = text.count("\n", 0, offset) + 1
        self.column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        self.token = token
        shown = token if len(token) <= 40 else token[:39] + "\u2026"
        near = f" (at {shown!r})" if token else " (at end of query)"
        super().__init__(f"{self.line}:{self.column}: {message}{near}")


class UnsupportedSyntax(QueryError):
    """Valid Logs Insights, but not something this tool translates exactly (e.g. ``dedup``)."""
