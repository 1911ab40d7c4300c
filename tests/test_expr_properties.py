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
    evaluates_cleanly(expr.evaluate, ROW)


@FAST
@given(token_soup)
def test_token_soup_templates(text: str) -> None:
    try:
        template = compile_template("<" + text + "> {{ " + text + " }}")
    except ExpressionError:
        return
    evaluates_cleanly(template.evaluate, ROW, locale="fr_FR")


def evaluates_cleanly(run: Any, *args: Any, **kwargs: Any) -> None:
    """Evaluation gives a value or an item error of ours, never an internal one
    (Expression.evaluate turns those into a bare "could not evaluate")."""
    try:
        run(*args, **kwargs)
    except ItemError as err:
        assert not err.message.startswith("could not evaluate"), err.message


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
leaves: st.SearchStrategy[Node] = st.one_of(
    literals, st.sampled_from(sorted(ROW)).map(Name), identifiers.map(Name)
)


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
    evaluates_cleanly(parse(text).evaluate, ROW)


# -- every filter and function on any JSON-like value ---------------------------

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=12),
        st.sampled_from(["1,299.00", "2024-01-05", "2024-01-05T10:00:00Z", "USD", "de_DE", ""]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(FILTERS)),
    json_values,
    st.lists(json_values, max_size=3),
)
def test_any_filter_on_any_value_fails_only_cleanly(name: str, value: Any, args: list[Any]) -> None:
    spec = FILTERS[name]
    count = max(spec.min_args, min(len(args), spec.max_args))
    args = (args + [None] * count)[:count]
    names = [f"a{i}" for i in range(count)]
    source = f"v | {name}({', '.join(names)})" if names else f"v | {name}"
    variables = {"v": value, **dict(zip(names, args, strict=True))}
    evaluates_cleanly(parse(source).evaluate, variables)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(FUNCTIONS)), st.lists(json_values, max_size=4))
def test_any_function_on_any_value_fails_only_cleanly(name: str, args: list[Any]) -> None:
    spec = FUNCTIONS[name]
    count = max(spec.min_args, min(len(args), spec.max_args))
    args = (args + [None] * count)[:count]
    names = [f"a{i}" for i in range(count)]
    variables = dict(zip(names, args, strict=True))
    evaluates_cleanly(parse(f"{name}({', '.join(names)})").evaluate, variables)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(BINARY_LEVELS)), json_values, json_values)
def test_any_operator_on_any_values_fails_only_cleanly(op: str, left: Any, right: Any) -> None:
    evaluates_cleanly(parse(f"a {op} b").evaluate, {"a": left, "b": right})
    evaluates_cleanly(parse("-a").evaluate, {"a": left})
    evaluates_cleanly(parse("a[b]").evaluate, {"a": left, "b": right})
    evaluates_cleanly(compile_template("{{ a }} {{ b }}").evaluate, {"a": left, "b": right})
