"""Recursive-descent parser: query text -> :class:`~naver_sms.ops.insights.syntax.Query`.

Grammar (the part of Logs Insights QL this tool runs; docs/ops/logs-query.md)::

    query      := command ("|" command)*
    command    := "fields" item ("," item)*     | "display" name ("," name)*
                | "filter" expr                 | "stats" item ("," item)* ["by" item ("," item)*]
                | "sort" expr [asc|desc] ("," ...)* | "limit" INT
                | "parse" name (STRING | REGEX) ["as" name ("," name)*]
    item       := expr ["as" name]
    expr       := and ("or" and)*        and := not ("and" not)*     not := "not" not | compare
    compare    := sum [("=" | "!=" | "<" | "<=" | ">" | ">=") sum
                       | ["not"] "in" "[" literal ("," literal)* "]"
                       | ["not"] "like" (STRING | REGEX) | "=~" REGEX]
    sum        := product (("+" | "-") product)*    product := unary (("*" | "/" | "%") unary)*
    unary      := "-" unary | primary
    primary    := NUMBER | STRING | DURATION | name | name "(" [arg ("," arg)*] ")" | "(" expr ")"

Nesting is bounded (:data:`MAX_DEPTH`) and so is the query (CloudWatch's own 10,000
characters), so no input can exhaust the stack or hang the parser.
"""

from __future__ import annotations

from typing import Final

from naver_sms.ops.insights import syntax as ast
from naver_sms.ops.insights.errors import QueryError, UnsupportedSyntax
from naver_sms.ops.insights.tokens import (
    DURATION,
    END,
    NAME,
    NUMBER,
    OP,
    STRING,
    Scanner,
    Token,
)

MAX_QUERY_CHARS: Final = 10_000
MAX_DEPTH: Final = 64
RESERVED: Final = frozenset({"and", "or", "not", "in", "like", "as", "by", "asc", "desc"})
COMMANDS: Final = frozenset({"fields", "display", "filter", "stats", "sort", "limit", "parse"})
# Logs Insights commands this tool does not translate: named so the error says so.
UNSUPPORTED_COMMANDS: Final = frozenset(
    {
        "dedup",
        "unnest",
        "pattern",
        "diff",
        "anomaly",
        "lookup",
        "unmask",
        "filterindex",
        "source",
        "join",
        "addtotals",
        "fillnull",
        "eval",
    }
)
COMPARISONS: Final = ("=", "!=", "<", "<=", ">", ">=")


def parse_query(text: str) -> ast.Query:
    """Parse `text`; raises :class:`QueryError` (or :class:`UnsupportedSyntax`) with position."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"query is {len(text):,} characters; Logs Insights allows {MAX_QUERY_CHARS:,}",
            text,
            MAX_QUERY_CHARS,
            text[MAX_QUERY_CHARS : MAX_QUERY_CHARS + 10],
        )
    return _Parser(text).query()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.scanner = Scanner(text)
        self.tok = self.scanner.token(0)
        self.depth = 0

    # -- tokens -------------------------------------------------------------------------------

    def advance(self) -> Token:
        token = self.tok
        self.tok = self.scanner.token(token.end)
        return token

    def error(self, message: str, token: Token | None = None) -> QueryError:
        token = token or self.tok
        return QueryError(message, self.text, token.start, token.text)

    def unsupported(self, message: str, token: Token | None = None) -> UnsupportedSyntax:
        token = token or self.tok
        return UnsupportedSyntax(message, self.text, token.start, token.text)

    def expect_op(self, op: str, what: str) -> Token:
        if not self.tok.is_op(op):
            raise self.error(f"expected {op!r} {what}")
        return self.advance()

    def name(self, what: str) -> Token:
        token = self.tok
        if token.kind != NAME or (not token.quoted and token.text.lower() in RESERVED):
            raise self.error(f"expected {what}")
        return self.advance()

    def regex_or_string(self, what: str, *, string_allowed: bool) -> ast.Literal | ast.Regex:
        token = self.tok
        if token.is_op("/"):
            regex = self.scanner.regex(token.start)
            self.tok = self.scanner.token(regex.end)
            assert isinstance(regex.value, str)
            return ast.Regex(regex.start, regex.end, regex.value)
        if string_allowed and token.kind == STRING:
            self.advance()
            assert isinstance(token.value, str)
            return ast.Literal(token.start, token.end, token.value)
        raise self.error(f"expected {what}")

    # -- commands -----------------------------------------------------------------------------

    def query(self) -> ast.Query:
        commands = [self.command()]
        while self.tok.is_op("|"):
            self.advance()
            commands.append(self.command())
        if self.tok.kind != END:
            raise self.error("expected '|' or the end of the query")
        return ast.Query(self.text, tuple(commands))

    def command(self) -> ast.Command:
        token = self.tok
        word = token.text.lower() if token.kind == NAME and not token.quoted else ""
        if word in UNSUPPORTED_COMMANDS:
            raise self.unsupported(f"command {token.text!r} is not supported by logs-query")
        if word not in COMMANDS:
            raise self.error(
                "expected a command (fields, display, filter, stats, sort, limit, parse)"
            )
        self.advance()
        if word == "fields":
            return ast.Fields(token.start, self.tok.start, self.items())
        if word == "display":
            names = [self.field()]
            while self.tok.is_op(","):
                self.advance()
                names.append(self.field())
            return ast.Display(token.start, self.tok.start, tuple(names))
        if word == "filter":
            condition = self.expr()
            return ast.Filter(token.start, self.tok.start, condition)
        if word == "stats":
            aggregates = self.items()
            groups: tuple[ast.Item, ...] = ()
            if self.tok.is_keyword("by"):
                self.advance()
                groups = self.items()
            return ast.Stats(token.start, self.tok.start, aggregates, groups)
        if word == "sort":
            keys = [self.sort_key()]
            while self.tok.is_op(","):
                self.advance()
                keys.append(self.sort_key())
            return ast.Sort(token.start, self.tok.start, tuple(keys))
        if word == "limit":
            return self.limit(token)
        return self.parse_command(token)

    def items(self) -> tuple[ast.Item, ...]:
        found = [self.item()]
        while self.tok.is_op(","):
            self.advance()
            found.append(self.item())
        return tuple(found)

    def item(self) -> ast.Item:
        start = self.tok.start
        expr = self.expr()
        alias = None
        if self.tok.is_keyword("as"):
            self.advance()
            alias = self.name("a name after 'as'").name
        return ast.Item(start, self.tok.start, expr, alias)

    def field(self) -> ast.Field:
        token = self.name("a field name")
        return ast.Field(token.start, token.end, token.name)

    def sort_key(self) -> ast.SortKey:
        start = self.tok.start
        expr = self.expr()
        descending = False
        if self.tok.is_keyword("asc", "desc"):
            descending = self.advance().text.lower() == "desc"
        return ast.SortKey(start, self.tok.start, expr, descending)

    def limit(self, command: Token) -> ast.Limit:
        token = self.tok
        if token.kind != NUMBER or not isinstance(token.value, int):
            raise self.error("limit takes a whole number of rows")
        self.advance()
        assert isinstance(token.value, int)
        return ast.Limit(command.start, token.end, token.value)

    def parse_command(self, command: Token) -> ast.Parse:
        source = self.field()
        pattern = self.regex_or_string(
            "a glob pattern in quotes or a /regex/ with named groups", string_allowed=True
        )
        names: list[str] = []
        if self.tok.is_keyword("as"):
            as_token = self.advance()
            if isinstance(pattern, ast.Regex):
                raise self.error(
                    "a regex parse names its fields with (?<name>...) groups, not 'as'",
                    as_token,
                )
            names.append(self.name("a field name").name)
            while self.tok.is_op(","):
                self.advance()
                names.append(self.name("a field name").name)
        return ast.Parse(command.start, self.tok.start, source, pattern, tuple(names))

    # -- expressions --------------------------------------------------------------------------

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"expression nested more than {MAX_DEPTH} levels deep")

    def expr(self) -> ast.Expr:
        self.nested()
        added = 1
        try:
            left = self.conjunction()
            while self.tok.is_keyword("or"):
                self.advance()
                right = self.conjunction()
                left = ast.Binary(left.start, right.end, "or", left, right)
                self.nested()  # a long chain makes as deep a tree as nesting does
                added += 1
            return left
        finally:
            self.depth -= added

    def conjunction(self) -> ast.Expr:
        left = self.negation()
        added = 0
        try:
            while self.tok.is_keyword("and"):
                self.advance()
                right = self.negation()
                left = ast.Binary(left.start, right.end, "and", left, right)
                self.nested()
                added += 1
            return left
        finally:
            self.depth -= added

    def negation(self) -> ast.Expr:
        if self.tok.is_keyword("not"):
            token = self.advance()
            self.nested()
            try:
                operand = self.negation()
            finally:
                self.depth -= 1
            return ast.Unary(token.start, operand.end, "not", operand)
        return self.comparison()

    def comparison(self) -> ast.Expr:
        left = self.additive()
        token = self.tok
        if token.kind == OP and token.text in COMPARISONS:
            self.advance()
            right = self.additive()
            node: ast.Expr = ast.Binary(left.start, right.end, token.text, left, right)
        elif token.is_op("=~"):
            self.advance()
            regex = self.regex_or_string("a /regex/ after '=~'", string_allowed=False)
            node = ast.Match(left.start, regex.end, left, regex, negated=False)
        elif token.is_keyword("in", "like") or (
            token.is_keyword("not") and self._next_is_in_or_like(token)
        ):
            negated = token.is_keyword("not")
            if negated:
                self.advance()
            keyword = self.advance().text.lower()
            if keyword == "in":
                node = self.in_list(left, negated)
            else:
                pattern = self.regex_or_string(
                    "a string or a /regex/ after 'like'", string_allowed=True
                )
                node = ast.Match(left.start, pattern.end, left, pattern, negated)
        else:
            return left
        following = self.tok
        if (following.kind == OP and following.text in (*COMPARISONS, "=~")) or (
            following.is_keyword("in", "like")
        ):
            raise self.error("comparisons do not chain; combine them with 'and'", following)
        return node

    def _next_is_in_or_like(self, not_token: Token) -> bool:
        following = self.scanner.token(not_token.end)
        return following.is_keyword("in", "like")

    def in_list(self, operand: ast.Expr, negated: bool) -> ast.InList:
        self.expect_op("[", "after 'in' (a list of literals)")
        items = [self.literal()]
        while self.tok.is_op(","):
            self.advance()
            items.append(self.literal())
        end = self.expect_op("]", "to close the list")
        return ast.InList(operand.start, end.end, operand, tuple(items), negated)

    def literal(self) -> ast.Literal:
        token = self.tok
        sign = 1
        if token.is_op("-"):
            self.advance()
            sign = -1
            if self.tok.kind != NUMBER:
                raise self.error("expected a number after '-'")
        value_token = self.tok
        if value_token.kind not in (STRING, NUMBER):
            raise self.error("expected a string or a number")
        self.advance()
        value = value_token.value
        assert isinstance(value, str | int | float)
        if sign < 0:
            assert isinstance(value, int | float)
            value = -value
        return ast.Literal(token.start, value_token.end, value)

    def additive(self) -> ast.Expr:
        left = self.multiplicative()
        added = 0
        try:
            while self.tok.is_op("+", "-"):
                op = self.advance().text
                right = self.multiplicative()
                left = ast.Binary(left.start, right.end, op, left, right)
                self.nested()
                added += 1
            return left
        finally:
            self.depth -= added

    def multiplicative(self) -> ast.Expr:
        left = self.unary()
        added = 0
        try:
            while self.tok.is_op("*", "/", "%"):
                op = self.advance().text
                right = self.unary()
                left = ast.Binary(left.start, right.end, op, left, right)
                self.nested()
                added += 1
            return left
        finally:
            self.depth -= added

    def unary(self) -> ast.Expr:
        if self.tok.is_op("-"):
            token = self.advance()
            self.nested()
            try:
                operand = self.unary()
            finally:
                self.depth -= 1
            return ast.Unary(token.start, operand.end, "-", operand)
        return self.primary()

    def primary(self) -> ast.Expr:
        token = self.tok
        if token.kind == NUMBER:
            self.advance()
            assert isinstance(token.value, int | float)
            return ast.Literal(token.start, token.end, token.value)
        if token.kind == STRING:
            self.advance()
            assert isinstance(token.value, str)
            return ast.Literal(token.start, token.end, token.value)
        if token.kind == DURATION:
            self.advance()
            assert isinstance(token.value, int)
            return ast.Duration(token.start, token.end, token.value, token.text)
        if token.is_op("("):
            self.advance()
            inner = self.expr()
            self.expect_op(")", "to close '('")
            return inner
        if token.is_op("/"):
            raise self.error("a /regex/ only stands after 'like' or '=~', or in parse")
        if token.kind == NAME and (token.quoted or token.text.lower() not in RESERVED):
            self.advance()
            if self.tok.is_op("(") and not token.quoted:
                return self.call(token)
            return ast.Field(token.start, token.end, token.name)
        if token.kind == END:
            raise self.error("the query ends where an expression was expected")
        raise self.error("expected a field, a literal, a function call or '('")

    def call(self, name: Token) -> ast.Call:
        self.advance()  # "("
        self.nested()
        try:
            args: list[ast.Expr] = []
            if not self.tok.is_op(")"):
                args.append(self.argument())
                while self.tok.is_op(","):
                    self.advance()
                    args.append(self.argument())
            end = self.expect_op(")", f"to close {name.text}(")
        finally:
            self.depth -= 1
        return ast.Call(name.start, end.end, name.text.lower(), tuple(args))

    def argument(self) -> ast.Expr:
        if self.tok.is_op("*"):
            token = self.advance()
            return ast.Star(token.start, token.end)
        return self.expr()
