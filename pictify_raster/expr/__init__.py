"""The expression language of layouts (DESIGN section 3; docs/expressions.md).

parse(source) -> Expression            one expression, parsed and compiled once
compile_template(text) -> Template     "Hello {{ name | upper }}" interpolation
evaluate(expression, variables, locale)  one-shot, for px.evaluate
coerce_variable(name, value, type)     a row value as its declared type
to_text(value)                         how a value is drawn (None is "")
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from .expression import Expression, parse
from .limits import DEFAULT_LIMITS, Limits
from .template import Template, compile_template
from .types import VARIABLE_TYPES, coerce_variable
from .values import Undefined, to_text, truthy

__all__ = [
    "DEFAULT_LIMITS",
    "VARIABLE_TYPES",
    "Expression",
    "Limits",
    "Template",
    "Undefined",
    "coerce_variable",
    "compile_template",
    "evaluate",
    "is_truthy",
    "parse",
    "to_text",
]

is_truthy = truthy


@functools.lru_cache(maxsize=512)
def _cached(expression: str) -> Expression:
    return parse(expression)


def evaluate(
    expression: str, variables: Mapping[str, Any] | None = None, locale: str | None = None
) -> Any:
    """Parse (cached) and evaluate one expression: evaluate("a + 1", {"a": 2}) == 3."""
    compiled = _cached(expression) if isinstance(expression, str) else parse(expression)
    return compiled.evaluate(variables, locale)
