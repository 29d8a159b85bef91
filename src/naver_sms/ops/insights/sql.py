"""Translation of a parsed query into one DuckDB SQL statement over the ``events`` table.

``events(_idx BIGINT, _ts BIGINT, _msg VARCHAR, _flat MAP(VARCHAR, JSON))``: one row per log
event, in file order, its ``@timestamp`` in epoch milliseconds, its raw line, and its fields
flattened the way Logs Insights flattens JSON (``record.metrics.durationMs``, ``fields.0``).

Each command becomes a CTE over the previous one. Logs Insights is dynamically typed, so every
value carries a *kind* and each operator picks the view it needs: a field compared with a
number is compared as a number, with a string as text, with another field as numbers when both
are numeric and as text otherwise. Conditions are two-valued: a comparison involving a missing
field is false (and ``not`` of it true). The semantics chosen are listed in
docs/ops/logs-query.md; whatever has no exact translation raises :class:`QueryError`.
"""

# ruff: noqa: S608 - this module writes SQL; every literal goes through sql_string().
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from naver_sms.ops.insights import syntax as ast
from naver_sms.ops.insights.errors import QueryError, UnsupportedSyntax

JSON: Final = "json"
NUMBER: Final = "number"
STRING: Final = "string"
BOOL: Final = "bool"
TIMESTAMP: Final = "timestamp"

MAX_LIMIT: Final = 10_000
"""Logs Insights returns at most 10,000 rows, and that many when no limit is given."""
DEFAULT_FIELDS: Final = ("@timestamp", "@message")
AGGREGATES: Final = frozenset({"count", "count_distinct", "sum", "avg", "min", "max", "pct"})
SCALARS: Final = frozenset(
    {
        "ispresent",
        "isempty",
        "isblank",
        "tolower",
        "toupper",
        "strlen",
        "abs",
        "floor",
        "ceil",
        "bin",
    }
)
# Lambda's text-format REPORT line makes Logs Insights discover these; this function logs in
# JSON format, where the same numbers are plain fields of the platform.report record.
TEXT_REPORT_FIELDS: Final = frozenset(
    {
        "@type",
        "@requestid",
        "@duration",
        "@billedduration",
        "@memorysize",
        "@maxmemoryused",
        "@initduration",
        "@xraytraceid",
        "@xraysegmentid",
    }
)
REGEX_METACHARACTERS: Final = frozenset("\\.^$|?*+()[]{}")
NUMBER_PATTERN: Final = r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
# SQL macros the translation uses, created on the connection before the query runs.
MACROS: Final = (
    "CREATE OR REPLACE TEMP MACRO li_text(j) AS json_extract_string(j, '$')",
    "CREATE OR REPLACE TEMP MACRO li_num(t) AS "
    f"CASE WHEN regexp_full_match(t, '{NUMBER_PATTERN}') THEN CAST(t AS DOUBLE) END",
    # Logs Insights' "natural" order for text: digit runs compare by length, then value.
    "CREATE OR REPLACE TEMP MACRO li_natural(t) AS array_to_string(list_transform("
    "regexp_extract_all(t, '[0-9]+|[^0-9]+'), lambda c: CASE WHEN regexp_full_match(c, '[0-9]+') "
    "THEN '0' || lpad(CAST(length(c) AS VARCHAR), 6, '0') || c ELSE c END), '')",
)


@dataclass(frozen=True)
class Value:
    sql: str
    kind: str


@dataclass(frozen=True)
class Column:
    name: str
    kind: str


@dataclass
class Translation:
    sql: str
    columns: list[Column]
    log_fields: set[str] = field(default_factory=set)
    """Every log field the query reads (as Logs Insights names them), for catalog checks."""


RegexCheck = Callable[[str], str | None]
"""Returns why DuckDB cannot compile a regex (or None when it can)."""


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def regex_escape(text: str) -> str:
    """`text` matched literally by RE2 (only its metacharacters escaped)."""
    return "".join("\\" + char if char in REGEX_METACHARACTERS else char for char in text)


def canonical(text: str) -> str:
    """A column name from source text, as written, whitespace collapsed."""
    return " ".join(text.split())


def translate(query: ast.Query, check_regex: RegexCheck | None = None) -> Translation:
    return _Translator(query, check_regex).run()


@dataclass
class _State:
    source: str
    scope: dict[str, Value]
    """Names bound by the query itself (aliases, parse, stats outputs)."""
    open_schema: bool
    """True before stats: any other name is a field of the log event."""
    display: list[str] | None = None
    fields_shown: list[str] = field(default_factory=list)
    sort: list[str] = field(default_factory=list)
    after_stats: bool = False


class _Translator:
    def __init__(self, query: ast.Query, check_regex: RegexCheck | None) -> None:
        self.query = query
        self.text = query.text
        self.check_regex = check_regex
        self.ctes: list[str] = []
        self.counter = 0
        self.log_fields: set[str] = set()

    # -- helpers ------------------------------------------------------------------------------

    def error(self, message: str, node: ast.Node) -> QueryError:
        return QueryError(message, self.text, node.start, self.text[node.start : node.end])

    def unsupported(self, message: str, node: ast.Node) -> UnsupportedSyntax:
        return UnsupportedSyntax(message, self.text, node.start, self.text[node.start : node.end])

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def add_cte(self, body: str) -> str:
        name = self.fresh("step")
        self.ctes.append(f"{name} AS ({body})")
        return name

    def source_text(self, node: ast.Node) -> str:
        return canonical(self.text[node.start : node.end])

    # -- the pipeline -------------------------------------------------------------------------

    def run(self) -> Translation:
        state = _State(source="events", scope={}, open_schema=True)
        stats_seen: ast.Stats | None = None
        for command in self.query.commands:
            if isinstance(command, ast.Fields):
                self.fields(state, command)
            elif isinstance(command, ast.Display):
                state.display = []
                for name in command.fields:
                    self.resolve(state, name)  # must exist
                    state.display.append(name.name)
            elif isinstance(command, ast.Filter):
                condition = self.condition(state, command.condition, "filter")
                state.source = self.add_cte(f"SELECT * FROM {state.source} WHERE {condition}")
            elif isinstance(command, ast.Stats):
                if stats_seen is not None:
                    raise self.unsupported("a second stats command is not supported", command)
                stats_seen = command
                self.stats(state, command)
            elif isinstance(command, ast.Sort):
                state.sort = [self.sort_key(state, key) for key in command.keys]
            elif isinstance(command, ast.Limit):
                self.limit(state, command)
            else:
                self.parse(state, command)
        return self.finish(state)

    def fields(self, state: _State, command: ast.Fields) -> None:
        selected: list[str] = []
        for item in command.items:
            value = self.value(state, item.expr)
            if isinstance(item.expr, ast.Call) and item.expr.name in AGGREGATES:
                raise self.error(f"{item.expr.name}() is an aggregate: use it in stats", item.expr)
            if item.alias is None and isinstance(item.expr, ast.Field):
                name = item.expr.name
                if name not in state.fields_shown:
                    state.fields_shown.append(name)
                continue
            name = item.alias or self.source_text(item.expr)
            column = self.fresh("f")
            selected.append(f"{value.sql} AS {column}")
            state.scope[name] = Value(column, value.kind)
            if name not in state.fields_shown:
                state.fields_shown.append(name)
        if selected:
            state.source = self.add_cte(f"SELECT *, {', '.join(selected)} FROM {state.source}")

    def parse(self, state: _State, command: ast.Parse) -> None:
        source = self.value(state, command.source)
        text = self.as_text(source)
        if isinstance(command.pattern, ast.Literal):
            glob = str(command.pattern.value)
            parts = glob.split("*")
            if len(parts) == 1:
                raise self.error("a parse glob needs at least one '*'", command.pattern)
            if len(parts) - 1 != len(command.names):
                raise self.error(
                    f"the glob has {len(parts) - 1} '*' but {len(command.names)} name(s) "
                    "follow 'as'",
                    command.pattern,
                )
            # A '*' followed by text takes the shortest match; a '*' ending the glob the rest.
            captures = ["(.*?)"] * (len(parts) - 1) + [""]
            if parts[-1] == "":
                captures[-2] = "(.*)"
            pattern = "".join(
                regex_escape(part) + capture for part, capture in zip(parts, captures, strict=True)
            )
            self.checked_regex(pattern, command.pattern)
            names = command.names
            extracts = [
                f"CASE WHEN regexp_matches({text}, {sql_string(pattern)}) "
                f"THEN regexp_extract({text}, {sql_string(pattern)}, {index}) END"
                for index in range(1, len(names) + 1)
            ]
        else:
            pattern = re.sub(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", r"(?P<\1>", command.pattern.pattern)
            names = tuple(re.findall(r"\(\?P<([A-Za-z_][A-Za-z0-9_]*)>", pattern))
            if not names:
                raise self.error(
                    "a regex parse needs named groups such as (?<name>...)", command.pattern
                )
            if len(set(names)) != len(names):
                raise self.error("the regex names a group twice", command.pattern)
            self.checked_regex(pattern, command.pattern)
            name_list = "[" + ", ".join(sql_string(n) for n in names) + "]"
            extracts = [
                f"CASE WHEN regexp_matches({text}, {sql_string(pattern)}) THEN "
                f"regexp_extract({text}, {sql_string(pattern)}, {name_list})[{sql_string(n)}] END"
                for n in names
            ]
        selected = []
        for name, extract in zip(names, extracts, strict=True):
            column = self.fresh("p")
            selected.append(f"{extract} AS {column}")
            state.scope[name] = Value(column, STRING)
        state.source = self.add_cte(f"SELECT *, {', '.join(selected)} FROM {state.source}")

    def stats(self, state: _State, command: ast.Stats) -> None:
        outputs: list[tuple[str, str, Value]] = []  # (name, sql, value as seen after)
        group_sql: list[str] = []
        for item in command.groups:
            if isinstance(item.expr, ast.Call) and item.expr.name in AGGREGATES:
                raise self.error("an aggregate cannot be a 'by' group", item.expr)
            value = self.value(state, item.expr)
            if value.kind == BOOL:
                raise self.unsupported("grouping by a condition is not supported", item.expr)
            name = item.alias or (
                item.expr.name if isinstance(item.expr, ast.Field) else self.source_text(item.expr)
            )
            column = self.fresh("g")
            outputs.append((name, f"{value.sql} AS {column}", Value(column, value.kind)))
            group_sql.append(column)
        for item in command.aggregates:
            if not (isinstance(item.expr, ast.Call) and item.expr.name in AGGREGATES):
                raise self.unsupported(
                    "stats takes aggregate calls (count, count_distinct, sum, avg, min, max, "
                    "pct), optionally named with 'as'; arithmetic on aggregates is not supported",
                    item.expr,
                )
            value = self.aggregate(state, item.expr)
            name = item.alias or self.source_text(item.expr)
            column = self.fresh("a")
            outputs.append((name, f"{value.sql} AS {column}", Value(column, value.kind)))
        names = [name for name, _, _ in outputs]
        for name in names:
            if names.count(name) > 1:
                raise self.error(f"stats names two results {name!r}", command)
        select = ", ".join(sql for _, sql, _ in outputs)
        group_by = (
            f" GROUP BY {', '.join(str(i) for i in range(1, len(group_sql) + 1))}"
            if group_sql
            else ""
        )
        state.source = self.add_cte(f"SELECT {select} FROM {state.source}{group_by}")
        state.scope = {name: value for name, _, value in outputs}
        state.open_schema = False
        state.after_stats = True
        state.display = None
        state.fields_shown = list(names)
        # Stats output is ordered by its groups unless a later sort says otherwise.
        state.sort = [
            self.order(value, descending=False) for _, _, value in outputs[: len(group_sql)]
        ]

    def limit(self, state: _State, command: ast.Limit) -> None:
        if command.count < 1 or command.count > MAX_LIMIT:
            raise self.error(f"limit must be between 1 and {MAX_LIMIT:,}", command)
        order = self.order_by(state)
        state.source = self.add_cte(f"SELECT * FROM {state.source}{order} LIMIT {command.count}")

    def order_by(self, state: _State) -> str:
        keys = list(state.sort)
        if not state.after_stats:
            # No sort given: newest first, as the console lists events; file order breaks ties.
            keys = [*keys, "_idx ASC"] if keys else ["_ts DESC NULLS LAST", "_idx DESC"]
        return f" ORDER BY {', '.join(keys)}" if keys else ""

    def finish(self, state: _State) -> Translation:
        names = list(dict.fromkeys(state.display or state.fields_shown or DEFAULT_FIELDS))
        selected: list[str] = []
        columns: list[Column] = []
        for index, name in enumerate(names, 1):
            value = self.lookup(state, name, None)
            selected.append(f"{value.sql} AS o{index}")
            columns.append(Column(name, value.kind))
        order = self.order_by(state)
        body = f"SELECT {', '.join(selected)} FROM {state.source}{order} LIMIT {MAX_LIMIT}"
        sql = (f"WITH {', '.join(self.ctes)} " if self.ctes else "") + body
        return Translation(sql, columns, self.log_fields)

    # -- names --------------------------------------------------------------------------------

    def resolve(self, state: _State, node: ast.Field) -> Value:
        return self.lookup(state, node.name, node)

    def lookup(self, state: _State, name: str, node: ast.Field | None) -> Value:
        if name in state.scope:
            return state.scope[name]
        if not state.open_schema:
            if node is None:
                raise QueryError(f"{name!r} is not a result of stats", self.text, 0, name)
            raise self.error(
                f"{name!r} is not a result of stats (results: {', '.join(state.scope)})", node
            )
        if name.startswith("@"):
            return self.discovered(name, node)
        self.log_fields.add(name)
        return Value(f"_flat[{sql_string(name)}]", JSON)

    def discovered(self, name: str, node: ast.Field | None) -> Value:
        lowered = name.lower()
        if lowered == "@timestamp":
            self.log_fields.add("@timestamp")
            return Value("_ts", TIMESTAMP)
        if lowered == "@message":
            self.log_fields.add("@message")
            return Value("_msg", STRING)
        if lowered in TEXT_REPORT_FIELDS:
            message = (
                f"{name} is discovered from Lambda's text-format REPORT line; this function logs "
                'in JSON format: use filter type = "platform.report" and record.metrics.* '
                "(record.metrics.durationMs, record.metrics.initDurationMs, ...)"
            )
        else:
            message = (
                f"discovered field {name} is not available offline (only @timestamp, @message)"
            )
        if node is None:
            raise QueryError(message, self.text, 0, name)
        raise self.error(message, node)

    # -- expressions --------------------------------------------------------------------------

    def value(self, state: _State, expr: ast.Expr) -> Value:
        if isinstance(expr, ast.Field):
            return self.resolve(state, expr)
        if isinstance(expr, ast.Literal):
            if isinstance(expr.value, str):
                if "\x00" in expr.value:
                    raise self.error("a NUL character in a string is not supported", expr)
                return Value(sql_string(expr.value), STRING)
            return Value(f"CAST({expr.value!r} AS DOUBLE)", NUMBER)
        if isinstance(expr, ast.Unary):
            if expr.op == "not":
                return Value(f"(NOT {self.condition(state, expr.operand, 'not')})", BOOL)
            return Value(f"(-{self.as_number(self.value(state, expr.operand))})", NUMBER)
        if isinstance(expr, ast.Binary):
            return self.binary(state, expr)
        if isinstance(expr, ast.InList):
            return self.in_list(state, expr)
        if isinstance(expr, ast.Match):
            return self.match(state, expr)
        if isinstance(expr, ast.Call):
            if expr.name in AGGREGATES:
                raise self.error(f"{expr.name}() is an aggregate: use it in stats", expr)
            return self.scalar(state, expr)
        if isinstance(expr, ast.Duration):
            raise self.error("a duration only stands in bin(...)", expr)
        if isinstance(expr, ast.Star):
            raise self.error("'*' only stands in count(*)", expr)
        raise self.error("a /regex/ only stands after 'like' or '=~', or in parse", expr)

    def condition(self, state: _State, expr: ast.Expr, where: str) -> str:
        value = self.value(state, expr)
        if value.kind != BOOL:
            raise self.error(
                f"{where} needs a condition (a comparison, in, like, ispresent(...)), not a value",
                expr,
            )
        return value.sql

    def binary(self, state: _State, expr: ast.Binary) -> Value:
        if expr.op in ("and", "or"):
            left = self.condition(state, expr.left, expr.op)
            right = self.condition(state, expr.right, expr.op)
            return Value(f"({left} {expr.op.upper()} {right})", BOOL)
        lhs, rhs = self.value(state, expr.left), self.value(state, expr.right)
        if expr.op in ("+", "-", "*", "/", "%"):
            a, b = self.as_number(lhs), self.as_number(rhs)
            if expr.op in ("/", "%"):
                # Division by zero has no value (as a missing field), never an infinity.
                return Value(f"(CASE WHEN {b} = 0 THEN NULL ELSE {a} {expr.op} {b} END)", NUMBER)
            return Value(f"({a} {expr.op} {b})", NUMBER)
        return Value(f"COALESCE({self.compare(expr, expr.op, lhs, rhs)}, FALSE)", BOOL)

    def compare(self, node: ast.Node, op: str, left: Value, right: Value) -> str:
        kinds = {left.kind, right.kind}
        if BOOL in kinds:
            raise self.unsupported("comparing a condition with a value is not supported", node)
        if TIMESTAMP in kinds and STRING in kinds:
            raise self.unsupported(
                "compare @timestamp with epoch milliseconds (a number), not a string", node
            )
        if kinds & {NUMBER, TIMESTAMP}:
            return f"({self.as_number(left)} {op} {self.as_number(right)})"
        if kinds == {JSON}:
            ln, rn = self.as_number(left), self.as_number(right)
            lt, rt = self.as_text(left), self.as_text(right)
            return (
                f"(CASE WHEN {ln} IS NOT NULL AND {rn} IS NOT NULL THEN {ln} {op} {rn} "
                f"ELSE {lt} {op} {rt} END)"
            )
        return f"({self.as_text(left)} {op} {self.as_text(right)})"

    def in_list(self, state: _State, expr: ast.InList) -> Value:
        operand = self.value(state, expr.operand)
        tests = [self.compare(expr, "=", operand, self.value(state, item)) for item in expr.items]
        inside = f"COALESCE({' OR '.join(tests)}, FALSE)"
        return Value(f"(NOT {inside})" if expr.negated else inside, BOOL)

    def match(self, state: _State, expr: ast.Match) -> Value:
        operand = self.value(state, expr.operand)
        if operand.kind == BOOL:
            raise self.unsupported("matching a condition is not supported", expr.operand)
        text = self.as_text(operand)
        if isinstance(expr.pattern, ast.Regex):
            pattern = re.sub(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", r"(?P<\1>", expr.pattern.pattern)
            self.checked_regex(pattern, expr.pattern)
            test = f"regexp_matches({text}, {sql_string(pattern)})"
        else:
            literal = str(expr.pattern.value)
            if "\x00" in literal:
                raise self.error("a NUL character in a string is not supported", expr.pattern)
            test = f"contains({text}, {sql_string(literal)})"
        inside = f"COALESCE({test}, FALSE)"
        return Value(f"(NOT {inside})" if expr.negated else inside, BOOL)

    def checked_regex(self, pattern: str, node: ast.Node) -> None:
        if "\x00" in pattern:
            raise self.error("a NUL character in a regex is not supported", node)
        if self.check_regex is not None:
            problem = self.check_regex(pattern)
            if problem is not None:
                raise self.unsupported(
                    f"regex not supported by DuckDB's RE2 engine ({problem})", node
                )

    def arity(self, expr: ast.Call, count: int) -> None:
        if len(expr.args) != count:
            raise self.error(
                f"{expr.name}() takes {count} argument{'s' if count != 1 else ''}, "
                f"got {len(expr.args)}",
                expr,
            )

    def scalar(self, state: _State, expr: ast.Call) -> Value:
        name = expr.name
        if name not in SCALARS:
            raise self.unsupported(f"function {name}() is not supported by logs-query", expr)
        if name == "bin":
            self.arity(expr, 1)
            duration = expr.args[0]
            if not isinstance(duration, ast.Duration):
                raise self.error("bin() takes a duration such as 5m, 1h or 1d", duration)
            ms = duration.milliseconds
            self.log_fields.add("@timestamp")
            return Value(f"(CAST(floor(_ts / {ms}) AS BIGINT) * {ms})", TIMESTAMP)
        self.arity(expr, 1)
        argument = expr.args[0]
        if name in ("ispresent", "isempty", "isblank"):
            if not isinstance(argument, ast.Field):
                raise self.error(f"{name}() takes a field name", argument)
            value = self.resolve(state, argument)
            if name == "ispresent":
                return Value(f"({value.sql} IS NOT NULL)", BOOL)
            text = self.as_text(value)
            if name == "isempty":
                return Value(f"COALESCE({text} = '', TRUE)", BOOL)
            return Value(f"COALESCE(trim({text}) = '', TRUE)", BOOL)
        value = self.value(state, argument)
        if value.kind == BOOL:
            raise self.unsupported(f"{name}() of a condition is not supported", argument)
        if name in ("tolower", "toupper"):
            function = "lower" if name == "tolower" else "upper"
            return Value(f"{function}({self.as_text(value)})", STRING)
        if name == "strlen":
            return Value(f"CAST(length({self.as_text(value)}) AS DOUBLE)", NUMBER)
        return Value(f"{name}({self.as_number(value)})", NUMBER)

    def aggregate(self, state: _State, expr: ast.Call) -> Value:
        name = expr.name
        args = expr.args
        for arg in args:
            for inner in ast.walk(arg):
                if isinstance(inner, ast.Call) and inner.name in AGGREGATES:
                    raise self.error("aggregates do not nest", inner)
        if name == "count":
            if not args or (len(args) == 1 and isinstance(args[0], ast.Star)):
                return Value("CAST(count(*) AS DOUBLE)", NUMBER)
            self.arity(expr, 1)
            return Value(f"CAST(count({self.value(state, args[0]).sql}) AS DOUBLE)", NUMBER)
        if any(isinstance(arg, ast.Star) for arg in args):
            raise self.error("'*' only stands in count(*)", expr)
        if name == "pct":
            self.arity(expr, 2)
            percent = args[1]
            if not isinstance(percent, ast.Literal) or isinstance(percent.value, str):
                raise self.error("pct() takes a field and a percentile number", percent)
            if not 0 <= percent.value <= 100:
                raise self.error("the percentile must be between 0 and 100", percent)
            number = self.as_number(self.value(state, args[0]))
            return Value(f"quantile_disc({number}, {float(percent.value) / 100!r})", NUMBER)
        self.arity(expr, 1)
        value = self.value(state, args[0])
        if name == "count_distinct":
            return Value(f"CAST(count(DISTINCT {value.sql}) AS DOUBLE)", NUMBER)
        if name in ("min", "max") and value.kind == TIMESTAMP:
            return Value(f"{name}({value.sql})", TIMESTAMP)
        return Value(f"{name}({self.as_number(value)})", NUMBER)

    # -- views of a value ---------------------------------------------------------------------

    def as_text(self, value: Value) -> str:
        if value.kind == JSON:
            return f"li_text({value.sql})"
        if value.kind == STRING:
            return value.sql
        if value.kind == BOOL:
            return f"(CASE WHEN {value.sql} THEN 'true' ELSE 'false' END)"
        if value.kind == TIMESTAMP:
            return f"CAST({value.sql} AS VARCHAR)"
        # A whole number reads without ".0", as Logs Insights prints it.
        number = value.sql
        return (
            f"(CASE WHEN {number} = trunc({number}) AND abs({number}) < 1e15 "
            f"THEN CAST(CAST({number} AS BIGINT) AS VARCHAR) ELSE CAST({number} AS VARCHAR) END)"
        )

    def as_number(self, value: Value) -> str:
        if value.kind == NUMBER:
            return value.sql
        if value.kind == TIMESTAMP:
            return f"CAST({value.sql} AS DOUBLE)"
        if value.kind == BOOL:
            return f"CAST(CAST({value.sql} AS INTEGER) AS DOUBLE)"
        return f"li_num({self.as_text(value)})"

    def sort_key(self, state: _State, key: ast.SortKey) -> str:
        name = key.expr.name if isinstance(key.expr, ast.Field) else self.source_text(key.expr)
        if not isinstance(key.expr, ast.Field) and name in state.scope:
            value = state.scope[name]  # e.g. sort count(*) desc after stats
        elif isinstance(key.expr, ast.Call) and key.expr.name in AGGREGATES:
            raise self.error(
                f"sort on {name!r}: not a result of stats (name it with 'as')", key.expr
            )
        else:
            value = self.value(state, key.expr)
        if value.kind == BOOL:
            raise self.unsupported("sorting by a condition is not supported", key.expr)
        return self.order(value, descending=key.descending)

    def order(self, value: Value, *, descending: bool) -> str:
        direction = "DESC" if descending else "ASC"
        if value.kind in (NUMBER, TIMESTAMP):
            return f"{value.sql} {direction} NULLS LAST"
        # Natural order: missing last, non-numbers before numbers (ascending), numbers by value,
        # text by Unicode with digit runs compared by length then value.
        text = self.as_text(value)
        number = f"li_num({text})"
        return (
            f"({value.sql} IS NULL) ASC, ({number} IS NOT NULL) {direction}, "
            f"{number} {direction} NULLS LAST, li_natural({text}) {direction}"
        )
