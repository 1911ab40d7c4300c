"""Recursive descent over the tokens, by precedence climbing for the operators.

Grammar (loosest first; docs/expressions.md has the table):

    expression  := conditional ("|" filter more)*
    more        := postfix-tail, then operators and a conditional continuing
                   with the filtered value as their first operand
    filter      := NAME ["(" args ")"]
    conditional := operators(??) ["?" expression ":" conditional]
    operators   := prefix (BINARY-OP operators)*          precedence climbing
    prefix      := "not" operators(not) | "-" prefix | postfix
    postfix     := atom ("." NAME | "[" expression "]")*
    atom        := literal | NAME | NAME "(" args ")" | "(" expression ")" | "[" args "]"

A filter applies to everything on its left, up to the start or an opening
bracket, as a shell pipe does: `brand ?? '' | upper` upper-cases the result of
`??`. The filtered value may then take part in more operators, read from left
to right: `tags | length > 2` is `(tags | length) > 2`.

Unknown filters and functions, and wrong argument counts, are syntax errors:
they are found when the layout loads, not on the first row.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import TypeVar

from pictify_raster.errors import ExpressionError

from .lexer import Kind, Token, describe_token, syntax_error
from .limits import Limits
from .nodes import (
    BINARY_LEVELS,
    Binary,
    Call,
    Conditional,
    Filter,
    Index,
    Level,
    ListLiteral,
    Literal,
    Name,
    Node,
    Unary,
)
from .signatures import FILTER_ARITY, FUNCTION_ARITY

_CONSTANTS = {"true": True, "false": False, "null": None}
T = TypeVar("T")


class Parser:
    def __init__(self, text: str, tokens: list[Token], limits: Limits) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0
        self.limits = limits
        self.nesting = 0

    # -- entry -------------------------------------------------------------

    def parse(self) -> Node:
        if self.token.kind in (Kind.END, Kind.CLOSE):
            msg = "empty expression; expected a value"
            raise self.error(msg)
        node = self.expression()
        if self.token.kind not in (Kind.END, Kind.CLOSE):
            raise self.error(self._trailing_hint())
        return node

    def _trailing_hint(self) -> str:
        found = describe_token(self.token)
        if self.token.text == ":":
            return "found ':' without a '?' before it; write cond ? a : b"
        if self.token.kind in (Kind.NAME, Kind.NUMBER, Kind.STRING):
            return f"expected an operator or the end of the expression, found {found}"
        return f"expected the end of the expression, found {found}"

    # -- helpers -----------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind not in (Kind.END, Kind.CLOSE):
            self.index += 1
        return token

    def at(self, text: str) -> bool:
        token = self.token
        return token.text == text and token.kind in (Kind.OP, Kind.KEYWORD)

    def expect(self, text: str, context: str) -> Token:
        if not self.at(text):
            msg = f"expected {text!r} {context}, found {describe_token(self.token)}"
            raise self.error(msg)
        return self.advance()

    def error(self, message: str, pos: int | None = None) -> ExpressionError:
        return syntax_error(self.text, self.token.pos if pos is None else pos, message)

    def checked(self, node: Node) -> Node:
        """Refuse trees deeper than the limit (evaluation recurses on them)."""
        limit = self.limits.max_depth
        if node.depth > limit:
            msg = f"expression nests more than {limit} levels deep (limit max_depth)"
            raise self.error(msg, node.pos)
        return node

    def nested(self, parse: Callable[[], T]) -> T:
        """Parse a bracketed part, bounding how deep brackets may nest."""
        self.nesting += 1
        if self.nesting > self.limits.max_depth:
            msg = f"brackets nest more than {self.limits.max_depth} levels deep (limit max_depth)"
            raise self.error(msg)
        try:
            return parse()
        finally:
            self.nesting -= 1

    # -- grammar -----------------------------------------------------------

    def filter(self, value: Node, bar: Token) -> Node:
        name_token = self.token
        if name_token.kind is not Kind.NAME:
            msg = f"expected a filter name after '|', found {describe_token(name_token)}"
            raise self.error(msg)
        self.advance()
        name = name_token.text
        args: tuple[Node, ...] = ()
        if self.at("("):
            args = self.arguments(f"of filter {name!r}")
        self.check_arity("filter", name, len(args), FILTER_ARITY, name_token.pos)
        return Filter(value, name, args, pos=bar.pos)

    def arguments(self, context: str) -> tuple[Node, ...]:
        """`( a, b, … )` with the opening bracket as the current token."""
        self.advance()
        return self.nested(lambda: self.items(")", f"to close the arguments {context}"))

    def items(self, closer: str, context: str) -> tuple[Node, ...]:
        items: list[Node] = []
        while not self.at(closer):
            items.append(self.expression())
            if not self.at(","):
                break
            self.advance()
        self.expect(closer, context)
        return tuple(items)

    def check_arity(
        self, kind: str, name: str, count: int, table: dict[str, tuple[int, int]], pos: int
    ) -> None:
        if name not in table:
            msg = f"unknown {kind} {name!r}{_suggest(name, table)}"
            if kind == "function" and name in FILTER_ARITY:
                msg = f"{name!r} is a filter, not a function: write value | {name}(…)"
            raise self.error(msg, pos)
        low, high = table[name]
        if not low <= count <= high:
            wanted = str(low) if low == high else f"{low} to {high}"
            plural = "s" if high != 1 else ""
            msg = f"{kind} {name!r} takes {wanted} argument{plural}, got {count}"
            raise self.error(msg, pos)

    def expression(self) -> Node:
        node = self.conditional()
        while self.at("|"):
            node = self.checked(self.filter(node, self.advance()))
            # The filtered value goes on as the first operand of what follows.
            node = self.conditional(self.postfix_tail(node))
        return node

    def conditional(self, first: Node | None = None) -> Node:
        test = self.operators(Level.COALESCE, first)
        if not self.at("?"):
            return test
        mark = self.advance()
        then = self.nested(self.expression)
        self.expect(":", "after the value for true in 'cond ? a : b'")
        otherwise = self.nested(self.conditional)
        return self.checked(Conditional(test, then, otherwise, pos=mark.pos))

    def operators(self, minimum: Level, first: Node | None = None) -> Node:
        left = self.prefix(minimum) if first is None else first
        compared = False
        while True:
            op = self.binary_operator()
            if op is None:
                return left
            level = BINARY_LEVELS[op]
            if level < minimum:
                return left
            if level == Level.COMPARE and compared:
                msg = "comparisons cannot be chained; combine them with 'and'"
                raise self.error(msg)
            mark = self.token
            self.advance()
            if op == "not in":
                self.advance()
            right = self.operators(Level(level + 1))
            left = self.checked(Binary(op, left, right, pos=mark.pos))
            compared = level == Level.COMPARE

    def binary_operator(self) -> str | None:
        token = self.token
        if token.kind is Kind.OP and token.text in BINARY_LEVELS:
            return token.text
        if token.kind is Kind.KEYWORD:
            if token.text in ("and", "or", "in"):
                return token.text
            following = self.tokens[self.index + 1]
            if token.text == "not" and following.text == "in" and following.kind is Kind.KEYWORD:
                return "not in"
        return None

    def prefix(self, minimum: Level) -> Node:
        token = self.token
        if token.kind is Kind.KEYWORD and token.text == "not":
            if minimum > Level.NOT:
                msg = "put 'not …' in parentheses when it is an operand: (not x)"
                raise self.error(msg)
            self.advance()
            operand = self.nested(lambda: self.operators(Level.NOT))
            return self.checked(Unary("not", operand, pos=token.pos))
        if self.at("-"):
            self.advance()
            operand = self.nested(lambda: self.prefix(Level.UNARY))
            return self.checked(Unary("-", operand, pos=token.pos))
        return self.postfix()

    def postfix(self) -> Node:
        return self.postfix_tail(self.atom())

    def postfix_tail(self, node: Node) -> Node:
        """Key look-ups and indexes after a value: a.b[0].c"""
        while True:
            if self.at("."):
                self.advance()
                key = self.token
                if key.kind not in (Kind.NAME, Kind.KEYWORD):
                    msg = f"expected a key name after '.', found {describe_token(key)}"
                    raise self.error(msg)
                self.advance()
                node = Index(node, Literal(key.text, pos=key.pos), pos=key.pos)
            elif self.at("["):
                mark = self.advance()
                key_node = self.nested(self.expression)
                self.expect("]", "to close '['")
                node = Index(node, key_node, pos=mark.pos)
            elif self.at("("):
                msg = "only functions can be called, by name: len(x)"
                raise self.error(msg)
            else:
                return node
            self.checked(node)

    def atom(self) -> Node:
        token = self.token
        if token.kind in (Kind.NUMBER, Kind.STRING):
            self.advance()
            return Literal(token.value, pos=token.pos)
        if token.kind is Kind.KEYWORD and token.text in _CONSTANTS:
            self.advance()
            return Literal(_CONSTANTS[token.text], pos=token.pos)
        if token.kind is Kind.NAME:
            self.advance()
            if self.at("("):
                args = self.arguments(f"of {token.text}()")
                self.check_arity("function", token.text, len(args), FUNCTION_ARITY, token.pos)
                return self.checked(Call(token.text, args, pos=token.pos))
            return Name(token.text, pos=token.pos)
        if self.at("("):
            self.advance()
            node = self.nested(self.expression)
            self.expect(")", "to close '('")
            return node
        if self.at("["):
            self.advance()
            items = self.nested(lambda: self.items("]", "to close the list"))
            return self.checked(ListLiteral(items, pos=token.pos))
        msg = f"expected a value, found {describe_token(token)}"
        raise self.error(msg)


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
