"""Syntax and evaluation errors: ExpressionError with a column and a message
that says what was expected and found, or names the offending value; never a
Python exception or a Python detail."""

from __future__ import annotations

from typing import Any

import pytest

from pictify_raster.errors import ErrorCode, ExpressionError, ItemError, VariableError
from pictify_raster.expr import compile_template, evaluate, parse, to_text

SYNTAX: list[tuple[str, int, str]] = [
    # (source, column, fragment of the message)
    ("a b", 2, "expected an operator or the end of the expression, found name 'b'"),
    ("(1", 2, "expected ')' to close '(', found the end of the expression"),
    ("[1, 2", 5, "expected ']' to close the list"),
    ("x |", 3, "expected a filter name after '|', found the end of the expression"),
    ("x | 1", 4, "expected a filter name after '|', found number '1'"),
    ("x.", 2, "expected a key name after '.'"),
    ("x[1", 3, "expected ']' to close '['"),
    ("1 ? 2", 5, "expected ':'"),
    ("? 1", 0, "expected a value, found '?'"),
    ("1 +", 3, "expected a value, found the end of the expression"),
    ("price * * 2", 8, "expected a value, found '*'"),
    ("1 < 2 > 3", 6, "comparisons cannot be chained"),
    ("a == not b", 5, "parentheses"),
    ("len()", 0, "function 'len' takes 1 argument, got 0"),
    ("x | truncate", 4, "filter 'truncate' takes 1 to 2 arguments, got 0"),
    ("x | default", 4, "filter 'default' takes 1 argument, got 0"),
    ("x | uper", 4, "unknown filter 'uper' (did you mean 'upper'?)"),
    ("x | upper | lowr", 12, "did you mean 'lower'?"),
    ("foo(1)", 0, "unknown function 'foo'"),
    ("truncate(x, 3)", 0, "'truncate' is a filter, not a function"),
    ("x.y(1)", 3, "only functions can be called"),
    ("a = 1", 2, "use '==' to compare"),
    ("a && b", 2, "use 'and'"),
    ("a || b", 2, "use 'or'"),
    ("!a", 0, "use 'not'"),
    ("a ** 2", 2, "no power operator"),
    ("{a}", 0, "'{' has no meaning"),
    ("'abc", 0, "no closing '"),
    ('"abc', 0, 'no closing "'),
    ("'\\q'", 1, "unknown escape \\q"),
    ("'\\u12'", 1, "4 hexadecimal digits"),
    ("'\\U0011FFFF'", 1, "8 hexadecimal digits"),
    ("#", 0, "unexpected character '#'"),
    ("name | default(‘x’)", 15, "use straight quotes"),
    ("a − b", 2, "hyphen-minus"),
    ("a × 2", 2, "use '*'"),
    ("", 0, "empty expression"),
    ("   ", 3, "empty expression"),
    ("1e999", 0, "larger than the limit"),
    ("99999999999999999999", 0, "larger than the limit"),
    ("x ? 1 : 2 : 3", 10, "':' without a '?'"),
    ("١٢", 0, "not a number"),
]


@pytest.mark.parametrize(("source", "column", "fragment"), SYNTAX)
def test_syntax_error(source: str, column: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(source)
    err = info.value
    assert fragment in err.message
    assert err.column == column
    assert err.source == source
    assert err.code is ErrorCode.EXPRESSION_ERROR
    assert err.caret_lines().endswith(" " * (4 + column) + "^")


TEMPLATE_SYNTAX: list[tuple[str, int, str]] = [
    ("{{", 0, "'{{' is never closed"),
    ("Hello {{ name", 6, "'{{' is never closed"),
    ("{{ a }} and {{ b", 12, "'{{' is never closed"),
    ("{{ }}", 3, "empty expression"),
    ("Hi {{ a } }}", 8, "unexpected '}'"),
    ("Price: {{ price | currency('USD' }}", 33, "expected ')'"),
    ("{{ a }}{{ 1 + }}", 14, "expected a value"),
]


@pytest.mark.parametrize(("text", "column", "fragment"), TEMPLATE_SYNTAX)
def test_template_syntax_error_columns_count_from_the_whole_text(
    text: str, column: int, fragment: str
) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_template(text)
    assert fragment in info.value.message
    assert info.value.column == column
    assert info.value.source == text


ROW: dict[str, Any] = {
    "s": "abc",
    "n": 3,
    "author": {"name": "Ada"},
    "tags": ["a", "b"],
    "price": "N/A",
    "nothing": None,
    "flag": True,
}

EVALUATION: list[tuple[str, str]] = [
    # (source, fragments of the message, separated by |)
    ("s * s", "cannot multiply string 'abc' and string 'abc'"),
    ("s + n", "cannot add string 'abc' and number 3"),
    ("s - 1", "cannot subtract"),
    ("n / 0", "division by zero"),
    ("n // 0", "division by zero"),
    ("n % 0", "division by zero"),
    ("s % n", "cannot take the remainder"),
    ("flag + 1", "cannot add boolean true and number 1"),
    ("-s", "cannot negate string 'abc'"),
    ("s < n", "cannot compare string 'abc' and number 3"),
    ("nothing < 1", "cannot compare null"),
    ("1 in n", "cannot look for number 1 in number 3"),
    ("author.email", "author.email is missing: author has no key 'email'"),
    ("author.email | upper", "author.email is missing"),
    ("tags[5]", "tags[5] is missing: tags has 2 items, no item 5"),
    ("nothing.x", "nothing.x is missing: nothing is null"),
    ("tags.first", "tags is a list; index it with a whole number, not string 'first'"),
    ("author[0]", "author is an object; look keys up by text, not number 0"),
    ("s[0]", "cannot look up number 0 in s, which is string 'abc'"),
    ("''.__class__", "cannot look up string '__class__'"),
    ("s.upper", "cannot look up string 'upper'"),
    ("n.real", "cannot look up string 'real'"),
    ("price | currency('USD')", "filter 'currency': expected a number, got string 'N/A'"),
    ("n | currency('XYZ')", "unknown currency code 'XYZ'"),
    ("n | currency(5)", "the currency code must be a string, got number 5"),
    ("n | number(2, 'xx_YY')", "unknown locale 'xx_YY'"),
    ("n | number(99)", "the number of decimals must be a whole number from 0 to 20"),
    ("s | date", "filter 'date': expected a date"),
    ("'2024-13-45' | date", "expected a date"),
    ("s | round", "filter 'round': expected a number, got string 'abc'"),
    ("tags | upper", "filter 'upper': expected text, got list"),
    ("s | join", "filter 'join': expected a list, got string 'abc'"),
    ("s | truncate('x')", "truncate's length must be a whole number"),
    ("s | pad_start(5, 'ab')", "the fill must be one character"),
    ("[1, 'a'] | sort", "can only sort a list of numbers or a list of strings"),
    ("sum(['a'])", "sum(): sum needs numbers, got string 'a'"),
    ("int('x')", "int(): int() needs a number, got string 'x'"),
    ("len(n)", "len(): expected a list, an object or text, got number 3"),
    ("min(1, 'a')", "cannot compare"),
    ("n * 1000000000 * 1000000000", "larger than the limit"),
    ("999999999999999999 * 10", "larger than the limit"),
    ("'x' * 1000000000", "max_string_length"),
    ("[1] * 100000", "max_list_length"),
]


@pytest.mark.parametrize(("source", "fragment"), EVALUATION)
def test_evaluation_error_names_the_value(source: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate(source, ROW)
    err = info.value
    assert fragment in err.message
    assert source in err.message  # the message names the expression
    assert "Traceback" not in err.message and "Error" not in err.message
    assert "<class" not in err.message and "object at 0x" not in err.message
    assert err.column is not None and 0 <= err.column <= len(source)


def test_evaluation_error_points_at_the_operator() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate("n + 1 + s / 2", ROW)
    assert info.value.column == 10


def test_filter_error_names_the_variable_as_field() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate("price | currency('USD')", ROW)
    assert info.value.field == "price"
    assert "'N/A'" in info.value.message and "currency" in info.value.message


def test_missing_key_names_the_root_variable() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate("author.email", ROW)
    assert info.value.field == "author"
    assert info.value.column == 7


# -- missing names -----------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "missing",
        "missing + 1",
        "1 + missing",
        "-missing",
        "missing | upper",
        "missing | currency('USD')",
        "missing.name",
        "missing[0]",
        "[missing]",
        "len(missing)",
        "str(missing)",
        "missing < 1",
        "'a' in missing",
        "missing in ['a']",
        "missing ?? missing",
        "missing | default(missing)",
        "n | truncate(missing)",
        "flag ? missing : 1",
    ],
)
def test_missing_variable_is_invalid_variable(source: str) -> None:
    with pytest.raises(VariableError) as info:
        evaluate(source, ROW)
    assert info.value.message == "variable 'missing' is missing"
    assert info.value.field == "missing"
    assert info.value.code is ErrorCode.INVALID_VARIABLE


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("missing == null", True),
        ("missing != null", False),
        ("null == missing", True),
        ("missing == 0", False),
        ("missing ?? 'x'", "x"),
        ("missing | default('x')", "x"),
        ("coalesce(missing, 'x')", "x"),
        ("missing ? 1 : 2", 2),
        ("not missing", True),
        ("missing and 1", None),
        ("flag and missing == null", True),
        ("missing or 'x'", "x"),
    ],
)
def test_missing_variable_counts_as_null_where_allowed(source: str, expected: Any) -> None:
    result = evaluate(source, ROW)
    if expected is None:
        assert not result
    else:
        assert result == expected


def test_missing_and_null_in_templates() -> None:
    visible = compile_template("{{ avatar != null }}")
    assert visible.evaluate({}) is False
    assert visible.evaluate({"avatar": None}) is False
    assert visible.evaluate({"avatar": "a.png"}) is True
    with pytest.raises(VariableError):
        compile_template("By {{ author }}").evaluate({})
    assert compile_template("By {{ author }}").evaluate({"author": None}) == "By "


def test_null_is_drawn_as_nothing_never_none() -> None:
    assert to_text(None) == ""
    assert compile_template("[{{ x }}]").evaluate({"x": None}) == "[]"
    assert compile_template("{{ x | upper }}!").evaluate({"x": None}) == "!"
    assert "None" not in compile_template("{{ [x, 1] }}.").evaluate({"x": None})


def test_errors_are_item_errors_only() -> None:
    for source in ("s * s", "missing", "author.email"):
        with pytest.raises(ItemError):
            evaluate(source, ROW)
