"""The contract other modules code against: parse, compile_template, evaluate,
coerce_variable, to_text."""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from pictify_raster.errors import ErrorCode, ExpressionError, VariableError
from pictify_raster.expr import (
    VARIABLE_TYPES,
    Expression,
    Template,
    coerce_variable,
    compile_template,
    evaluate,
    parse,
    to_text,
)


def test_parse_gives_source_names_and_value() -> None:
    expr = parse("author.name | upper ?? title")
    assert isinstance(expr, Expression)
    assert expr.source == "author.name | upper ?? title"
    assert expr.names == frozenset({"author", "title"})
    assert expr.evaluate({"author": {"name": "ada"}}) == "ADA"


def test_parse_names_exclude_filters_functions_and_keys() -> None:
    assert parse("len(tags) + x.y[z] | round(n)").names == frozenset({"tags", "x", "z", "n"})


def test_syntax_error_has_source_and_column() -> None:
    with pytest.raises(ExpressionError) as info:
        parse("price * * 2")
    err = info.value
    assert err.source == "price * * 2"
    assert err.column == 8
    assert err.code is ErrorCode.EXPRESSION_ERROR
    assert "expected a value" in err.message and "'*'" in err.message
    assert err.caret_lines() == "    price * * 2\n            ^"


def test_template_single_expression_keeps_its_type() -> None:
    template = compile_template("  {{ count + 1 }} ")
    assert isinstance(template, Template)
    assert template.evaluate({"count": 2}) == 3
    assert template.names == frozenset({"count"})
    assert not template.is_constant


def test_template_mixed_text_is_a_string() -> None:
    template = compile_template("{{ n }} item{{ n == 1 ? '' : 's' }} for {{ who }}")
    assert template.evaluate({"n": 3, "who": None}) == "3 items for "
    assert template.evaluate({"n": 1.0, "who": "Ada"}) == "1 item for Ada"


def test_template_without_braces_is_constant_text() -> None:
    template = compile_template("#ff0000")
    assert template.is_constant
    assert template.names == frozenset()
    assert template.evaluate({}) == "#ff0000"
    assert compile_template("").evaluate() == ""


def test_template_constant_expression() -> None:
    template = compile_template("{{ 2 * 3 }}")
    assert template.is_constant
    assert template.evaluate() == 6


def test_template_syntax_error_column_is_offset_in_whole_text() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_template("Hello {{ name | }}")
    assert info.value.column == 16
    assert info.value.source == "Hello {{ name | }}"


def test_template_unclosed_braces() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_template("Hi {{ name")
    assert info.value.column == 3
    assert "'}}'" in info.value.message


def test_template_braces_inside_string_literal() -> None:
    assert compile_template("{{ '}}' + x }}!").evaluate({"x": "{{y}}"}) == "}}{{y}}!"


def test_evaluate_one_shot_and_currency_example() -> None:
    assert evaluate("price | currency('EUR', 'de_DE')", {"price": 3.5}) == "3,50 €"
    assert evaluate("1 + 2") == 3
    assert evaluate("x", {"x": [1]}, locale="fr_FR") == [1]


def test_locale_argument_is_used_by_filters() -> None:
    assert evaluate("n | number(2)", {"n": 1234.5}, locale="de_DE") == "1.234,50"
    assert evaluate("n | number(2, 'en_US')", {"n": 1234.5}, locale="de_DE") == "1,234.50"


def test_to_text_contract() -> None:
    assert to_text(None) == ""
    assert to_text(True) == "true"
    assert to_text(False) == "false"
    assert to_text(12345) == "12345"
    assert to_text(3.0) == "3"
    assert to_text(3.25) == "3.25"
    assert to_text(0.1 + 0.2) == "0.3"
    assert to_text(1.1 * 3) == "3.3"
    assert to_text(1299.9) == "1299.9"
    assert to_text(-0.0) == "0"
    assert to_text(1e-7) == "1e-07"
    assert to_text(123456789.123) == "123456789.123"
    assert to_text(["a", 1, None, 2.0]) == "a, 1, , 2"
    assert to_text("None") == "None"
    assert to_text(date(2024, 1, 5)) == "2024-01-05"


def test_missing_variable_drawn_is_invalid_variable() -> None:
    with pytest.raises(VariableError) as info:
        compile_template("Hi {{ name }}").evaluate({})
    assert info.value.message == "variable 'name' is missing"
    assert info.value.field == "name"
    assert info.value.code is ErrorCode.INVALID_VARIABLE


def test_coerce_variable_contract() -> None:
    assert {"string", "number", "integer", "boolean", "date", "color", "image", "url", "list"} <= (
        VARIABLE_TYPES
    )
    assert coerce_variable("n", "42", "number") == 42
    assert coerce_variable("ok", "yes", "boolean") is True
    assert coerce_variable("d", "2024-01-05", "date") == date(2024, 1, 5)
    with pytest.raises(VariableError) as info:
        coerce_variable("price", "N/A", "number")
    assert info.value.field == "price"
    assert "'price'" in info.value.message and "'N/A'" in info.value.message
    assert "number" in info.value.message


def test_expressions_and_templates_pickle() -> None:
    expr = pickle.loads(pickle.dumps(parse("a | upper")))
    assert expr.evaluate({"a": "x"}) == "X"
    template = pickle.loads(pickle.dumps(compile_template("<{{ a }}>")))
    assert template.evaluate({"a": 1}) == "<1>"
