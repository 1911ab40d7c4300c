"""Checking a row against a layout's declared variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pictify_raster.errors import VariableError
from pictify_raster.expr import coerce_variable
from pictify_raster.layout.convert import describe
from pictify_raster.layout.model import Layout
from pictify_raster.layout.schema import VariableSpec


def prepare_row(layout: Layout, row: Mapping[str, Any]) -> dict[str, Any]:
    """The row as expressions see it: defaults filled in, declared types applied.

    Keys the layout does not declare pass through untouched. Raises
    VariableError (INVALID_VARIABLE) naming the variable and its value.
    """
    if not isinstance(row, Mapping):
        message = f"a row is a mapping of variable names to values, got {describe(row)}"
        raise VariableError(message)
    prepared = dict(row)
    for name, spec in layout.variables.items():
        try:
            prepared[name] = _prepare_value(spec, row.get(name))
        except VariableError as error:
            if name not in row and row:
                # A misspelt or differently cased column is the usual cause.
                error.message += f"; the row has {_columns(row)}"
                error.args = (error.message,)
            raise
    return prepared


def _columns(row: Mapping[str, Any]) -> str:
    names = [str(key) for key in list(row)[:12]]
    more = f" and {len(row) - 12} more" if len(row) > 12 else ""
    return ", ".join(repr(name) for name in names) + more


def _prepare_value(spec: VariableSpec, value: Any) -> Any:
    if _is_blank(value):
        if spec.default is not None:
            value = spec.default
        elif spec.required:
            state = "missing" if value is None else f"blank ({describe(value)})"
            msg = f"variable {spec.name!r} is required but {state}"
            raise VariableError(msg, field=spec.name)
        else:
            return None

    value = coerce_variable(spec.name, value, spec.type)
    _check_constraints(spec, value)
    return value


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_constraints(spec: VariableSpec, value: Any) -> None:
    if (
        spec.max_length is not None
        and isinstance(value, str | list)
        and len(value) > spec.max_length
    ):
        message = (
            f"variable {spec.name!r} is {len(value)} characters long, "
            f"above its max_length of {spec.max_length}: {describe(value)}"
        )
        raise VariableError(message, field=spec.name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if spec.minimum is not None and value < spec.minimum:
            message = f"variable {spec.name!r} is {value!r}, below its min of {spec.minimum:g}"
            raise VariableError(message, field=spec.name)
        if spec.maximum is not None and value > spec.maximum:
            message = f"variable {spec.name!r} is {value!r}, above its max of {spec.maximum:g}"
            raise VariableError(message, field=spec.name)
    if spec.choices is not None and value not in spec.choices:
        allowed = ", ".join(repr(choice) for choice in spec.choices)
        message = f"variable {spec.name!r} is {describe(value)}, not one of {allowed}"
        raise VariableError(message, field=spec.name)
