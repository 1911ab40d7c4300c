"""`{{ … }}` interpolation inside a layout string.

A text that is one `{{ expr }}` (whitespace around allowed) evaluates to the
expression's own value (a number stays a number); a text mixing literal parts
and expressions evaluates to a string; a text without `{{` is a constant.
Values are inserted as they are: nothing a row holds is ever read as a
template or a format string again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pictify_raster.errors import ExpressionError

from .expression import Expression, check_length, parse_tokens
from .faults import Fault
from .lexer import Kind, Lexer, syntax_error
from .limits import DEFAULT_LIMITS, Limits
from .operators import check_length as check_result_length
from .values import to_text

Part = str | Expression


class Template:
    """A compiled layout string: `parts` are literal text and expressions.

    `names` are the root variables its expressions read; `is_constant` says
    it reads none, so a layout can evaluate it once instead of per row.
    """

    __slots__ = ("_single", "is_constant", "limits", "names", "parts", "source")

    def __init__(self, source: str, parts: list[Part], limits: Limits) -> None:
        self.source = source
        self.parts = tuple(parts)
        self.limits = limits
        expressions = [p for p in parts if isinstance(p, Expression)]
        self.names: frozenset[str] = frozenset().union(*(e.names for e in expressions))
        self.is_constant = not self.names
        # One expression and nothing but whitespace around it: keep its type.
        single = [p for p in parts if not (isinstance(p, str) and not p.strip())]
        self._single = single[0] if len(single) == 1 and isinstance(single[0], Expression) else None

    @property
    def expressions(self) -> tuple[Expression, ...]:
        return tuple(p for p in self.parts if isinstance(p, Expression))

    def evaluate(
        self, variables: Mapping[str, Any] | None = None, locale: str | None = None
    ) -> Any:
        if self._single is not None:
            return self._single.evaluate(variables, locale)
        if len(self.parts) == 1 and isinstance(self.parts[0], str):
            return self.parts[0]
        pieces: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                pieces.append(part)
            else:
                value = part.evaluate(variables, locale)
                pieces.append(_text(part, value))
        total = sum(map(len, pieces))
        try:
            check_result_length(total, self.limits)
        except Fault as fault:
            raise ExpressionError(fault.message, source=self.source) from None
        return "".join(pieces)

    def __repr__(self) -> str:
        return f"Template({self.source!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (compile_template, (self.source, self.limits))


def _text(part: Expression, value: Any) -> str:
    try:
        return to_text(value)
    except Fault as fault:
        msg = f"{fault.message} (in {part.source!r})"
        raise ExpressionError(msg, source=part.text) from None


def compile_template(text: str, limits: Limits | None = None) -> Template:
    """Split a layout string into literal text and parsed expressions."""
    limits = limits or DEFAULT_LIMITS
    if not isinstance(text, str):
        msg = f"a template must be text, not {type(text).__name__}"
        raise ExpressionError(msg)
    check_length(text, limits)
    parts: list[Part] = []
    pos = 0
    while True:
        opening = text.find("{{", pos)
        if opening < 0:
            if pos < len(text) or not parts:
                parts.append(text[pos:])
            return Template(text, parts, limits)
        if opening > pos:
            parts.append(text[pos:opening])
        tokens = Lexer(text, opening + 2, template=True, limits=limits).tokens()
        closing = tokens[-1]
        if closing.kind is not Kind.CLOSE:
            raise syntax_error(text, opening, "'{{' is never closed; expected '}}'")
        tree = parse_tokens(text, tokens, limits)
        source = text[opening + 2 : closing.pos].strip()
        parts.append(Expression(tree, source, text, limits))
        pos = closing.pos + 2
