"""No row or layout can make an expression allocate gigabytes, recurse without
bound or spin: every limit fails fast with an ExpressionError naming it."""

from __future__ import annotations

import time

import pytest

from pictify_raster.errors import ExpressionError
from pictify_raster.expr import Limits, compile_template, evaluate, parse


def fails_fast(source: str, variables: dict[str, object] | None = None) -> ExpressionError:
    start = time.perf_counter()
    with pytest.raises(ExpressionError) as info:
        evaluate(source, variables or {})
    assert time.perf_counter() - start < 0.5
    return info.value


def test_string_repetition_is_refused_before_allocating() -> None:
    err = fails_fast("'x' * 1000000000")
    assert "max_string_length" in err.message


def test_growth_by_doubling_is_refused() -> None:
    big = "x" * 600_000
    assert "max_string_length" in fails_fast("s + s", {"s": big}).message
    assert "max_string_length" in fails_fast("s | replace('x', 'yy')", {"s": big}).message
    assert "from 0 to 1000000" in fails_fast("s | pad_start(2000000)", {"s": "a"}).message
    assert "max_list_length" in fails_fast("l + l", {"l": list(range(6000))}).message
    assert "max_list_length" in fails_fast("s | split('')", {"s": "ab" * 6000}).message


def test_500_nested_brackets_fail_at_parse_time() -> None:
    for source in ("(" * 500 + "1" + ")" * 500, "[" * 500 + "]" * 500, "-" * 500 + "1"):
        start = time.perf_counter()
        with pytest.raises(ExpressionError) as info:
            parse(source)
        assert "max_depth" in info.value.message
        assert time.perf_counter() - start < 0.5


def test_long_operator_chains_are_bounded_by_depth() -> None:
    with pytest.raises(ExpressionError) as info:
        parse(" + ".join(["1"] * 200))
    assert "max_depth" in info.value.message
    assert parse(" + ".join(["1"] * 40)).evaluate({}) == 40


def test_deep_nesting_within_the_limit_works() -> None:
    assert evaluate("(" * 40 + "1" + ")" * 40) == 1
    assert evaluate("x" + ".a" * 30, {"x": _nest(30)}) == "end"


def _nest(depth: int) -> object:
    value: object = "end"
    for _ in range(depth):
        value = {"a": value}
    return value


def test_source_length_is_bounded() -> None:
    with pytest.raises(ExpressionError) as info:
        parse("1" + " " * 20_000)
    assert "max_source_length" in info.value.message
    with pytest.raises(ExpressionError):
        compile_template("x" * 20_000)


def test_number_size_is_bounded() -> None:
    assert "max_number" in fails_fast("n * n * n", {"n": 10**9}).message
    assert "not a finite number" in fails_fast("n * n", {"n": 1e300}).message
    with pytest.raises(ExpressionError):
        parse("1e400")


def test_step_limit() -> None:
    limits = Limits(max_steps=5)
    expr = parse("a + a + a + a + a + a + a", limits)
    with pytest.raises(ExpressionError) as info:
        expr.evaluate({"a": 1})
    assert "max_steps" in info.value.message
    assert parse("a + a", limits).evaluate({"a": 1}) == 2


def test_custom_limits_apply() -> None:
    limits = Limits(max_string_length=10, max_depth=5, max_list_length=3)
    with pytest.raises(ExpressionError):
        parse("((((((1))))))", limits)
    with pytest.raises(ExpressionError):
        parse("'abcdef' + 'ghijkl'", limits).evaluate({})
    with pytest.raises(ExpressionError):
        parse("[1, 2] + [3, 4]", limits).evaluate({})
    with pytest.raises(ExpressionError):
        compile_template("{{ a }}{{ a }}", limits).evaluate({"a": "123456"})


def test_huge_row_values_are_passed_through_not_copied_needlessly() -> None:
    title = "word " * 20_000  # C30: 100 000 characters still render
    assert compile_template("{{ title }}").evaluate({"title": title}) is title
    assert len(compile_template("» {{ title }}").evaluate({"title": title})) == 100_002
    start = time.perf_counter()
    assert evaluate("title | truncate(20)", {"title": "é" * 100_000}) == "é" * 19 + "…"
    assert time.perf_counter() - start < 0.5


def test_python_internals_are_unreachable() -> None:
    for source in ("''.__class__", "x.__dict__", "x.__class__.__mro__", "len.__globals__"):
        with pytest.raises(ExpressionError) as info:
            evaluate(source, {"x": "s", "len": {}})
        assert info.value.message.startswith(("cannot look up string '__", "len.__globals__ is"))
        assert "<class" not in info.value.message
    with pytest.raises(ExpressionError):
        parse("__import__('os')")
    with pytest.raises(ExpressionError):
        parse("eval('1')")
