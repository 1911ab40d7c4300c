"""Reading numbers, booleans and dates out of the strings CSV rows are made of.

The number rule (documented in docs/expressions.md): surrounding whitespace is
ignored; an optional sign, then digits, where commas may group the integer
part in threes ("1,299.00"); then an optional "." and decimals. Anything else
("N/A", "1.299,00", "$5", "1e3") is not a number.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .values import is_number

_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+", re.ASCII)
_TIMESTAMP = re.compile(r"-?\d{1,12}(?:\.\d{1,9})?", re.ASCII)
_MAX_NUMBER_TEXT = 60  # digits beyond this are no price anyone prints

_TRUE = frozenset({"true", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "no", "n", "off", "0"})


def parse_decimal(text: str) -> Decimal | None:
    """The number a string spells under the rule above, or None."""
    cleaned = text.strip()
    if len(cleaned) > _MAX_NUMBER_TEXT or not _NUMBER.fullmatch(cleaned):
        return None
    try:
        return Decimal(cleaned.replace(",", ""))
    except InvalidOperation:  # the pattern admits only valid decimals; belt and braces
        return None


def number_from(value: Any) -> int | float | Decimal | None:
    """A number from a number or a numeric string; None when it is neither."""
    if is_number(value):
        return value
    if isinstance(value, str):
        return parse_decimal(value)
    return None


def plain_number(number: Decimal) -> int | float:
    """A parsed Decimal as the int or float the language computes with."""
    if number == number.to_integral_value() and "." not in str(number):
        return int(number)
    return float(number)


def parse_boolean(text: str) -> bool | None:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def parse_iso_date(text: str) -> date | datetime | None:
    """An ISO 8601 date ("2024-01-05") or date-time ("2024-01-05T14:03:00Z")."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > 64:
        return None
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(cleaned)
    except ValueError:
        return None


def from_timestamp(seconds: float) -> datetime | None:
    """A Unix timestamp in seconds as an aware UTC datetime, or None if out of range."""
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def date_from(value: Any) -> date | None:
    """A date or datetime from a date, an ISO string or a Unix timestamp; else None.

    Text is ISO 8601 first ("20240105" is 5 January 2024); other text of digits
    is a timestamp in seconds, as CSV exports write them ("1700000000").
    """
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        parsed = parse_iso_date(value)
        if parsed is None and _TIMESTAMP.fullmatch(value.strip()):
            return from_timestamp(float(value))
        return parsed
    if is_number(value):
        return from_timestamp(float(value))
    return None
