"""Values of a layout that may come from expressions.

Any value in a layout may be an expression. At load time every string holding
``{{`` is compiled once; a value with none is converted once and kept as a
constant. Per row, only the values that use variables are evaluated and
converted again. A failure then belongs to that row alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from pictify_raster.errors import ExpressionError, ItemError
from pictify_raster.expr import Template, compile_template
from pictify_raster.layout.convert import Converter, FieldError, describe


@dataclass(frozen=True)
class Scope:
    """What expressions see while one row renders."""

    variables: Mapping[str, Any]
    locale: str | None = None


@dataclass(frozen=True)
class Value:
    """One field of a layout: a constant, or expressions converted per row."""

    path: str
    convert: Converter
    constant: Any = None
    raw: Any = None
    names: frozenset[str] = field(default_factory=frozenset)
    is_static: bool = True

    def resolve(self, scope: Scope) -> Any:
        if self.is_static:
            return self.constant
        evaluated = _evaluate_deep(self.raw, scope, self.path)
        try:
            return self.convert(evaluated)
        except FieldError as error:
            where = self.path + _join_subpath(error.subpath)
            message = f"{where}: {error} (from the expression {describe(_source_of(self.raw))})"
            raise ExpressionError(message, field=self.path) from None


def make_value(raw: Any, convert: Converter, path: str, locale: str | None = None) -> Value:
    """Compile the expressions in ``raw``; convert it now if it has none.

    Raises ExpressionError (with a column) for an expression that does not
    parse, and FieldError for a constant that does not convert.
    """
    compiled, names = _compile_deep(raw, locale)
    if not names and not _has_template(compiled):
        return Value(path=path, convert=convert, constant=convert(compiled))
    return Value(path=path, convert=convert, raw=compiled, names=names, is_static=False)


def constant(value: Any, path: str = "") -> Value:
    return Value(path=path, convert=lambda v: v, constant=value)


def _compile_deep(raw: Any, locale: str | None) -> tuple[Any, frozenset[str]]:
    if isinstance(raw, str) and "{{" in raw:
        template = compile_template(raw)
        if template.is_constant:
            # No variables: evaluate once now, in the layout's locale.
            return template.evaluate({}, locale=locale), frozenset()
        return template, template.names
    if isinstance(raw, list):
        parts = [_compile_deep(item, locale) for item in raw]
        return [part for part, _ in parts], frozenset().union(*(n for _, n in parts))
    if isinstance(raw, dict):
        compiled = {key: _compile_deep(item, locale) for key, item in raw.items()}
        names = frozenset().union(*(n for _, n in compiled.values()))
        return {key: part for key, (part, _) in compiled.items()}, names
    return raw, frozenset()


def _has_template(compiled: Any) -> bool:
    if isinstance(compiled, Template):
        return True
    if isinstance(compiled, list):
        return any(_has_template(item) for item in compiled)
    if isinstance(compiled, dict):
        return any(_has_template(item) for item in compiled.values())
    return False


def _evaluate_deep(compiled: Any, scope: Scope, path: str) -> Any:
    if isinstance(compiled, Template):
        try:
            return compiled.evaluate(scope.variables, locale=scope.locale)
        except ItemError as error:
            if error.field is None:
                error.field = path
            raise
    if isinstance(compiled, list):
        return [_evaluate_deep(item, scope, path) for item in compiled]
    if isinstance(compiled, dict):
        return {key: _evaluate_deep(item, scope, path) for key, item in compiled.items()}
    return compiled


def _source_of(compiled: Any) -> Any:
    if isinstance(compiled, Template):
        return compiled.source
    if isinstance(compiled, list):
        return [_source_of(item) for item in compiled]
    if isinstance(compiled, dict):
        return {key: _source_of(item) for key, item in compiled.items()}
    return compiled


def _join_subpath(subpath: str) -> str:
    if not subpath:
        return ""
    return subpath if subpath.startswith("[") else "." + subpath


Props = dict[str, Union[Value, "Props"]]


def resolve_props(props: Props, scope: Scope) -> dict[str, Any]:
    """Evaluate a tree of values for one row."""
    return {
        key: item.resolve(scope) if isinstance(item, Value) else resolve_props(item, scope)
        for key, item in props.items()
    }


def props_are_static(props: Props) -> bool:
    return all(
        item.is_static if isinstance(item, Value) else props_are_static(item)
        for item in props.values()
    )


def props_names(props: Props) -> frozenset[str]:
    names: frozenset[str] = frozenset()
    for item in props.values():
        names |= item.names if isinstance(item, Value) else props_names(item)
    return names
