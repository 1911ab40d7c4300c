"""The syntax tree of an expression, and its canonical text (unparse).

Nodes are frozen and compare by structure only: the `pos` (0-based column in
the text the node was parsed from) is kept for error messages but ignored by
==, so that parse(unparse(tree)) == tree can be tested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Level(IntEnum):
    """Binding strength, loosest first (the precedence table of docs/expressions.md)."""

    PIPE = 0  # a | f(x)   applies to everything on its left
    CONDITIONAL = 1  # a ? b : c        (right to left)
    COALESCE = 2  # a ?? b
    OR = 3  # a or b
    AND = 4  # a and b
    NOT = 5  # not a
    COMPARE = 6  # == != < <= > >= in, not in  (no chaining)
    ADD = 7  # + -
    MULTIPLY = 8  # * / // %
    UNARY = 9  # -a
    POSTFIX = 10  # a.b  a[i]
    ATOM = 11  # literals, names, f(x), (…), […]


BINARY_LEVELS: dict[str, Level] = {
    "??": Level.COALESCE,
    "or": Level.OR,
    "and": Level.AND,
    "==": Level.COMPARE,
    "!=": Level.COMPARE,
    "<": Level.COMPARE,
    "<=": Level.COMPARE,
    ">": Level.COMPARE,
    ">=": Level.COMPARE,
    "in": Level.COMPARE,
    "not in": Level.COMPARE,
    "+": Level.ADD,
    "-": Level.ADD,
    "*": Level.MULTIPLY,
    "/": Level.MULTIPLY,
    "//": Level.MULTIPLY,
    "%": Level.MULTIPLY,
}


class Node:
    """Base of all nodes; `depth` is the height of the subtree (a leaf is 1)."""

    __slots__ = ()
    depth: int
    pos: int

    def children(self) -> tuple[Node, ...]:
        return ()

    def _set_depth(self) -> None:
        kids = self.children()
        object.__setattr__(self, "depth", 1 + max((k.depth for k in kids), default=0))


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Any  # None, bool, int, float or str
    pos: int = field(default=0, compare=False)
    depth: int = field(default=1, compare=False, init=False)


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    items: tuple[Node, ...]
    pos: int = field(default=0, compare=False)
    depth: int = field(default=1, compare=False, init=False)

    def __post_init__(self) -> None:
        self._set_depth()

    def children(self) -> tuple[Node, ...]:
        return self.items


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str
    pos: int = field(default=0, compare=False)
    depth: int = field(default=1, compare=False, init=False)


@dataclass(frozen=True, slots=True)
class Index(Node):
    """`target.key` and `target[key]` are the same node."""

    target: Node
    key: Node
    pos: int = field(default=0, compare=False)
    depth: int = field(default=1, compare=False, init=False)

    def __post_init__(self) -> None:
        self._set_depth()

    def children(self) -> tuple[Node, ...]:
        return (self.target, self.key)


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "-" or "not"
    operand: Node
    pos: int = field(default=0, compare=False)
    depth: int = field(default=1, compare=False, init=False)

    def __post_init__(self) -> None:
        self._set_depth()

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str  # a key of BINARY_LEVELS
    left: Node
    right: Node
    pos: int = field(default=0, compare=False)
    depth: int = field(default=1, compare=False, init=False)

    def __post_init__(self) -> None:
        self._set_depth()

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True)
class Conditional(Node):
    test: Node
    then: Node
    otherwise: Node
    pos: int = field(default=0, compare=False)
    depth: int = field(default=1, compare=False, init=False)

    def __post_init__(self) -> None:
        self._set_depth()

    def children(self) -> tuple[Node, ...]:
        return (self.test, self.then, self.otherwise)


@dataclass(frozen=True, slots=True)
class Call(Node):
    function: str
    args: tuple[Node, ...]
    pos: int = field(default=0, compare=False)
    depth: int = field(default=1, compare=False, init=False)

    def __post_init__(self) -> None:
        self._set_depth()

    def children(self) -> tuple[Node, ...]:
        return self.args


@dataclass(frozen=True, slots=True)
class Filter(Node):
    value: Node
    name: str
    args: tuple[Node, ...]
    pos: int = field(default=0, compare=False)
    depth: int = field(default=1, compare=False, init=False)

    def __post_init__(self) -> None:
        self._set_depth()

    def children(self) -> tuple[Node, ...]:
        return (self.value, *self.args)


def level_of(node: Node) -> Level:
    """How tightly a node binds, to decide where unparse needs parentheses."""
    if isinstance(node, Conditional):
        return Level.CONDITIONAL
    if isinstance(node, Binary):
        return BINARY_LEVELS[node.op]
    if isinstance(node, Unary):
        return Level.NOT if node.op == "not" else Level.UNARY
    if isinstance(node, Index):
        return Level.POSTFIX
    return Level.ATOM  # a filter where one may stand acts as a single value


def is_plain_name(text: str) -> bool:
    """Whether `text` lexes as one name (so `a.text` can stand for `a['text']`)."""
    if not text or not (text[0].isalpha() or text[0] == "_"):
        return False
    return all(ch.isalnum() or ch == "_" for ch in text)


_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quote(text: str) -> str:
    """The canonical string literal: single quotes, escapes for controls."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def literal_text(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return quote(value)
    return repr(value)  # int or float; repr keeps floats exact


def unparse(node: Node) -> str:
    """The canonical text of a tree: parsing it again gives an equal tree."""
    return _unparse(node, lead=True)


def _unparse(node: Node, lead: bool) -> str:
    """`lead`: the node starts its context (the text, or just after a bracket,
    `?` or `,`), so nothing on its left could be pulled into a bare filter."""
    if isinstance(node, Literal):
        return literal_text(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, ListLiteral):
        return "[" + _items(node.items) + "]"
    if isinstance(node, Call):
        return f"{node.function}({_items(node.args)})"
    if isinstance(node, Index):
        target = _wrap(node.target, Level.POSTFIX, lead)
        key = node.key
        if isinstance(key, Literal) and isinstance(key.value, str) and is_plain_name(key.value):
            return f"{target}.{key.value}"
        return f"{target}[{unparse(key)}]"
    if isinstance(node, Unary):
        if node.op == "not":
            return "not " + _wrap(node.operand, Level.NOT, lead=False)
        return "-" + _wrap(node.operand, Level.UNARY, lead=False)
    if isinstance(node, Binary):
        level = BINARY_LEVELS[node.op]
        # Left to right: the left operand may share the level, the right may not;
        # comparisons do not chain, so neither side may be a comparison.
        left_min = Level(level + 1) if level == Level.COMPARE else level
        left = _wrap(node.left, left_min, lead)
        right = _wrap(node.right, Level(level + 1), lead=False)
        return f"{left} {node.op} {right}"
    if isinstance(node, Conditional):
        test = _wrap(node.test, Level.COALESCE, lead)
        otherwise = _wrap(node.otherwise, Level.CONDITIONAL, lead=False)
        return f"{test} ? {unparse(node.then)} : {otherwise}"
    if isinstance(node, Filter):
        value = _unparse(node.value, lead)  # the filter takes all of it
        if node.args:
            return f"{value} | {node.name}({_items(node.args)})"
        return f"{value} | {node.name}"
    msg = f"not a syntax tree node: {node!r}"
    raise TypeError(msg)


def _items(nodes: tuple[Node, ...]) -> str:
    return ", ".join(unparse(item) for item in nodes)


def _wrap(node: Node, minimum: Level, lead: bool) -> str:
    """The node's text, bracketed if it binds too loosely for its place, or if
    it is a filter that is not at the start (it would take more on its left)."""
    if level_of(node) < minimum or (isinstance(node, Filter) and not lead):
        return f"({unparse(node)})"
    return _unparse(node, lead)
