"""Locale-aware numbers, currencies, percentages and dates, through Babel (CLDR).

Babel separates some parts with no-break spaces (U+00A0, or the narrow U+202F
in French groups and English times). Results here use a plain space instead:
every font has one, so a card never shows a missing-glyph box, and outputs
compare equal to what authors type ("3,50 €"). See docs/expressions.md.

Every Babel or decimal error is caught and raised again as a Fault naming the
value, so callers never see babel's or decimal's own exceptions.
"""

from __future__ import annotations

import copy
import functools
from datetime import date, datetime, time
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import (
    NumberPattern,
    format_currency,
    get_currency_name,
    get_currency_precision,
)

from .faults import Fault
from .rounding import round_half_up
from .values import describe

Number = Decimal | float | int

DEFAULT_LOCALE = "en_US"
NAMED_DATE_FORMATS = ("short", "medium", "long", "full")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


@functools.lru_cache(maxsize=256)
def _locale(name: str) -> Locale:
    return Locale.parse(name.replace("-", "_"))


def get_locale(name: str | None) -> Locale:
    """The Babel locale for "de_DE", "de-DE" or "de"; the default for None."""
    if name is None:
        name = DEFAULT_LOCALE
    if not isinstance(name, str) or not name.strip() or len(name) > 40:
        msg = f"{name!r} is not a locale name such as 'en_US' or 'de_DE'"
        raise Fault(msg)
    try:
        return _locale(name.strip())
    except (UnknownLocaleError, ValueError, TypeError):
        msg = f"unknown locale {name!r}"
        raise Fault(msg) from None


def _plain_spaces(text: str) -> str:
    return text.translate(_SPACES)


def _pattern(base: NumberPattern, decimals: int | None) -> NumberPattern:
    """The locale's own pattern, with a fixed number of decimals if asked."""
    if decimals is None:
        return base
    pattern = copy.copy(base)
    pattern.frac_prec = (decimals, decimals)
    return pattern


def format_number(value: Number, decimals: int | None, locale: Locale) -> str:
    try:
        pattern = _pattern(locale.decimal_formats[None], decimals)
        exact = round_half_up(value, pattern.frac_prec[1])
        return _plain_spaces(pattern.apply(exact, locale))
    except Fault:
        raise
    except Exception:  # Babel/decimal internals; say which value instead
        msg = f"cannot format {describe(value)} as a number"
        raise Fault(msg) from None


def format_percent(value: Number, decimals: int, locale: Locale) -> str:
    try:
        pattern = _pattern(locale.percent_formats[None], decimals)
        # The pattern multiplies by 100 (its scale), so round two places further.
        exact = round_half_up(value, pattern.frac_prec[1] + pattern.scale)
        return _plain_spaces(pattern.apply(exact, locale))
    except Fault:
        raise
    except Exception:
        msg = f"cannot format {describe(value)} as a percentage"
        raise Fault(msg) from None


@functools.lru_cache(maxsize=512)
def known_currency(code: str) -> bool:
    try:
        return get_currency_name(code, locale="en") != code
    except Exception:  # Babel's data lookup failing means: not a code it knows
        return False


def format_money(value: Number, code: str, locale: Locale) -> str:
    try:
        exact = round_half_up(value, get_currency_precision(code))
        return _plain_spaces(format_currency(exact, code, locale=locale))
    except Fault:
        raise
    except Exception:
        msg = f"cannot format {describe(value)} as {code}"
        raise Fault(msg) from None


def format_when(value: date, pattern: str, locale: Locale) -> str:
    """A date or datetime by a named format (date only) or a CLDR pattern."""
    try:
        if pattern in NAMED_DATE_FORMATS:
            day = value.date() if isinstance(value, datetime) else value
            return _plain_spaces(format_date(day, pattern, locale=locale))
        moment = value if isinstance(value, datetime) else datetime.combine(value, time())
        return _plain_spaces(format_datetime(moment, pattern, locale=locale))
    except Exception:
        msg = f"cannot format {value.isoformat()!r} with date pattern {pattern!r}"
        raise Fault(msg) from None
