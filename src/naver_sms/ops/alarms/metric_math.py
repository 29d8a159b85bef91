"""CloudWatch metric math over period-aligned series: the expressions alarms and graphs use.

A series maps period start (epoch ms) to a value; a period without a value is missing.
Arithmetic and comparisons between series keep only the periods both have (a scalar applies to
every period); comparisons give 1 or 0; division by zero gives no value. ``FILL`` fills every
period of the range; ``MAX``/``MIN``/``SUM``/``AVG`` of an array (``[a, b]``, ``METRICS()``)
work period by period over the members that have a value, of one series they give one number
over time. Supported functions: ABS, AVG, CEIL, FILL (a value, REPEAT or LINEAR), FLOOR, IF,
MAX, METRICS, MIN, PERIOD, SUM, and SEARCH where the caller provides it (dashboards). Anything
else is an error naming the function and its position.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Union

Series = dict[int, float]
Value = Union[float, Series, "ArrayValue"]


@dataclass(frozen=True)
class ArrayValue:
    members: tuple[tuple[str, Series], ...]
    """(label, series) per member, e.g. each metric of METRICS() or each SEARCH result."""


class MathError(ValueError):
    """An expression that cannot be evaluated exactly: ``expression at column N: why``."""

    def __init__(self, expression: str, position: int, message: str) -> None:
        super().__init__(f"{message} (in {expression!r} at column {position + 1})")
        self.expression = expression
        self.position = position


_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<string>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<op>&&|\|\||==|!=|<=|>=|[-+*/^(),\[\]<>!]))"
)
MAX_DEPTH: Final = 50


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    pos: int


def _tokens(expression: str) -> list[_Token]:
    found: list[_Token] = []
    pos = 0
    while pos < len(expression):
        if expression[pos:].strip() == "":
            break
        match = _TOKEN.match(expression, pos)
        if match is None or match.end() == pos:
            start = pos + len(expression[pos:]) - len(expression[pos:].lstrip())
            raise MathError(expression, start, f"unexpected character {expression[start]!r}")
        kind = match.lastgroup or "op"
        found.append(_Token(kind, match.group(kind), match.start(kind)))
        pos = match.end()
    found.append(_Token("end", "", len(expression)))
    return found


# --- AST -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Num:
    value: float
    pos: int


@dataclass(frozen=True)
class _Ref:
    name: str
    pos: int


@dataclass(frozen=True)
class _Str:
    value: str
    pos: int


@dataclass(frozen=True)
class _Unary:
    op: str
    operand: _Node
    pos: int


@dataclass(frozen=True)
class _Bin:
    op: str
    left: _Node
    right: _Node
    pos: int


@dataclass(frozen=True)
class _Array:
    items: tuple[_Node, ...]
    pos: int


@dataclass(frozen=True)
class _Call:
    name: str
    args: tuple[_Node, ...]
    pos: int


_Node = _Num | _Ref | _Str | _Unary | _Bin | _Array | _Call
_PRECEDENCE: Final = {
    "||": 1, "OR": 1, "&&": 2, "AND": 2,
    "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
    "+": 4, "-": 4, "*": 5, "/": 5, "^": 7,
}  # fmt: skip


class _Parser:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens = _tokens(expression)
        self.index = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.index]

    def error(self, message: str, token: _Token | None = None) -> MathError:
        return MathError(self.expression, (token or self.tok).pos, message)

    def take(self) -> _Token:
        token = self.tok
        self.index += 1
        return token

    def expect(self, text: str) -> _Token:
        if self.tok.text != text:
            raise self.error(f"expected {text!r}")
        return self.take()

    def parse(self) -> _Node:
        node = self.binary(0)
        if self.tok.kind != "end":
            raise self.error(f"unexpected {self.tok.text!r}")
        return node

    def operator(self) -> str | None:
        token = self.tok
        text = token.text.upper() if token.kind == "name" else token.text
        if token.kind in ("op", "name") and text in _PRECEDENCE:
            return text
        return None

    def binary(self, minimum: int) -> _Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("expression nested too deeply")
        try:
            left = self.unary()
            while (op := self.operator()) is not None and _PRECEDENCE[op] > minimum:
                token = self.take()
                # ^ binds right to left; everything else left to right.
                right = self.binary(_PRECEDENCE[op] - (1 if op == "^" else 0))
                left = _Bin(op, left, right, token.pos)
            return left
        finally:
            self.depth -= 1

    def unary(self) -> _Node:
        token = self.tok
        if (token.kind == "op" and token.text in ("-", "!")) or (
            token.kind == "name" and token.text.upper() == "NOT"
        ):
            self.take()
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    raise self.error("expression nested too deeply")
                operand = self.binary(6)
            finally:
                self.depth -= 1
            return _Unary("-" if token.text == "-" else "!", operand, token.pos)
        return self.primary()

    def primary(self) -> _Node:
        token = self.tok
        if token.kind == "number":
            self.take()
            return _Num(float(token.text), token.pos)
        if token.kind == "string":
            self.take()
            return _Str(token.text[1:-1], token.pos)
        if token.kind == "name":
            self.take()
            if self.tok.text == "(":
                self.take()
                args: list[_Node] = []
                if self.tok.text != ")":
                    args.append(self.binary(0))
                    while self.tok.text == ",":
                        self.take()
                        args.append(self.binary(0))
                self.expect(")")
                return _Call(token.text.upper(), tuple(args), token.pos)
            return _Ref(token.text, token.pos)
        if token.text == "(":
            self.take()
            node = self.binary(0)
            self.expect(")")
            return node
        if token.text == "[":
            self.take()
            items = [self.binary(0)]
            while self.tok.text == ",":
                self.take()
                items.append(self.binary(0))
            self.expect("]")
            return _Array(tuple(items), token.pos)
        raise self.error("expected a number, an id, a function or '('")


def parse(expression: str) -> _Node:
    return _Parser(expression).parse()


def references(expression: str) -> set[str]:
    """The ids an expression reads (METRICS() reads every metric: reported as '*')."""
    found: set[str] = set()
    stack = [parse(expression)]
    while stack:
        node = stack.pop()
        if isinstance(node, _Ref):
            found.add(node.name)
        elif isinstance(node, _Call):
            if node.name == "METRICS":
                found.add("*")
            stack.extend(
                a
                for a in node.args
                if not (
                    node.name == "FILL"
                    and isinstance(a, _Ref)
                    and a.name.upper() in ("REPEAT", "LINEAR")
                )
            )
        elif isinstance(node, _Bin):
            stack.extend((node.left, node.right))
        elif isinstance(node, _Unary):
            stack.append(node.operand)
        elif isinstance(node, _Array):
            stack.extend(node.items)
    return found


# --- evaluation ------------------------------------------------------------------------------

Search = Callable[[str, str, int], ArrayValue]
"""SEARCH(expression, statistic, period) for dashboards."""


@dataclass
class Context:
    grid: Sequence[int]
    """Period starts of the range, oldest first."""
    period_s: int
    lookup: Callable[[str], Value]
    """The value of another query by id (raises KeyError for an unknown id)."""
    metrics: Callable[[], ArrayValue]
    """Every metric query of the request, for METRICS()."""
    search: Search | None = None


def evaluate(expression: str, context: Context) -> Value:
    return _Evaluator(expression, context).run(parse(expression))


_COMPARE: Final[dict[str, Callable[[float, float], bool]]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _arith(op: str, a: float, b: float) -> float | None:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return None if b == 0 else a / b
    if op == "^":
        try:
            result = a**b
        except (OverflowError, ZeroDivisionError):
            return None
        return result if isinstance(result, float | int) and math.isfinite(result) else None
    if op in ("AND", "&&"):
        return 1.0 if a != 0 and b != 0 else 0.0
    if op in ("OR", "||"):
        return 1.0 if a != 0 or b != 0 else 0.0
    return 1.0 if _COMPARE[op](a, b) else 0.0


class _Evaluator:
    def __init__(self, expression: str, context: Context) -> None:
        self.expression = expression
        self.context = context

    def error(self, pos: int, message: str) -> MathError:
        return MathError(self.expression, pos, message)

    def run(self, node: _Node) -> Value:
        if isinstance(node, _Num):
            return node.value
        if isinstance(node, _Ref):
            try:
                return self.context.lookup(node.name)
            except KeyError:
                raise self.error(node.pos, f"unknown id {node.name!r}") from None
        if isinstance(node, _Str):
            raise self.error(node.pos, "a string only stands in SEARCH or METRICS")
        if isinstance(node, _Array):
            members: list[tuple[str, Series]] = []
            for item in node.items:
                value = self.run(item)
                if isinstance(value, ArrayValue):
                    members.extend(value.members)
                elif isinstance(value, dict):
                    members.append((self.label(item), value))
                else:
                    members.append((self.label(item), dict.fromkeys(self.context.grid, value)))
            return ArrayValue(tuple(members))
        if isinstance(node, _Unary):
            operand = self.run(node.operand)
            if node.op == "-":
                return self.map(operand, lambda v: -v)
            return self.map(operand, lambda v: 0.0 if v != 0 else 1.0)
        if isinstance(node, _Bin):
            return self.binary(node)
        return self.call(node)

    def label(self, node: _Node) -> str:
        return node.name if isinstance(node, _Ref) else self.expression

    def map(self, value: Value, function: Callable[[float], float | None]) -> Value:
        if isinstance(value, ArrayValue):
            return ArrayValue(
                tuple((label, self.map_series(s, function)) for label, s in value.members)
            )
        if isinstance(value, dict):
            return self.map_series(value, function)
        result = function(value)
        return math.nan if result is None else result

    @staticmethod
    def map_series(series: Series, function: Callable[[float], float | None]) -> Series:
        out: Series = {}
        for stamp, v in series.items():
            result = function(v)
            if result is not None and math.isfinite(result):
                out[stamp] = result
        return out

    def binary(self, node: _Bin) -> Value:
        left, right = self.run(node.left), self.run(node.right)
        return self.combine(node.op, left, right)

    def combine(self, op: str, left: Value, right: Value) -> Value:
        if isinstance(left, ArrayValue):
            return ArrayValue(
                tuple(
                    (label, self.as_series(self.combine(op, s, right))) for label, s in left.members
                )
            )
        if isinstance(right, ArrayValue):
            return ArrayValue(
                tuple(
                    (label, self.as_series(self.combine(op, left, s))) for label, s in right.members
                )
            )
        if isinstance(left, dict) and isinstance(right, dict):
            out: Series = {}
            for stamp in left.keys() & right.keys():
                result = _arith(op, left[stamp], right[stamp])
                if result is not None and math.isfinite(result):
                    out[stamp] = result
            return dict(sorted(out.items()))
        if isinstance(left, dict):
            scalar = float(right)  # type: ignore[arg-type]
            return self.map_series(left, lambda v: _arith(op, v, scalar))
        if isinstance(right, dict):
            scalar = float(left)
            return self.map_series(right, lambda v: _arith(op, scalar, v))
        result = _arith(op, float(left), float(right))
        return math.nan if result is None else result

    def as_series(self, value: Value) -> Series:
        if isinstance(value, dict):
            return value
        if isinstance(value, ArrayValue):
            raise ValueError("nested arrays")
        return dict.fromkeys(self.context.grid, value) if math.isfinite(value) else {}

    def call(self, node: _Call) -> Value:
        name, args = node.name, node.args
        if name == "FILL":
            return self.fill(node)
        if name == "IF":
            if len(args) not in (2, 3):
                raise self.error(node.pos, "IF takes a condition and one or two values")
            condition = self.as_series(self.run(args[0]))
            when_true = self.as_series(self.run(args[1]))
            when_false = self.as_series(self.run(args[2])) if len(args) == 3 else {}
            out: Series = {}
            for stamp in self.context.grid:
                if stamp not in condition:
                    continue
                chosen = when_true if condition[stamp] != 0 else when_false
                if stamp in chosen:
                    out[stamp] = chosen[stamp]
            return out
        if name in ("MAX", "MIN", "SUM", "AVG"):
            if len(args) != 1:
                raise self.error(node.pos, f"{name} takes one argument (a series or an array)")
            return self.reduce(name, self.run(args[0]))
        if name in ("ABS", "CEIL", "FLOOR"):
            if len(args) != 1:
                raise self.error(node.pos, f"{name} takes one argument")
            function: Callable[[float], float] = {
                "ABS": abs,
                "CEIL": math.ceil,
                "FLOOR": math.floor,
            }[name]  # type: ignore[assignment]
            return self.map(self.run(args[0]), lambda v: float(function(v)))
        if name == "METRICS":
            everything = self.context.metrics()
            if not args:
                return everything
            if len(args) != 1 or not isinstance(args[0], _Str):
                raise self.error(node.pos, "METRICS takes no argument or one string")
            wanted = args[0].value
            return ArrayValue(tuple(m for m in everything.members if wanted in m[0]))
        if name == "PERIOD":
            return float(self.context.period_s)
        if name == "SEARCH":
            if self.context.search is None:
                raise self.error(node.pos, "SEARCH is only available in dashboard graphs")
            if len(args) != 3 or not isinstance(args[0], _Str) or not isinstance(args[1], _Str):
                raise self.error(
                    node.pos, "SEARCH takes a search expression, a statistic and a period"
                )
            period = self.run(args[2])
            if not isinstance(period, float) or period <= 0:
                raise self.error(node.pos, "SEARCH's period must be a number of seconds")
            return self.context.search(args[0].value, args[1].value, int(period))
        raise self.error(node.pos, f"function {name} is not supported by the simulation")

    def reduce(self, name: str, value: Value) -> Value:
        def fold(values: list[float]) -> float:
            if name == "MAX":
                return max(values)
            if name == "MIN":
                return min(values)
            total = math.fsum(values)
            return total if name == "SUM" else total / len(values)

        if isinstance(value, ArrayValue):
            out: Series = {}
            for stamp in self.context.grid:
                present = [s[stamp] for _, s in value.members if stamp in s]
                if present:
                    out[stamp] = fold(present)
            return out
        if isinstance(value, dict):
            return fold(list(value.values())) if value else math.nan
        return value

    def fill(self, node: _Call) -> Value:
        if len(node.args) != 2:
            raise self.error(node.pos, "FILL takes a series and a value, REPEAT or LINEAR")
        target = self.run(node.args[0])
        how = node.args[1]
        grid = self.context.grid
        if isinstance(how, _Ref) and how.name.upper() in ("REPEAT", "LINEAR"):
            mode = how.name.upper()

            def filled(series: Series) -> Series:
                out: Series = {}
                known = [(s, series[s]) for s in grid if s in series]
                for stamp in grid:
                    if stamp in series:
                        out[stamp] = series[stamp]
                        continue
                    before = [(s, v) for s, v in known if s < stamp]
                    after = [(s, v) for s, v in known if s > stamp]
                    if mode == "REPEAT" and before:
                        out[stamp] = before[-1][1]
                    elif mode == "LINEAR" and before and after:
                        (s0, v0), (s1, v1) = before[-1], after[0]
                        out[stamp] = v0 + (v1 - v0) * (stamp - s0) / (s1 - s0)
                return out
        else:
            fill_value = self.run(how)
            if not isinstance(fill_value, float):
                raise self.error(node.pos, "FILL's value must be a number, REPEAT or LINEAR")

            def filled(series: Series) -> Series:
                return {stamp: series.get(stamp, fill_value) for stamp in grid}

        if isinstance(target, ArrayValue):
            return ArrayValue(tuple((label, filled(s)) for label, s in target.members))
        if isinstance(target, dict):
            return filled(target)
        return target


def ids_in_order(queries: Mapping[str, str | None]) -> list[str]:
    """Expression ids sorted so that each comes after the ids it reads (cycles are errors)."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ValueError(
                f"expressions refer to each other in a cycle: {' -> '.join((*chain, name))}"
            )
        state[name] = 1
        expression = queries.get(name)
        if expression is not None:
            for ref in sorted(references(expression) - {"*"}):
                if ref in queries:
                    visit(ref, (*chain, name))
        state[name] = 2
        order.append(name)

    for name in queries:
        visit(name, ())
    return order
