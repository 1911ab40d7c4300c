"""Inline spans: a small markup for bold, italic and colour.

Only read when the style sets ``markup=True``; otherwise every character of
the data is drawn as it is. The markup:

- ``**bold**`` draws the enclosed text in the family's bold face (weight 700,
  or the layer's weight if it is heavier);
- ``*italic*`` draws it in the italic face (style ``italic``);
- ``[color=#rrggbb]text[/color]`` (also ``#rgb`` and ``#rrggbbaa``) colours it;
- a backslash escapes the next character: ``\\*`` is a literal asterisk.

Spans nest (``**bold [color=#f00]red bold[/color]**``). An opening marker with
no closing one is drawn literally, so data with stray asterisks still renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .styles import RGBA


@dataclass(frozen=True)
class SpanStyle:
    """How one span differs from the block's style."""

    bold: bool = False
    italic: bool = False
    color: RGBA | None = None


PLAIN = SpanStyle()

_TOKEN = re.compile(r"\\.|\*\*|\*|\[color=(#[0-9a-fA-F]{3,8})\]|\[/color\]", re.DOTALL)


@dataclass
class Span:
    text: str
    style: SpanStyle


def parse_color(value: str) -> RGBA:
    """``#rgb``, ``#rrggbb`` or ``#rrggbbaa`` as an RGBA tuple."""
    digits = value.lstrip("#")
    if len(digits) in (3, 4):
        digits = "".join(c * 2 for c in digits)
    if len(digits) == 6:
        digits += "ff"
    if len(digits) != 8:
        msg = f"colour must be #rgb, #rrggbb or #rrggbbaa; got {value!r}"
        raise ValueError(msg)
    r, g, b, a = (int(digits[i : i + 2], 16) for i in range(0, 8, 2))
    return (r, g, b, a)


def parse(text: str) -> list[Span]:
    """Split marked-up text into spans; unmatched markers stay literal."""
    tokens = _tokens(text)
    closers = _matched(tokens)
    spans: list[Span] = []
    bold = italic = False
    colors: list[RGBA] = []
    for index, (kind, value) in enumerate(tokens):
        if kind == "text" or index not in closers:
            _append(
                spans,
                value if kind != "escape" else value[1:],
                SpanStyle(bold, italic, colors[-1] if colors else None),
            )
        elif kind == "**":
            bold = not bold
        elif kind == "*":
            italic = not italic
        elif kind == "color":
            colors.append(parse_color(value[len("[color=") : -1]))
        elif kind == "/color" and colors:
            colors.pop()
    return spans


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        if match.start() > pos:
            out.append(("text", text[pos : match.start()]))
        token = match.group(0)
        if token.startswith("\\"):
            out.append(("escape", token))
        elif match.group(1):
            out.append(("color", token))
        elif token == "[/color]":
            out.append(("/color", token))
        else:
            out.append((token, token))
        pos = match.end()
    if pos < len(text):
        out.append(("text", text[pos:]))
    return out


def _matched(tokens: list[tuple[str, str]]) -> set[int]:
    """Indexes of markers that have a partner; the others are literal text."""
    matched: set[int] = set()
    open_at: dict[str, int] = {}
    color_stack: list[int] = []
    for index, (kind, _value) in enumerate(tokens):
        if kind in ("**", "*"):
            if kind in open_at:
                matched.update({open_at.pop(kind), index})
            else:
                open_at[kind] = index
        elif kind == "color":
            color_stack.append(index)
        elif kind == "/color" and color_stack:
            matched.update({color_stack.pop(), index})
    return matched


def _append(spans: list[Span], text: str, style: SpanStyle) -> None:
    if not text:
        return
    if spans and spans[-1].style == style:
        spans[-1].text += text
    else:
        spans.append(Span(text, style))
