"""The functions an expression may call: an allowlist, nothing else is reachable."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import filters
from .context import Context
from .conversions import number_from, plain_number
from .faults import Fault
from .operators import add, compare
from .values import Undefined, describe, is_nullish, is_number, to_text


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    function: Callable[..., Any]
    min_args: int
    max_args: int
    takes_missing: bool


FUNCTIONS: dict[str, FunctionSpec] = {}
_VARIADIC = 1000  # "any number" of arguments; the source length bounds it anyway


def register(
    name: str, *, variadic: bool = False, takes_missing: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def add_spec(function: Callable[..., Any]) -> Callable[..., Any]:
        low, high = filters.arity(function, 1)
        if variadic:
            low, high = 1, _VARIADIC
        FUNCTIONS[name] = FunctionSpec(name, function, low, high, takes_missing)
        return function

    return add_spec


@register("len")
def len_(ctx: Context, value: Any) -> int:
    return filters.length(ctx, value)


def _operands(args: tuple[Any, ...]) -> list[Any]:
    """min(a, b, …) or min(list): the values to compare."""
    if len(args) == 1:
        return list(filters.list_input(args[0]))
    return list(args)


@register("min", variadic=True)
def min_(ctx: Context, *args: Any) -> Any:
    return _extreme(args, "<")


@register("max", variadic=True)
def max_(ctx: Context, *args: Any) -> Any:
    return _extreme(args, ">")


def _extreme(args: tuple[Any, ...], op: str) -> Any:
    values = _operands(args)
    if not values:
        return None
    best = values[0]
    for value in values[1:]:
        if compare(op, value, best):
            best = value
    return best


@register("sum")
def sum_(ctx: Context, values: Any) -> Any:
    total: Any = 0
    for value in filters.list_input(values):
        if not is_number(value):
            msg = f"sum needs numbers, got {describe(value)}"
            raise Fault(msg)
        total = add(total, float(value) if isinstance(value, Decimal) else value, ctx.limits)
    return total


@register("abs")
def abs_(ctx: Context, value: Any) -> Any:
    return filters.abs_(ctx, value)


@register("round")
def round_(ctx: Context, value: Any, decimals: Any = 0) -> Any:
    return filters.round_(ctx, value, decimals)


@register("floor")
def floor(ctx: Context, value: Any) -> int:
    return filters.floor(ctx, value)


@register("ceil")
def ceil(ctx: Context, value: Any) -> int:
    return filters.ceil(ctx, value)


@register("coalesce", variadic=True, takes_missing=True)
def coalesce(ctx: Context, *args: Any) -> Any:
    """The first argument that is neither missing nor null."""
    for value in args:
        if not is_nullish(value):
            return value
    return None


@register("str")
def str_(ctx: Context, value: Any) -> str:
    return to_text(value)


@register("int")
def int_(ctx: Context, value: Any) -> int:
    """A whole number, cutting decimals toward zero: int('3.9') is 3."""
    number = number_from(value)
    if number is None or (isinstance(number, float) and not math.isfinite(number)):
        msg = f"int() needs a number, got {describe(value)}"
        raise Fault(msg)
    return int(number)


@register("float")
def float_(ctx: Context, value: Any) -> float:
    number = number_from(value)
    if number is None:
        msg = f"float() needs a number, got {describe(value)}"
        raise Fault(msg)
    return float(plain_number(number) if isinstance(number, Decimal) else number)


def check_missing(spec: FunctionSpec, args: list[Any]) -> None:
    if not spec.takes_missing:
        for value in args:
            if type(value) is Undefined:
                value.fail()
