"""The filters of `value | name(args)`: their implementations and registry.

Each filter is a function (ctx, value, *args). Its arity comes from its
signature, so the parser can refuse a wrong argument count when the layout
loads. Unless registered otherwise, a filter given null returns null (drawn
as nothing) and a filter given a missing value fails with that value's error.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel import Locale

from . import formatting, graphemes
from .context import Context
from .conversions import date_from, number_from
from .faults import Fault
from .operators import check_length
from .rounding import round_half_up
from .values import describe, is_nullish, is_number, to_json, to_text


@dataclass(frozen=True)
class FilterSpec:
    name: str
    function: Callable[..., Any]
    min_args: int
    max_args: int
    passes_null: bool  # null in, null out, without calling the function
    takes_missing: bool  # the function itself handles missing values (default)


FILTERS: dict[str, FilterSpec] = {}


def arity(function: Callable[..., Any], skip: int) -> tuple[int, int]:
    """(required, total) parameters after the first `skip`."""
    params = list(inspect.signature(function).parameters.values())[skip:]
    required = sum(1 for p in params if p.default is inspect.Parameter.empty)
    return required, len(params)


def register(
    name: str, *, passes_null: bool = True, takes_missing: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def add(function: Callable[..., Any]) -> Callable[..., Any]:
        low, high = arity(function, 2)
        FILTERS[name] = FilterSpec(name, function, low, high, passes_null, takes_missing)
        return function

    return add


# -- argument and input checks ------------------------------------------------


def text_input(value: Any) -> str:
    """Strings, and numbers or booleans as they are drawn; lists are refused."""
    if isinstance(value, str):
        return value
    if value is True or value is False or is_number(value):
        return to_text(value)
    msg = f"expected text, got {describe(value)}"
    raise Fault(msg)


def number_input(value: Any) -> Any:
    number = number_from(value)
    if number is None:
        msg = f"expected a number, got {describe(value)}"
        raise Fault(msg)
    return number


def list_input(value: Any) -> list[Any] | tuple[Any, ...]:
    if isinstance(value, list | tuple):
        return value
    msg = f"expected a list, got {describe(value)}"
    raise Fault(msg)


def int_arg(value: Any, what: str, low: int, high: int, limit: str = "") -> int:
    """A whole-number argument within bounds; `limit` names the limit behind them."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        msg = f"{what} must be a whole number from {low} to {high}, got {describe(value)}"
        raise Fault(msg + (f" (limit {limit})" if limit else ""))
    return value


def str_arg(value: Any, what: str) -> str:
    if not isinstance(value, str):
        msg = f"{what} must be a string, got {describe(value)}"
        raise Fault(msg)
    return value


def locale_arg(ctx: Context, value: Any) -> Locale:
    """A locale argument overrides the layout's locale; null keeps it."""
    return formatting.get_locale(ctx.locale if value is None else str_arg(value, "the locale"))


def decimals_arg(ctx: Context, value: Any) -> int:
    return int_arg(value, "the number of decimals", 0, ctx.limits.max_decimals, "max_decimals")


# -- text --------------------------------------------------------------------


@register("upper")
def upper(ctx: Context, value: Any) -> str:
    return _bounded(ctx, text_input(value).upper())


@register("lower")
def lower(ctx: Context, value: Any) -> str:
    return _bounded(ctx, text_input(value).lower())


def _bounded(ctx: Context, text: str) -> str:
    # Case mapping can lengthen text ('ß' upper-cases to 'SS'), up to threefold.
    check_length(len(text), ctx.limits)
    return text


@register("title")
def title(ctx: Context, value: Any) -> str:
    """Each word upper-cased at its start and lower-cased after: "don't" stays "Don't"."""
    out = []
    in_word = False
    for ch in text_input(value):
        # title() rather than upper() keeps digraphs right: 'ǆ' becomes 'ǅ'.
        out.append(ch.lower() if in_word else ch.title())
        in_word = ch.isalnum() or ch in "'’"
    return _bounded(ctx, "".join(out))


@register("capitalize")
def capitalize(ctx: Context, value: Any) -> str:
    """The first character upper-cased; the rest left as written ("iOS app" → "IOS app")."""
    text = text_input(value)
    first, _ = graphemes.head(text, 1)
    return first.upper() + text[len(first) :]


@register("trim")
def trim(ctx: Context, value: Any, characters: Any = None) -> str:
    text = text_input(value)
    return (
        text.strip()
        if characters is None
        else text.strip(str_arg(characters, "the characters to trim"))
    )


@register("truncate")
def truncate(ctx: Context, value: Any, length: Any, suffix: Any = "…") -> str:
    """At most `length` characters, the suffix included, never splitting a character."""
    text = text_input(value)
    length = int_arg(
        length, "truncate's length", 0, ctx.limits.max_string_length, "max_string_length"
    )
    suffix = str_arg(suffix, "truncate's suffix")
    kept, cut = graphemes.head(text, length)
    if not cut:
        return text
    room = max(length - graphemes.count(suffix), 0)
    kept, _ = graphemes.head(kept, room)
    return kept.rstrip() + suffix if room else graphemes.head(suffix, length)[0]


@register("default", passes_null=False, takes_missing=True)
def default(ctx: Context, value: Any, fallback: Any) -> Any:
    """The fallback for a missing value, null, or a blank string."""
    if is_nullish(value) or (isinstance(value, str) and not value.strip()):
        return fallback
    return value


@register("replace")
def replace(ctx: Context, value: Any, old: Any, new: Any) -> str:
    text = text_input(value)
    old = str_arg(old, "the text to replace")
    new = text_input(new)
    hits = text.count(old)
    check_length(len(text) + hits * (len(new) - len(old)), ctx.limits)
    return text.replace(old, new)


@register("split")
def split(ctx: Context, value: Any, separator: Any = None) -> list[str]:
    """Words (no separator), characters (""), or the parts between separators."""
    text = text_input(value)
    if separator is None:
        parts = text.split()
    elif str_arg(separator, "split's separator") == "":
        check_length(len(text), ctx.limits, "list")
        parts = graphemes.split(text)
    else:
        check_length(text.count(separator) + 1, ctx.limits, "list")
        parts = text.split(separator)
    check_length(len(parts), ctx.limits, "list")
    return parts


@register("initials")
def initials(ctx: Context, value: Any, limit: Any = None) -> str:
    """The first character of each word, upper-cased: "Ada Lovelace" → "AL"."""
    words = text_input(value).split()
    if limit is not None:
        words = words[: int_arg(limit, "initials' limit", 0, 1000)]
    return "".join(graphemes.head(word, 1)[0].upper() for word in words)


@register("pad_start")
def pad_start(ctx: Context, value: Any, width: Any, fill: Any = " ") -> str:
    text, padding = _padding(ctx, value, width, fill)
    return padding + text


@register("pad_end")
def pad_end(ctx: Context, value: Any, width: Any, fill: Any = " ") -> str:
    text, padding = _padding(ctx, value, width, fill)
    return text + padding


def _padding(ctx: Context, value: Any, width: Any, fill: Any) -> tuple[str, str]:
    text = text_input(value)
    width = int_arg(width, "the width", 0, ctx.limits.max_string_length, "max_string_length")
    fill = str_arg(fill, "the fill character")
    if graphemes.count(fill) != 1:
        msg = f"the fill must be one character, got {describe(fill)}"
        raise Fault(msg)
    missing = width - graphemes.count(text) if len(text) < width else 0
    check_length(len(text) + missing * len(fill), ctx.limits)
    return text, fill * max(missing, 0)


# -- numbers -----------------------------------------------------------------


@register("round")
def round_(ctx: Context, value: Any, decimals: Any = 0) -> int | float:
    number = number_input(value)
    places = int_arg(
        decimals, "the number of decimals", -18, ctx.limits.max_decimals, "max_decimals"
    )
    if isinstance(number, float) and not math.isfinite(number):
        msg = f"cannot round {describe(number)}"
        raise Fault(msg)
    rounded = round_half_up(number, places)
    return int(rounded) if places <= 0 else float(rounded)


@register("floor")
def floor(ctx: Context, value: Any) -> int:
    return _whole(value, math.floor)


@register("ceil")
def ceil(ctx: Context, value: Any) -> int:
    return _whole(value, math.ceil)


def _whole(value: Any, how: Callable[[Any], int]) -> int:
    number = number_input(value)
    if isinstance(number, float) and not math.isfinite(number):
        msg = f"{describe(number)} has no whole part"
        raise Fault(msg)
    return how(number)


@register("abs")
def abs_(ctx: Context, value: Any) -> Any:
    number = number_input(value)
    return abs(float(number) if isinstance(number, Decimal) else number)


@register("number")
def number(ctx: Context, value: Any, decimals: Any = None, locale: Any = None) -> str:
    """1234.5 → "1,234.5"; number(2) → "1,234.50"; number(2, 'de_DE') → "1.234,50"."""
    places = None if decimals is None else decimals_arg(ctx, decimals)
    return formatting.format_number(number_input(value), places, locale_arg(ctx, locale))


@register("currency")
def currency(ctx: Context, value: Any, code: Any, locale: Any = None) -> str:
    code = str_arg(code, "the currency code").strip().upper()
    if len(code) != 3 or not code.isalpha() or not formatting.known_currency(code):
        msg = f"unknown currency code {code!r}; use an ISO 4217 code such as 'USD'"
        raise Fault(msg)
    return formatting.format_money(number_input(value), code, locale_arg(ctx, locale))


@register("percent")
def percent(ctx: Context, value: Any, decimals: Any = 0, locale: Any = None) -> str:
    """A ratio as a percentage: 0.256 → "26%"; percent(1) → "25.6%"."""
    places = decimals_arg(ctx, decimals)
    return formatting.format_percent(number_input(value), places, locale_arg(ctx, locale))


@register("plural")
def plural(ctx: Context, value: Any, one: Any, many: Any) -> Any:
    """`one` when the count is exactly 1, else `many`."""
    return one if number_input(value) == 1 else many


# -- dates -------------------------------------------------------------------


@register("date")
def date(ctx: Context, value: Any, pattern: Any = "medium", locale: Any = None) -> str:
    """ISO strings, dates, datetimes and Unix timestamps, by a named or CLDR pattern."""
    when = date_from(value)
    if when is None:
        msg = (
            f"expected a date (ISO 8601 text such as '2024-01-05', or a Unix timestamp), "
            f"got {describe(value)}"
        )
        raise Fault(msg)
    pattern = str_arg(pattern, "the date pattern")
    if len(pattern) > 200:
        msg = "the date pattern is longer than 200 characters"
        raise Fault(msg)
    return formatting.format_when(when, pattern, locale_arg(ctx, locale))


# -- lists -------------------------------------------------------------------


@register("join")
def join(ctx: Context, value: Any, separator: Any = ", ") -> str:
    items = [to_text(item) for item in list_input(value)]
    separator = str_arg(separator, "join's separator")
    check_length(sum(map(len, items)) + len(separator) * max(len(items) - 1, 0), ctx.limits)
    return separator.join(items)


@register("first")
def first(ctx: Context, value: Any) -> Any:
    if isinstance(value, str):
        return graphemes.head(value, 1)[0]
    items = list_input(value)
    return items[0] if items else None


@register("last")
def last(ctx: Context, value: Any) -> Any:
    if isinstance(value, str):
        return graphemes.last(value)
    items = list_input(value)
    return items[-1] if items else None


@register("slice")
def slice_(ctx: Context, value: Any, start: Any, end: Any = None) -> Any:
    """Items (or characters) from `start` up to, not including, `end`; negatives count back."""
    limit = ctx.limits.max_string_length
    begin = int_arg(start, "slice's start", -limit, limit)
    stop = None if end is None else int_arg(end, "slice's end", -limit, limit)
    if isinstance(value, str):
        if begin >= 0 and stop is not None and stop >= 0:
            return graphemes.head(value, stop)[0][len(graphemes.head(value, begin)[0]) :]
        return "".join(graphemes.split(value)[begin:stop])
    return list(list_input(value)[begin:stop])


@register("length", passes_null=False)
def length(ctx: Context, value: Any) -> int:
    """Items of a list, keys of an object, characters of a text; 0 for null."""
    if value is None:
        return 0
    if isinstance(value, str):
        return graphemes.count(value)
    if isinstance(value, list | tuple | Mapping):
        return len(value)
    msg = f"expected a list, an object or text, got {describe(value)}"
    raise Fault(msg)


@register("reverse")
def reverse(ctx: Context, value: Any) -> Any:
    if isinstance(value, str):
        return "".join(reversed(graphemes.split(value)))
    return list(reversed(list_input(value)))


@register("sort")
def sort(ctx: Context, value: Any) -> list[Any]:
    """Numbers or strings in ascending order (not a mix)."""
    items = list(list_input(value))
    if all(is_number(item) for item in items) or all(isinstance(i, str) for i in items):
        return sorted(items)
    msg = "can only sort a list of numbers or a list of strings"
    raise Fault(msg)


@register("json", passes_null=False)
def json_(ctx: Context, value: Any) -> str:
    text = to_json(value)
    check_length(len(text), ctx.limits)
    return text
