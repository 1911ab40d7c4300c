"""A parsed, compiled expression: parse once per layout, evaluate per row."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pictify_raster.errors import ExpressionError, ItemError

from .context import Context
from .evaluator import compile_node
from .faults import Fault
from .lexer import Lexer, Token
from .limits import DEFAULT_LIMITS, Limits
from .nodes import Index, Name, Node, unparse
from .parser import Parser
from .values import Undefined

logger = logging.getLogger(__name__)

_EMPTY: Mapping[str, Any] = {}


class Expression:
    """One expression. `source` is its text; `names` the root variables it reads.

    `text` is the whole string it was parsed from (the template text for a
    `{{ … }}` part); node columns, and so error columns, are offsets into it.
    """

    __slots__ = ("_run", "limits", "names", "source", "text", "tree")

    def __init__(self, tree: Node, source: str, text: str, limits: Limits) -> None:
        self.tree = tree
        self.source = source
        self.text = text
        self.limits = limits
        self.names: frozenset[str] = frozenset(_root_names(tree))
        self._run = compile_node(tree)

    def evaluate(
        self, variables: Mapping[str, Any] | None = None, locale: str | None = None
    ) -> Any:
        """The value for one row; raises ExpressionError or VariableError (never others)."""
        ctx = Context(_EMPTY if variables is None else variables, locale, self.limits)
        try:
            result = self._run(ctx)
            if type(result) is Undefined:
                result.fail()
        except Fault as fault:
            raise self._error(fault) from None
        except ItemError:
            raise
        except Exception:  # a bug of ours must still fail only this item, and say little
            logger.debug("expression %r failed unexpectedly", self.source, exc_info=True)
            msg = f"could not evaluate {self.source!r} for this row"
            raise ExpressionError(msg, source=self.text) from None
        return result

    def _error(self, fault: Fault) -> ExpressionError:
        return ExpressionError(
            f"{fault.message} (in {self.source!r})",
            source=self.text,
            column=fault.column,
            field=fault.field,
        )

    def position_of(self, name: str) -> int | None:
        """The column in ``text`` where this expression first reads variable ``name``."""
        return min((n.pos for n in _name_nodes(self.tree) if n.name == name), default=None)

    def unparse(self) -> str:
        """The canonical text: parse(e.unparse()) has an equal tree."""
        return unparse(self.tree)

    def __str__(self) -> str:
        return self.unparse()

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Closures do not pickle; layouts sent to worker processes re-parse instead.
        return (_restore, (self.source, self.limits))


def _restore(source: str, limits: Limits) -> Expression:
    return parse(source, limits)


def _root_names(tree: Node) -> set[str]:
    return {node.name for node in _name_nodes(tree)}


def _name_nodes(tree: Node) -> list[Name]:
    found: list[Name] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            found.append(node)
        elif isinstance(node, Index):
            stack.append(node.target)
            stack.append(node.key)
        else:
            stack.extend(node.children())
    return found


def check_length(text: str, limits: Limits) -> None:
    if len(text) > limits.max_source_length:
        msg = (
            f"expression is {len(text)} characters long, over the limit "
            f"{limits.max_source_length} (limit max_source_length)"
        )
        raise ExpressionError(msg, source=text[:200], column=0, reason=msg)


def parse_tokens(text: str, tokens: list[Token], limits: Limits) -> Node:
    return Parser(text, tokens, limits).parse()


def parse(source: str, limits: Limits | None = None) -> Expression:
    """Parse and compile one expression; raises ExpressionError with the column."""
    limits = limits or DEFAULT_LIMITS
    if not isinstance(source, str):
        msg = f"an expression must be text, not {type(source).__name__}"
        raise ExpressionError(msg)
    check_length(source, limits)
    tokens = Lexer(source, 0, template=False, limits=limits).tokens()
    tree = parse_tokens(source, tokens, limits)
    return Expression(tree, source.strip(), source, limits)
