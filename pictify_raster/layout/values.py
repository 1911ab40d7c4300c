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

from pictify_raster.errors import ExpressionError, ItemError, VariableError
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

    def use_of(self, name: str) -> tuple[str, str, int] | None:
        """Where this value reads variable ``name``: the path of the string,
        its text and the column in it; None when it does not."""
        return _use_of(self.raw, self.path, name)

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

    Raises ExpressionError (with a column, and ``field`` the path of the very
    string at fault) for an expression that does not parse, and FieldError
    for a constant that does not convert.
    """
    compiled, names = _compile_deep(raw, locale, path)
    if not names and not _has_template(compiled):
        return Value(path=path, convert=convert, constant=convert(compiled))
    return Value(path=path, convert=convert, raw=compiled, names=names, is_static=False)


def constant(value: Any, path: str = "") -> Value:
    return Value(path=path, convert=lambda v: v, constant=value)


def _compile_deep(raw: Any, locale: str | None, path: str) -> tuple[Any, frozenset[str]]:
    if isinstance(raw, str) and "{{" in raw:
        return _compile_string(raw, locale, path)
    if isinstance(raw, list):
        parts = [_compile_deep(item, locale, f"{path}[{i}]") for i, item in enumerate(raw)]
        return [part for part, _ in parts], frozenset().union(*(n for _, n in parts))
    if isinstance(raw, dict):
        compiled = {key: _compile_deep(item, locale, f"{path}.{key}") for key, item in raw.items()}
        names = frozenset().union(*(n for _, n in compiled.values()))
        return {key: part for key, (part, _) in compiled.items()}, names
    return raw, frozenset()


def _compile_string(raw: str, locale: str | None, path: str) -> tuple[Any, frozenset[str]]:
    try:
        template = compile_template(raw)
        if template.is_constant:
            # No variables: evaluate once now, in the layout's locale.
            return template.evaluate({}, locale=locale), frozenset()
    except ExpressionError as error:
        # The string itself (box[2], not box) is what the file can point at.
        error.field = path
        raise
    return template, template.names


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
            locate_error(error, path)
            raise
    if isinstance(compiled, list):
        return [_evaluate_deep(item, scope, path) for item in compiled]
    if isinstance(compiled, dict):
        return {key: _evaluate_deep(item, scope, path) for key, item in compiled.items()}
    return compiled


def locate_error(error: ItemError, path: str) -> None:
    """Make an error of evaluating the value at ``path`` name that value.

    An expression's fault is the layer's: ``field`` becomes the path. A
    variable the row lacks stays blamed on the variable, the column to fix in
    the data, and the message says which value needed it.
    """
    error.locate(path, blame=not isinstance(error, VariableError))


def _use_of(compiled: Any, path: str, name: str) -> tuple[str, str, int] | None:
    if isinstance(compiled, Template):
        for expression in compiled.expressions:
            column = expression.position_of(name)
            if column is not None:
                return path, expression.text, column
        return None
    items: list[tuple[str, Any]] = []
    if isinstance(compiled, list):
        items = [(f"{path}[{i}]", item) for i, item in enumerate(compiled)]
    elif isinstance(compiled, dict):
        items = [(f"{path}.{key}", item) for key, item in compiled.items()]
    for subpath, item in items:
        found = _use_of(item, subpath, name)
        if found is not None:
            return found
    return None


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


def props_values(props: Props) -> list[Value]:
    """Every value of a tree of props, in the schema's order."""
    found: list[Value] = []
    for item in props.values():
        if isinstance(item, Value):
            found.append(item)
        else:
            found.extend(props_values(item))
    return found
