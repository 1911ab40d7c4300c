"""Declared variable types convert row values the way CSV users need, or fail
the item with INVALID_VARIABLE naming the variable, the value and the type."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from pictify_raster.errors import ErrorCode, VariableError
from pictify_raster.expr import VARIABLE_TYPES, coerce_variable

CONVERTS: list[tuple[str, Any, Any]] = [
    ("string", "hello", "hello"),
    ("string", "", ""),
    ("string", "   ", "   "),
    ("string", 12345, "12345"),
    ("string", 3.0, "3"),
    ("string", 2.5, "2.5"),
    ("string", True, "true"),
    ("string", date(2024, 1, 5), "2024-01-05"),
    ("string", "{0} %s", "{0} %s"),
    ("number", 42, 42),
    ("number", 2.5, 2.5),
    ("number", "42", 42),
    ("number", " 42 ", 42),
    ("number", "-3.5", -3.5),
    ("number", "+7", 7),
    ("number", ".5", 0.5),
    ("number", "1,299.00", 1299.0),
    ("number", "1,234,567", 1234567),
    ("number", Decimal("2.50"), 2.5),
    ("integer", "42", 42),
    ("integer", 7, 7),
    ("integer", 3.0, 3),
    ("integer", "3.0", 3),
    ("integer", "1,000", 1000),
    ("boolean", True, True),
    ("boolean", False, False),
    ("boolean", "true", True),
    ("boolean", "TRUE", True),
    ("boolean", "yes", True),
    ("boolean", "Y", True),
    ("boolean", "on", True),
    ("boolean", "1", True),
    ("boolean", "false", False),
    ("boolean", "No", False),
    ("boolean", "off", False),
    ("boolean", "0", False),
    ("boolean", 1, True),
    ("boolean", 0, False),
    ("date", "2024-01-05", date(2024, 1, 5)),
    ("date", "2024-01-05T10:30:00Z", datetime(2024, 1, 5, 10, 30, tzinfo=UTC)),
    (
        "date",
        "2024-01-05T10:30:00+02:00",
        datetime(2024, 1, 5, 10, 30, tzinfo=timezone(timedelta(hours=2))),
    ),
    ("date", "2024-01-05 10:30", datetime(2024, 1, 5, 10, 30)),
    ("date", date(2024, 1, 5), date(2024, 1, 5)),
    ("date", 0, datetime(1970, 1, 1, tzinfo=UTC)),
    ("date", 1700000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
    ("date", "1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
    ("date", " 0.5 ", datetime(1970, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)),
    ("date", "20240105", date(2024, 1, 5)),
    ("color", "#ff0000", "#ff0000"),
    ("color", " #FFF ", "#FFF"),
    ("color", "#ffffffeb", "#ffffffeb"),
    ("color", "red", "red"),
    ("color", "rgb(0, 128, 255)", "rgb(0, 128, 255)"),
    ("image", "https://example.com/a.png", "https://example.com/a.png"),
    ("image", "assets/logo.png", "assets/logo.png"),
    ("image", "data:image/png;base64,iVBORw0KGgo=", "data:image/png;base64,iVBORw0KGgo="),
    ("url", "https://example.com/post/1", "https://example.com/post/1"),
    ("url", "mailto:ada@example.com", "mailto:ada@example.com"),
    ("list", ["a", "b"], ["a", "b"]),
    ("list", ("a",), ["a"]),
    ("list", "a, b ,c", ["a", "b", "c"]),
    ("list", "single", ["single"]),
    ("list", '["x", 1]', ["x", 1]),
]


@pytest.mark.parametrize(("type_name", "value", "expected"), CONVERTS)
def test_value_converts(type_name: str, value: Any, expected: Any) -> None:
    result = coerce_variable("v", value, type_name)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize("type_name", sorted(VARIABLE_TYPES))
def test_null_stays_null(type_name: str) -> None:
    assert coerce_variable("v", None, type_name) is None


@pytest.mark.parametrize("type_name", sorted(VARIABLE_TYPES - {"string"}))
def test_blank_cell_is_null_except_for_strings(type_name: str) -> None:
    assert coerce_variable("v", "", type_name) is None
    assert coerce_variable("v", "  \t", type_name) is None


REFUSED: list[tuple[str, Any]] = [
    ("string", ["a"]),
    ("string", {"a": 1}),
    ("number", "N/A"),
    ("number", "1.299,00"),
    ("number", "$5"),
    ("number", "1e3"),
    ("number", "12,34"),
    ("number", "nan"),
    ("number", float("inf")),
    ("number", True),
    ("number", [1]),
    ("integer", "3.5"),
    ("integer", 3.5),
    ("integer", "three"),
    ("boolean", "maybe"),
    ("boolean", 2),
    ("boolean", [True]),
    ("date", "yesterday"),
    ("date", "2024-13-01"),
    ("date", "05/01/2024"),
    ("date", True),
    ("date", 10**20),
    ("date", "1700000000000000"),
    ("date", "12 34"),
    ("color", "not-a-colour"),
    ("color", "#12"),
    ("color", 255),
    ("image", 5),
    ("url", "not a url"),
    ("url", "http://"),
    ("url", "example.com"),
    ("url", 5),
    ("list", 5),
    ("list", '["unclosed"'),
    ("list", "[1] trailing"),
]


@pytest.mark.parametrize(("type_name", "value"), REFUSED)
def test_value_that_does_not_convert_is_invalid_variable(type_name: str, value: Any) -> None:
    with pytest.raises(VariableError) as info:
        coerce_variable("price", value, type_name)
    err = info.value
    assert err.code is ErrorCode.INVALID_VARIABLE
    assert err.field == "price"
    assert "'price'" in err.message
    assert type_name in err.message
    if isinstance(value, str):
        assert repr(value)[:40] in err.message


def test_message_reads_naturally() -> None:
    with pytest.raises(VariableError) as info:
        coerce_variable("count", "three", "integer")
    assert info.value.message == (
        "variable 'count' must be an integer (type integer), got string 'three'"
    )


def test_unknown_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown variable type 'money'"):
        coerce_variable("v", 1, "money")


def test_long_values_are_shortened_in_messages() -> None:
    with pytest.raises(VariableError) as info:
        coerce_variable("n", "x" * 10_000, "number")
    assert len(info.value.message) < 200
