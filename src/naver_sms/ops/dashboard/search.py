"""CloudWatch's SEARCH() for graphs, over the metrics of a run.

``SEARCH('{Namespace,dim1,dim2} MetricName="name" dim1="value" word', 'Sum', 300)``: the schema
in braces selects the metrics of that namespace whose dimension names are exactly those listed;
``Name="value"`` terms must match exactly (``MetricName`` the metric's name); a bare word must
appear in the metric name or a dimension value. Boolean operators and wildcards are rejected.
Each metric found is one series, labelled by its dimension values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from naver_sms.ops.alarms.datapoints import MetricKey, MetricStore

_SCHEMA = re.compile(r"\s*\{([^}]*)\}")
_TERM = re.compile(r'\s*(?:([A-Za-z_][\w.-]*)\s*=\s*"([^"]*)"|"([^"]*)"|([^\s"]+))')


class SearchError(ValueError):
    pass


@dataclass(frozen=True)
class SearchQuery:
    namespace: str
    dimensions: frozenset[str]
    exact: tuple[tuple[str, str], ...]
    words: tuple[str, ...]


def _unquote(text: str) -> str:
    text = text.strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def parse_search(expression: str) -> SearchQuery:
    match = _SCHEMA.match(expression)
    if match is None:
        raise SearchError(f"SEARCH needs a {{Namespace,dimension,...}} schema: {expression!r}")
    parts = [_unquote(p) for p in match.group(1).split(",")]
    if not parts or not parts[0]:
        raise SearchError(f"SEARCH schema without a namespace: {expression!r}")
    exact: list[tuple[str, str]] = []
    words: list[str] = []
    pos = match.end()
    while pos < len(expression):
        if not expression[pos:].strip():
            break
        term = _TERM.match(expression, pos)
        if term is None:
            raise SearchError(f"SEARCH term not understood at {expression[pos : pos + 20]!r}")
        name, value, quoted, word = term.groups()
        if name is not None:
            exact.append((name, value))
        else:
            text = quoted if quoted is not None else word
            if text.upper() in ("AND", "OR", "NOT") or any(c in text for c in "*()"):
                raise SearchError(f"SEARCH operator or wildcard {text!r} is not supported")
            words.append(text)
        pos = term.end()
    return SearchQuery(parts[0], frozenset(p for p in parts[1:] if p), tuple(exact), tuple(words))


def find(store: MetricStore, query: SearchQuery) -> list[MetricKey]:
    found = []
    for key in store.keys():  # noqa: SIM118 - MetricStore.keys() skips empty series
        namespace, name, dims = key
        if namespace != query.namespace or {k for k, _ in dims} != query.dimensions:
            continue
        values = dict(dims) | {"MetricName": name}
        if any(values.get(k) != v for k, v in query.exact):
            continue
        haystack = [name, *(v for _, v in dims)]
        if all(any(w in h for h in haystack) for w in query.words):
            found.append(key)
    return found


def label(key: MetricKey) -> str:
    return " ".join(v for _, v in key[2]) or key[1]
