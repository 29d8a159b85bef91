"""The AST of a Logs Insights query: commands in pipeline order, expressions inside them.

Every node keeps its span (``start``, ``end``) in the query text, so a later stage (the SQL
translation) can still name the token and position of what it cannot translate.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    start: int
    end: int


# --- expressions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Field(Node):
    name: str
    """As Logs Insights flattens JSON: ``record.metrics.durationMs``; ``@timestamp``."""


@dataclass(frozen=True)
class Literal(Node):
    value: str | int | float


@dataclass(frozen=True)
class Regex(Node):
    pattern: str


@dataclass(frozen=True)
class Duration(Node):
    milliseconds: int
    text: str


@dataclass(frozen=True)
class Star(Node):
    """The ``*`` of ``count(*)``."""


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "-" or "not"
    operand: Expr


@dataclass(frozen=True)
class Binary(Node):
    op: str  # + - * / %, = != < <= > >=, and, or
    left: Expr
    right: Expr


@dataclass(frozen=True)
class InList(Node):
    operand: Expr
    items: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class Match(Node):
    """``like "substring"``, ``like /regex/``, ``=~ /regex/`` (``not like`` when negated)."""

    operand: Expr
    pattern: Literal | Regex
    negated: bool


@dataclass(frozen=True)
class Call(Node):
    name: str
    """Lower-cased function name."""
    args: tuple[Expr, ...]


Expr = Field | Literal | Regex | Duration | Star | Unary | Binary | InList | Match | Call


@dataclass(frozen=True)
class Item(Node):
    """One entry of ``fields``/``stats``/``by``: an expression and its optional ``as`` name."""

    expr: Expr
    alias: str | None


# --- commands ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fields(Node):
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Display(Node):
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Filter(Node):
    condition: Expr


@dataclass(frozen=True)
class Stats(Node):
    aggregates: tuple[Item, ...]
    groups: tuple[Item, ...]


@dataclass(frozen=True)
class SortKey(Node):
    expr: Expr
    descending: bool


@dataclass(frozen=True)
class Sort(Node):
    keys: tuple[SortKey, ...]


@dataclass(frozen=True)
class Limit(Node):
    count: int


@dataclass(frozen=True)
class Parse(Node):
    source: Field
    pattern: Literal | Regex
    """A glob (``*`` captures) with ``as`` names, or a regex with named groups."""
    names: tuple[str, ...]


Command = Fields | Display | Filter | Stats | Sort | Limit | Parse


@dataclass(frozen=True)
class Query:
    text: str
    commands: tuple[Command, ...]


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of `expr`."""
    if isinstance(expr, Unary):
        return (expr.operand,)
    if isinstance(expr, Binary):
        return (expr.left, expr.right)
    if isinstance(expr, InList):
        return (expr.operand, *expr.items)
    if isinstance(expr, Match):
        return (expr.operand, expr.pattern)
    if isinstance(expr, Call):
        return expr.args
    return ()


def walk(expr: Expr) -> list[Expr]:
    """`expr` and every expression below it, depth first (iterative: no recursion limit)."""
    found: list[Expr] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(children(node)))
    return found
