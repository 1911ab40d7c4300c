"""Property-based tests: the parser refuses any text only with ExpressionError,
evaluation fails only with item errors, and unparse is a faithful inverse."""

from __future__ import annotations

import contextlib
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pictify_raster.errors import ExpressionError, ItemError
from pictify_raster.expr import compile_template, parse
from pictify_raster.expr.filters import FILTERS
from pictify_raster.expr.functions import FUNCTIONS
from pictify_raster.expr.lexer import KEYWORDS
from pictify_raster.expr.nodes import (
    BINARY_LEVELS,
    Binary,
    Call,
    Conditional,
    Filter,
    Index,
    ListLiteral,
    Literal,
    Name,
    Node,
    Unary,
    unparse,
)

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ROW: dict[str, Any] = {
    "a": 1,
    "b": 2.5,
    "s": "text {0} %s",
    "t": "",
    "l": [1, "x", None],
    "o": {"k": "v", "n": 0},
    "z": None,
    "f": True,
}

PIECES = [
    "a", "b", "s", "t", "l", "o", "z", "f", "missing", "o.k", "l[0]", "l[9]", "o.q",
    "1", "0", "2.5", "1e3", "'x'", '"y"', "''", "true", "false", "null",
    "+", "-", "*", "/", "//", "%", "==", "!=", "<", "<=", ">", ">=", "in", "not",
    "and", "or", "??", "?", ":", "|", "(", ")", "[", "]", ",", ".",
    "upper", "truncate(2)", "default(1)", "currency('USD')", "date", "join", "round(1)",
    "number(2, 'de_DE')", "percent", "first", "length", "len(", "min(", "coalesce(",
    "{{", "}}", "{", "'", "\\", "#",
]  # fmt: skip

token_soup = st.lists(st.sampled_from(PIECES), max_size=12).map(" ".join)


@FAST
@given(st.text(max_size=120))
def test_parser_raises_only_expression_error_on_any_text(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        parse(text)


@FAST
@given(st.text(max_size=120))
def test_template_compiler_raises_only_expression_error(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        compile_template(text)


@FAST
@given(token_soup)
def test_token_soup_parses_evaluates_and_round_trips(text: str) -> None:
    try:
        expr = parse(text)
    except ExpressionError as err:
        assert err.column is not None and 0 <= err.column <= len(text)
        return
    canonical = expr.unparse()
    again = parse(canonical)
    assert again.tree == expr.tree
    assert again.unparse() == canonical
    with contextlib.suppress(ItemError):
        expr.evaluate(ROW)


@FAST
@given(token_soup)
def test_token_soup_templates(text: str) -> None:
    try:
        template = compile_template("<" + text + "> {{ " + text + " }}")
    except ExpressionError:
        return
    with contextlib.suppress(ItemError):
        template.evaluate(ROW, locale="fr_FR")


# -- generated trees ----------------------------------------------------------

identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True).filter(
    lambda name: name not in KEYWORDS
)
numbers = st.one_of(
    st.integers(min_value=0, max_value=10**12),
    st.floats(min_value=0, max_value=1e15, allow_nan=False).filter(
        lambda x: math.copysign(1.0, x) > 0
    ),
)
literals = st.one_of(
    numbers,
    st.text(max_size=8),
    st.sampled_from([True, False, None]),
).map(Literal)
leaves: st.SearchStrategy[Node] = st.one_of(literals, identifiers.map(Name))


def _fit(args: list[Node], low: int, high: int) -> tuple[Node, ...]:
    """The arguments cut or padded to a count the filter or function accepts."""
    count = max(low, min(len(args), high))
    return tuple((args + [Literal(1)] * count)[:count])


def _filter(value: Node, name: str, args: list[Node]) -> Node:
    spec = FILTERS[name]
    return Filter(value, name, _fit(args, spec.min_args, spec.max_args))


def _call(name: str, args: list[Node]) -> Node:
    spec = FUNCTIONS[name]
    return Call(name, _fit(args, spec.min_args, spec.max_args))


def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.lists(children, max_size=3).map(lambda items: ListLiteral(tuple(items))),
        st.builds(Index, children, st.one_of(children, identifiers.map(Literal))),
        st.builds(Unary, st.sampled_from(["-", "not"]), children),
        st.builds(Binary, st.sampled_from(sorted(BINARY_LEVELS)), children, children),
        st.builds(Conditional, children, children, children),
        st.builds(
            _filter, children, st.sampled_from(sorted(FILTERS)), st.lists(children, max_size=3)
        ),
        st.builds(_call, st.sampled_from(sorted(FUNCTIONS)), st.lists(children, max_size=3)),
    )


trees = st.recursive(leaves, extend, max_leaves=25)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_unparse_then_parse_gives_the_same_tree(tree: Node) -> None:
    text = unparse(tree)
    assert parse(text).tree == tree
    assert unparse(parse(text).tree) == text
