"""Compiles a syntax tree into nested closures, once, so evaluating a row is
a chain of plain Python calls with no dispatch on node types.

Each closure takes the evaluation Context and returns a value. Closures that
can fail catch the Fault on its way out and stamp it with their node's column
(the innermost stamp wins), so errors point at the operator or filter at fault.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import operators
from .context import Context
from .faults import Fault
from .filters import FILTERS
from .functions import FUNCTIONS, check_missing
from .nodes import (
    Binary,
    Call,
    Conditional,
    Filter,
    Index,
    ListLiteral,
    Literal,
    Name,
    Node,
    Unary,
    unparse,
)
from .values import Undefined, describe, is_nullish, missing_variable, truthy

Compiled = Callable[[Context], Any]

_ARITHMETIC: dict[str, Callable[..., Any]] = {
    "+": operators.add,
    "-": operators.subtract,
    "*": operators.multiply,
    "/": operators.divide,
    "//": operators.floor_divide,
    "%": operators.modulo,
}


def root_name(node: Node) -> str | None:
    """The variable a path starts from (`author` in author.name[0]), if any."""
    while isinstance(node, Index):
        node = node.target
    return node.name if isinstance(node, Name) else None


def compile_node(node: Node) -> Compiled:
    if isinstance(node, Literal):
        return _constant(node.value)
    if isinstance(node, Name):
        return _name(node)
    if isinstance(node, ListLiteral):
        return _list(node)
    if isinstance(node, Index):
        return _index(node)
    if isinstance(node, Unary):
        return _unary(node)
    if isinstance(node, Binary):
        return _binary(node)
    if isinstance(node, Conditional):
        return _conditional(node)
    if isinstance(node, Call):
        return _call(node)
    if isinstance(node, Filter):
        return _filter(node)
    msg = f"not a syntax tree node: {node!r}"
    raise TypeError(msg)


def _constant(value: Any) -> Compiled:
    return lambda ctx: value


def _name(node: Name) -> Compiled:
    name = node.name
    missing = missing_variable(name)

    def run(ctx: Context) -> Any:
        return ctx.variables.get(name, missing)

    return run


def _list(node: ListLiteral) -> Compiled:
    items = [compile_node(item) for item in node.items]
    pos = node.pos

    def run(ctx: Context) -> Any:
        values = [item(ctx) for item in items]
        for value in values:
            if type(value) is Undefined:
                value.fail()
        return values

    return _located(run, pos, None)


def _index(node: Index) -> Compiled:
    target, key = compile_node(node.target), compile_node(node.key)
    path, owner = unparse(node), unparse(node.target)
    field = root_name(node)
    pos = node.pos

    def run(ctx: Context) -> Any:
        ctx.step()
        container, k = target(ctx), key(ctx)
        return _look_up(container, k, path, owner, field=field, pos=pos)

    return _located(run, pos, field)


def _look_up(
    container: Any, key: Any, path: str, owner: str, *, field: str | None, pos: int
) -> Any:
    """container[key] for objects and lists only; a missing key is a missing value."""
    if type(container) is Undefined:
        if container.root:
            container.fail()
        return container  # already missing further up the path
    if type(key) is Undefined:
        key.fail()
    if isinstance(container, Mapping):
        if not isinstance(key, str):
            msg = f"{owner} is an object; look keys up by text, not {describe(key)}"
            raise Fault(msg)
        if key in container:
            return container[key]
        return Undefined(
            f"{path} is missing: {owner} has no key {key!r}",
            field=field or path,
            root=False,
            column=pos,
        )
    if isinstance(container, list | tuple):
        if not isinstance(key, int) or isinstance(key, bool):
            msg = f"{owner} is a list; index it with a whole number, not {describe(key)}"
            raise Fault(msg)
        if -len(container) <= key < len(container):
            return container[key]
        return Undefined(
            f"{path} is missing: {owner} has {_items(len(container))}, no item {key}",
            field=field or path,
            root=False,
            column=pos,
        )
    if container is None:
        return Undefined(
            f"{path} is missing: {owner} is null", field=field or path, root=False, column=pos
        )
    msg = f"cannot look up {describe(key)} in {owner}, which is {describe(container)}"
    raise Fault(msg)


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _unary(node: Unary) -> Compiled:
    operand = compile_node(node.operand)
    if node.op == "not":
        return lambda ctx: not truthy(operand(ctx))

    def run(ctx: Context) -> Any:
        ctx.step()
        return operators.negate(operand(ctx), ctx.limits)

    return _located(run, node.pos, None)


def _binary(node: Binary) -> Compiled:
    left, right, op = compile_node(node.left), compile_node(node.right), node.op
    if op == "and":
        # A missing left side stops `and` as null would: conditions may test
        # optional variables (`avatar and show_avatar`).
        return lambda ctx: right(ctx) if truthy(value := left(ctx)) else _present(value)
    if op == "or":
        return lambda ctx: value if truthy(value := left(ctx)) else right(ctx)
    if op == "??":
        return lambda ctx: right(ctx) if is_nullish(value := left(ctx)) else value
    if op in _ARITHMETIC:
        return _arithmetic(node, left, right, _ARITHMETIC[op])
    return _comparison(node, left, right)


def _present(value: Any) -> Any:
    return None if type(value) is Undefined else value


def _arithmetic(
    node: Binary, left: Compiled, right: Compiled, operation: Callable[..., Any]
) -> Compiled:
    def run(ctx: Context) -> Any:
        ctx.step()
        return operation(left(ctx), right(ctx), ctx.limits)

    return _located(run, node.pos, None)


def _comparison(node: Binary, left: Compiled, right: Compiled) -> Compiled:
    op = node.op
    if op in ("==", "!="):
        want = op == "=="
        return lambda ctx: operators.equal(left(ctx), right(ctx)) is want
    if op in ("in", "not in"):
        want = op == "in"

        def member(ctx: Context) -> bool:
            ctx.step()
            return operators.contains(left(ctx), right(ctx)) is want

        return _located(member, node.pos, None)

    def ordered(ctx: Context) -> bool:
        ctx.step()
        return operators.compare(op, left(ctx), right(ctx))

    return _located(ordered, node.pos, None)


def _conditional(node: Conditional) -> Compiled:
    test, then, otherwise = (compile_node(n) for n in node.children())
    return lambda ctx: then(ctx) if truthy(test(ctx)) else otherwise(ctx)


def _call(node: Call) -> Compiled:
    spec = FUNCTIONS[node.function]
    args = [compile_node(a) for a in node.args]
    function = spec.function
    name = node.function

    def run(ctx: Context) -> Any:
        ctx.step()
        values = [a(ctx) for a in args]
        check_missing(spec, values)
        try:
            return function(ctx, *values)
        except Fault as fault:
            fault.message = f"{name}(): {fault.message}"
            raise

    return _located(run, node.pos, None)


def _filter(node: Filter) -> Compiled:
    spec = FILTERS[node.name]
    value_of = compile_node(node.value)
    args = [compile_node(a) for a in node.args]
    function, name = spec.function, node.name
    passes_null, takes_missing = spec.passes_null, spec.takes_missing

    def run(ctx: Context) -> Any:
        ctx.step()
        value = value_of(ctx)
        if not takes_missing:
            if type(value) is Undefined:
                value.fail()
            if value is None and passes_null:
                return None
        values = [a(ctx) for a in args]
        if not takes_missing:
            for arg in values:
                if type(arg) is Undefined:
                    arg.fail()
        try:
            return function(ctx, value, *values)
        except Fault as fault:
            fault.message = f"filter {name!r}: {fault.message}"
            raise

    return _located(run, node.pos, root_name(node.value))


def _located(run: Compiled, pos: int, field: str | None) -> Compiled:
    """Stamp faults leaving `run` with this node's column and blamed variable."""

    def located(ctx: Context) -> Any:
        try:
            return run(ctx)
        except Fault as fault:
            raise fault.locate(pos, field) from None

    return located
