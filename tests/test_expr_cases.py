"""Handed cases C26 and C28 (/work/shared/cases): values with braces and
percent signs, and currency/number filters on values that are not numbers.

Rows copied from the shared rows.jsonl."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pictify_raster.errors import ErrorCode, ExpressionError
from pictify_raster.expr import coerce_variable, compile_template, evaluate, to_text

C26 = json.loads(
    '{"_case": "C26", "title": "Save {0} on {name} \\u2014 100% {{off}} %s %(x)s {} {:>10}",'
    ' "subtitle": "50% off until 12/31 %d"}'
)
C28_ROWS = [
    {"_variant": "non-numeric-price", "title": "Blue mug", "price": "N/A"},
    {"_variant": "null-price", "title": "Blue mug", "price": None},
    {"_variant": "string-with-separators", "title": "Blue mug", "price": "1,299.00"},
    {"_variant": "number-as-title", "title": 12345, "price": 9.5},
    {"_variant": "whitespace-only", "title": "   \t   ", "price": 9.5},
]
C28_TEMPLATE = '{{ price | currency("USD") }}'


# -- C26: user data is inserted character for character ------------------------


@pytest.mark.parametrize(
    "template",
    [
        "{{ title }}",
        "{{ title | trim }}",
        "{{ title | truncate(500) }}",
        "{{ title | default('x') }}",
        "{{ title ?? '' }}",
        "{{ [title] | join }}",
        "{{ title | replace('zzz', 'y') }}",
        "{{ title + '' }}",
    ],
)
def test_c26_braces_and_percent_signs_are_literal(template: str) -> None:
    assert compile_template(template).evaluate(C26) == C26["title"]


def test_c26_mixed_template_inserts_values_verbatim() -> None:
    template = compile_template("» {{ title }} | {{ subtitle }} «")
    assert template.evaluate(C26) == f"» {C26['title']} | {C26['subtitle']} «"


def test_c26_values_are_never_read_as_templates() -> None:
    row = {"a": "{{ b }}", "b": "SECRET"}
    assert compile_template("{{ a }}").evaluate(row) == "{{ b }}"
    assert compile_template("x {{ a }} y").evaluate(row) == "x {{ b }} y"


def test_c26_values_in_error_messages_are_not_format_strings() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate("title * 2.5", C26)
    assert "{0} on {name}" in info.value.message


def test_c26_literal_braces_in_a_template_are_written_with_a_string() -> None:
    assert compile_template("{{ '{{' }} not an expression }}").evaluate({}) == (
        "{{ not an expression }}"
    )


# -- C28: currency and number filters -----------------------------------------


def test_c28_non_numeric_price_fails_with_expression_error() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_template(C28_TEMPLATE).evaluate(C28_ROWS[0])
    err = info.value
    assert err.code is ErrorCode.EXPRESSION_ERROR
    assert err.field == "price"
    assert "currency" in err.message
    assert "'N/A'" in err.message


def test_c28_null_price_draws_nothing() -> None:
    assert compile_template(C28_TEMPLATE).evaluate(C28_ROWS[1]) is None
    assert compile_template("Price: {{ price | currency('USD') }}").evaluate(C28_ROWS[1]) == (
        "Price: "
    )
    assert (
        compile_template("{{ price | currency('USD') ?? 'Ask us' }}").evaluate(C28_ROWS[1])
        == "Ask us"
    )


def test_c28_grouping_commas_are_stripped() -> None:
    assert compile_template(C28_TEMPLATE).evaluate(C28_ROWS[2]) == "$1,299.00"
    assert coerce_variable("price", "1,299.00", "number") == 1299.0


@pytest.mark.parametrize("price", ["1.299,00", "12,34", "1,2345", "1e3", "", "--1"])
def test_c28_ambiguous_numbers_fail_cleanly(price: str) -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate("price | currency('USD')", {"price": price})
    assert repr(price) in info.value.message


def test_c28_number_as_title() -> None:
    assert compile_template("{{ title }}").evaluate(C28_ROWS[3]) == 12345
    assert to_text(compile_template("{{ title }}").evaluate(C28_ROWS[3])) == "12345"
    assert compile_template("Item {{ title }}").evaluate(C28_ROWS[3]) == "Item 12345"
    assert compile_template("{{ title | upper }}").evaluate(C28_ROWS[3]) == "12345"
    assert coerce_variable("title", 12345, "string") == "12345"


def test_c28_whitespace_only_title() -> None:
    assert compile_template("{{ title }}").evaluate(C28_ROWS[4]) == "   \t   "
    assert compile_template("{{ title | trim }}").evaluate(C28_ROWS[4]) == ""
    assert compile_template("{{ title | default('Untitled') }}").evaluate(C28_ROWS[4]) == (
        "Untitled"
    )


def test_c28_every_row_either_renders_or_fails_alone() -> None:
    template = compile_template("{{ title }}: {{ price | currency('USD') }}")
    outcomes: list[Any] = []
    for row in C28_ROWS:
        try:
            outcomes.append(template.evaluate(row))
        except ExpressionError as err:
            outcomes.append(err.code)
    assert outcomes == [
        ErrorCode.EXPRESSION_ERROR,
        "Blue mug: ",
        "Blue mug: $1,299.00",
        "12345: $9.50",
        "   \t   : $9.50",
    ]


def test_c04_currency_in_shekels_keeps_digits_in_order() -> None:
    text = evaluate("price | currency(currency, 'he_IL')", {"price": 1299.9, "currency": "ILS"})
    assert "1,299.90" in text and text.endswith("₪")
