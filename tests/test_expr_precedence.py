"""The precedence table of docs/expressions.md, row by row: each expression
parses to the same tree as its fully bracketed reading, and unparse writes
the canonical form back."""

from __future__ import annotations

import pytest

from pictify_raster.errors import ExpressionError
from pictify_raster.expr import evaluate, parse

# (as written, as grouped) — loosest binding first, as in the documented table.
GROUPING: list[tuple[str, str]] = [
    # 0. | applies to everything on its left; the filtered value goes on
    ("a + b | upper", "(a + b) | upper"),
    ("a ?? b | upper", "(a ?? b) | upper"),
    ("a ? b : c | upper", "(a ? b : c) | upper"),
    ("-a | abs", "(-a) | abs"),
    ("not a | length", "(not a) | length"),
    ("a * b | round(2)", "(a * b) | round(2)"),
    ("a | upper + b", "(a | upper) + b"),
    ("a | length > 2", "(a | length) > 2"),
    ("a | round ?? b", "(a | round) ?? b"),
    ("a + b | round * c", "((a + b) | round) * c"),
    ("a + b | round * c | abs", "(((a + b) | round) * c) | abs"),
    ("a.b | upper | lower", "((a.b) | upper) | lower"),
    ("a | split(',')[0]", "(a | split(','))[0]"),
    ("a | first.name", "(a | first).name"),
    ("a | round ? b : c", "(a | round) ? b : c"),
    ("a ? b | upper : c", "a ? (b | upper) : c"),
    ("'x' + (a | upper)", "'x' + (a | upper)"),
    ("len(a | upper)", "len((a | upper))"),
    ("[a | upper]", "[(a | upper)]"),
    ("x | default(a | upper)", "x | default((a | upper))"),
    # 1. cond ? a : b, right to left
    ("a ? b : c ? d : e", "a ? b : (c ? d : e)"),
    ("a ?? b ? c : d", "(a ?? b) ? c : d"),
    ("a ? b ?? c : d ?? e", "a ? (b ?? c) : (d ?? e)"),
    ("a ? b ? c : d : e", "a ? (b ? c : d) : e"),
    # 2. ?? binds looser than or
    ("a ?? b or c", "a ?? (b or c)"),
    ("a or b ?? c", "(a or b) ?? c"),
    ("a ?? b ?? c", "(a ?? b) ?? c"),
    # 3-4. or looser than and
    ("a or b and c", "a or (b and c)"),
    ("a and b or c and d", "(a and b) or (c and d)"),
    # 5. not looser than comparisons
    ("not a == b", "not (a == b)"),
    ("not a and b", "(not a) and b"),
    ("not not a", "not (not a)"),
    ("a and not b", "a and (not b)"),
    # 6. comparisons looser than arithmetic
    ("a + 1 == b * 2", "(a + 1) == (b * 2)"),
    ("a < b + c", "a < (b + c)"),
    ("a in b + c", "a in (b + c)"),
    ("a not in b", "a not in b"),
    ("a == b and c != d", "(a == b) and (c != d)"),
    # 7-8. + - looser than * / // %, each left to right
    ("a + b * c", "a + (b * c)"),
    ("a - b - c", "(a - b) - c"),
    ("a / b * c", "(a / b) * c"),
    ("a // b % c", "(a // b) % c"),
    ("a - b + c", "(a - b) + c"),
    # 9. unary minus tighter than * but looser than . and []
    ("-a * b", "(-a) * b"),
    ("-a.b", "-(a.b)"),
    ("- -a", "-(-a)"),
    # 10. . and [], left to right
    ("a.b[0].c", "((a.b)[0]).c"),
    ("a[b ? c : d]", "a[(b ? c : d)]"),
]


@pytest.mark.parametrize(("written", "grouped"), GROUPING)
def test_grouping(written: str, grouped: str) -> None:
    assert parse(written).tree == parse(grouped).tree


CANONICAL: list[tuple[str, str]] = [
    ("a+b*c", "a + b * c"),
    ("(a+b)*c", "(a + b) * c"),
    ("a-(b-c)", "a - (b - c)"),
    ("(a-b)-c", "a - b - c"),
    ("a ? b : (c ? d : e)", "a ? b : c ? d : e"),
    ("(a ? b : c) ? d : e", "(a ? b : c) ? d : e"),
    ("(a+b)|upper", "a + b | upper"),
    ("a + (b | upper)", "a + (b | upper)"),
    ("(a | upper) + b", "a | upper + b"),
    ("-(a | abs)", "-(a | abs)"),
    ("(-a) | abs", "-a | abs"),
    ("a ? b : (c | upper)", "a ? b : (c | upper)"),
    ("(a ? b : c) | upper", "a ? b : c | upper"),
    ("a ? (b | upper) : c", "a ? b | upper : c"),
    ("((a | round) * c) | abs", "a | round * c | abs"),
    ("(a | round).x", "a | round.x"),
    ("b + (a | round).x", "b + (a | round).x"),
    ("x|upper()", "x | upper"),
    ("x | truncate( 3 , '…' )", "x | truncate(3, '…')"),
    ("len((a | upper))", "len(a | upper)"),
    ('a["b"]', "a.b"),
    ("a['b c']", "a['b c']"),
    ("a . true", "a.true"),
    ('"it\'s"', "'it\\'s'"),
    ("'tab\\t'", "'tab\\t'"),
    ("[1,2,]", "[1, 2]"),
    ("not(a)", "not a"),
    ("a == (not b)", "a == (not b)"),
    ("1.50", "1.5"),
    ("1e3", "1000.0"),
    ("(a == b) == c", "(a == b) == c"),
]


@pytest.mark.parametrize(("written", "canonical"), CANONICAL)
def test_unparse_is_canonical(written: str, canonical: str) -> None:
    expr = parse(written)
    assert expr.unparse() == canonical
    assert str(expr) == canonical
    assert parse(canonical).tree == expr.tree


@pytest.mark.parametrize("source", ["a < b < c", "a == b != c", "a in b in c"])
def test_comparisons_do_not_chain(source: str) -> None:
    with pytest.raises(ExpressionError, match="cannot be chained"):
        parse(source)


def test_values_follow_the_table() -> None:
    row = {"a": 2, "b": 3, "c": 4, "s": "ab"}
    assert evaluate("a + b * c", row) == 14
    assert evaluate("-a * b", row) == -6
    assert evaluate("a * b | round", row) == 6
    assert evaluate("a / c | round(1) * 10", row) == 5.0
    assert evaluate("s + s | upper", row) == "ABAB"
    assert evaluate("s + (s | upper)", row) == "abAB"
    assert evaluate("-a | abs", row) == 2
    assert evaluate("missing ?? s | upper", row) == "AB"
    assert evaluate("a > 1 and b > 1 ? 'both' : 'no'", row) == "both"
    assert evaluate("not a > 5", row) is True
