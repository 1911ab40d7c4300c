"""Arithmetic, comparison and membership on expression values.

Deliberately strict: `+` adds numbers or joins strings or lists, never a
string and a number ("3" + 1 is an error, not "31"); booleans are not numbers.
Each operation checks its result against the limits before it allocates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, NoReturn

from .faults import Fault
from .limits import Limits
from .values import Undefined, describe, is_nullish, is_number

_NUMERIC = (int, float)


def fail_operands(verb: str, left: Any, right: Any) -> NoReturn:
    """Raise for operands an operator does not accept (missing ones first)."""
    for value in (left, right):
        if type(value) is Undefined:
            value.fail()
    msg = f"cannot {verb} {describe(left)} and {describe(right)}"
    raise Fault(msg)


def _numbers(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Both operands as int/float, or None; Decimal from Python callers becomes float."""
    if is_number(left) and is_number(right):
        return (
            float(left) if isinstance(left, Decimal) else left,
            float(right) if isinstance(right, Decimal) else right,
        )
    return None


def check_number(value: Any, limits: Limits) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        msg = "the result is not a finite number"
        raise Fault(msg)
    if not -limits.max_number <= value <= limits.max_number:
        msg = f"a number is larger than the limit {limits.max_number} (limit max_number)"
        raise Fault(msg)
    return value


def check_length(length: int, limits: Limits, what: str = "string") -> None:
    """Refuse a string or list before it is built, if it would be too long."""
    limit = limits.max_string_length if what == "string" else limits.max_list_length
    if length > limit:
        name = "max_string_length" if what == "string" else "max_list_length"
        msg = f"a {what} would be {length} long, over the limit {limit} (limit {name})"
        raise Fault(msg)


def add(left: Any, right: Any, limits: Limits) -> Any:
    if type(left) in _NUMERIC and type(right) in _NUMERIC:
        return check_number(left + right, limits)
    if isinstance(left, str) and isinstance(right, str):
        check_length(len(left) + len(right), limits)
        return left + right
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        check_length(len(left) + len(right), limits, "list")
        return [*left, *right]
    pair = _numbers(left, right)
    if pair is not None:
        return check_number(pair[0] + pair[1], limits)
    return fail_operands("add", left, right)


def subtract(left: Any, right: Any, limits: Limits) -> Any:
    pair = _numbers(left, right)
    if pair is None:
        fail_operands("subtract", left, right)
    return check_number(pair[0] - pair[1], limits)


def multiply(left: Any, right: Any, limits: Limits) -> Any:
    pair = _numbers(left, right)
    if pair is not None:
        return check_number(pair[0] * pair[1], limits)
    # A string or list times a whole number repeats it: '★' * rating.
    sequence, count = (left, right) if isinstance(right, int) else (right, left)
    if isinstance(count, int) and not isinstance(count, bool):
        if isinstance(sequence, str):
            check_length(len(sequence) * max(count, 0), limits)
            return sequence * count
        if isinstance(sequence, list | tuple):
            check_length(len(sequence) * max(count, 0), limits, "list")
            return list(sequence) * count
    return fail_operands("multiply", left, right)


def divide(left: Any, right: Any, limits: Limits) -> Any:
    pair = _numbers(left, right)
    if pair is None:
        fail_operands("divide", left, right)
    if pair[1] == 0:
        msg = f"division by zero ({describe(left)} / {describe(right)})"
        raise Fault(msg)
    return check_number(pair[0] / pair[1], limits)


def floor_divide(left: Any, right: Any, limits: Limits) -> Any:
    pair = _numbers(left, right)
    if pair is None:
        fail_operands("divide", left, right)
    if pair[1] == 0:
        msg = f"division by zero ({describe(left)} // {describe(right)})"
        raise Fault(msg)
    return check_number(pair[0] // pair[1], limits)


def modulo(left: Any, right: Any, limits: Limits) -> Any:
    pair = _numbers(left, right)
    if pair is None:
        # Never a format operation: '%' on strings would splice row data into text.
        fail_operands("take the remainder of", left, right)
    if pair[1] == 0:
        msg = f"division by zero ({describe(left)} % {describe(right)})"
        raise Fault(msg)
    return check_number(pair[0] % pair[1], limits)


def negate(value: Any, limits: Limits) -> Any:
    if type(value) in _NUMERIC:
        return -value
    if is_number(value):
        return -float(value)
    if type(value) is Undefined:
        value.fail()
    msg = f"cannot negate {describe(value)}"
    raise Fault(msg)


def equal(left: Any, right: Any) -> bool:
    """JSON-style equality: null equals only null (or a missing value); true is not 1."""
    if is_nullish(left) or is_nullish(right):
        return is_nullish(left) and is_nullish(right)
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, str) or isinstance(right, str):
        return isinstance(left, str) and isinstance(right, str) and left == right
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(map(equal, left, right))
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(equal(left[k], right[k]) for k in left)
    if isinstance(left, date) and isinstance(right, date):
        return _date_key(left) == _date_key(right)
    return False


def _date_key(value: date) -> datetime:
    """Dates and datetimes on one scale: a date is its midnight, naive is UTC."""
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def compare(op: str, left: Any, right: Any) -> bool:
    """<, <=, > and >= on two numbers, two strings or two dates."""
    pair = _numbers(left, right)
    if pair is not None:
        a, b = pair
    elif isinstance(left, str) and isinstance(right, str):
        a, b = left, right
    elif isinstance(left, date) and isinstance(right, date):
        a, b = _date_key(left), _date_key(right)
    else:
        fail_operands("compare", left, right)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def contains(item: Any, container: Any) -> bool:
    """`item in container`: an element of a list, a part of a string, a key of an object."""
    if type(item) is Undefined:
        item.fail()
    if isinstance(container, str):
        if isinstance(item, str):
            return item in container
    elif isinstance(container, list | tuple):
        return any(equal(item, element) for element in container)
    elif isinstance(container, Mapping) and isinstance(item, str):
        return item in container
    if type(container) is Undefined:
        container.fail()
    if type(item) is Undefined:
        item.fail()
    msg = f"cannot look for {describe(item)} in {describe(container)}"
    raise Fault(msg)
