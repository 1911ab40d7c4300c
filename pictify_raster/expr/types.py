"""Declared variable types, and converting row values to them.

CSV rows are all strings, so conversion is generous where the meaning is
clear ("42" is a number, "yes" is true, "2024-01-05" is a date) and strict
otherwise: a value that does not convert fails the item with
INVALID_VARIABLE, naming the variable, the value and the type.

null stays null for every type (whether a variable is required is the
layout's rule). A blank string is null for every type but string: an empty
CSV cell means "no value".
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from PIL import ImageColor

from pictify_raster.errors import VariableError

from .conversions import (
    date_from,
    parse_boolean,
    parse_decimal,
    plain_number,
)
from .limits import DEFAULT_LIMITS, Limits
from .values import describe, is_number, to_text


class _NoConversion(Exception):
    """The value does not convert; coerce_variable names it."""


def _string(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if is_number(value) or isinstance(value, bool | date):
        return to_text(value)  # 12345 → "12345", never "12345.0"
    raise _NoConversion


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        raise _NoConversion
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise _NoConversion
        return value
    if isinstance(value, Decimal):
        return plain_number(value) if value.is_finite() else _fail()
    if isinstance(value, str):
        number = parse_decimal(value)
        if number is not None:
            return plain_number(number)
    raise _NoConversion


def _integer(value: Any) -> Any:
    number = _number(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise _NoConversion
        return int(number)
    return number


def _boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if is_number(value) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        parsed = parse_boolean(value)
        if parsed is not None:
            return parsed
    raise _NoConversion


def _date(value: Any) -> Any:
    if isinstance(value, bool):
        raise _NoConversion
    when = date_from(value)
    if when is None:
        raise _NoConversion
    return when


def _color(value: Any) -> Any:
    if not isinstance(value, str):
        raise _NoConversion
    text = value.strip()
    try:
        ImageColor.getrgb(text)
    except (ValueError, AttributeError):
        raise _NoConversion from None
    return text


def _image(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise _NoConversion
    return value.strip()


def _url(value: Any) -> Any:
    if not isinstance(value, str):
        raise _NoConversion
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        raise _NoConversion from None
    if not parts.scheme or not (parts.netloc or parts.path) or " " in text:
        raise _NoConversion
    if parts.scheme in ("http", "https") and not parts.netloc:
        raise _NoConversion
    return text


def _list(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except (ValueError, RecursionError):
                raise _NoConversion from None
            if isinstance(parsed, list):
                return parsed
            raise _NoConversion
        return [item.strip() for item in text.split(",")]
    raise _NoConversion


def _fail() -> Any:
    raise _NoConversion


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "string": _string,
    "number": _number,
    "integer": _integer,
    "boolean": _boolean,
    "date": _date,
    "color": _color,
    "image": _image,
    "url": _url,
    "list": _list,
}

VARIABLE_TYPES: frozenset[str] = frozenset(_CONVERTERS)

_ARTICLES = {"integer": "an integer", "image": "an image", "url": "a URL"}


def coerce_variable(name: str, value: Any, type_name: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """`value` converted to the declared type, or VariableError(field=name)."""
    converter = _CONVERTERS.get(type_name)
    if converter is None:
        msg = f"unknown variable type {type_name!r}; use one of {', '.join(sorted(_CONVERTERS))}"
        raise ValueError(msg)
    if value is None:
        return None
    if type_name != "string" and isinstance(value, str) and not value.strip():
        return None
    try:
        converted = converter(value)
    except (_NoConversion, RecursionError):
        article = _ARTICLES.get(type_name, f"a {type_name}")
        msg = f"variable {name!r} must be {article} (type {type_name}), got {describe(value)}"
        raise VariableError(
            msg,
            field=name,
        ) from None
    _check_magnitude(name, converted, limits)
    return converted


def _check_magnitude(name: str, value: Any, limits: Limits) -> None:
    """Refuse a number the expressions could not compute with.

    Every arithmetic result above max_number fails, so such a value would
    fail the item later with a message about the sum; say now that the
    row's value is the fault.
    """
    if is_number(value) and not abs(value) <= limits.max_number:
        msg = (
            f"variable {name!r} is {describe(value)}, beyond the limit "
            f"±{limits.max_number} on numbers (limit max_number)"
        )
        raise VariableError(msg, field=name)
