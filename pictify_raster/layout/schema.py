"""What each element type of a layout accepts.

The tables below are the layout format: every key an element may have, how
its value is converted, and its default. The loader refuses any other key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pictify_raster.layout import convert as c


@dataclass(frozen=True)
class Field:
    """One key of an element: its converter, default, and whether it must be given."""

    convert: c.Converter
    default: Any = None
    required: bool = False


@dataclass(frozen=True)
class Nested:
    """A key whose value is a mapping of its own fields (``font``, ``stroke``)."""

    fields: Mapping[str, Field]
    optional: bool = False  # absent means None rather than all defaults


ALIGNMENTS = ("left", "center", "right", "justify", "start", "end")

STROKE = Nested(
    {"color": Field(c.color, "#000000"), "width": Field(c.stroke_width, 1.0)},
    optional=True,
)

COMMON: dict[str, Field | Nested] = {
    "id": Field(c.plain_string),
    "visible": Field(c.boolean, True),
    "opacity": Field(c.fraction, 1.0),
    "rotate": Field(c.number, 0.0),
}

SHAPE: dict[str, Field | Nested] = {
    "radius": Field(c.non_negative, 0.0),
    "fill": Field(c.paint),
    "stroke": STROKE,
}

FONT = Nested(
    {
        "family": Field(c.plain_string, "Noto Sans"),
        "weight": Field(c.whole, 400),
        "style": Field(c.one_of("normal", "italic"), "normal"),
        "size": Field(c.font_size, 32.0),
        "min_size": Field(c.font_size, 8.0),
    }
)

TEXT: dict[str, Field | Nested] = {
    "content": Field(c.text, required=True),
    "font": FONT,
    "color": Field(c.color, "#000000"),
    "line_height": Field(c.line_height, 1.2),
    "letter_spacing": Field(c.letter_spacing, 0.0),
    "max_lines": Field(c.positive_whole),
    "overflow": Field(c.one_of("ellipsis", "shrink", "clip", "error"), "ellipsis"),
    # start, as in CSS: left for left-to-right text, right for Arabic and Hebrew.
    "align": Field(c.one_of(*ALIGNMENTS), "start"),
    "valign": Field(c.one_of("top", "middle", "bottom"), "top"),
    "transform": Field(c.one_of("uppercase", "lowercase", "capitalize")),
    "decoration": Field(c.one_of("underline", "line-through")),
    "stroke": STROKE,
    "shadow": Nested(
        {
            "dx": Field(c.number, 2.0),
            "dy": Field(c.number, 2.0),
            "blur": Field(c.non_negative, 0.0),
            "color": Field(c.color, "#00000080"),
        },
        optional=True,
    ),
    "markup": Field(c.boolean, False),
    "strict_glyphs": Field(c.boolean, False),
    "fallbacks": Field(c.string_list, []),
    "max_width": Field(c.length),
}

IMAGE: dict[str, Field | Nested] = {
    "src": Field(c.text, required=True),
    "fit": Field(c.one_of("cover", "contain", "fill", "none"), "cover"),
    "position": Field(c.position, "center"),
    "mask": Field(c.one_of("circle", "rounded", "none"), "none"),
    "radius": Field(c.non_negative, 0.0),
    "grayscale": Field(c.boolean, False),
    "blur": Field(c.non_negative, 0.0),
    "border": STROKE,
    "fallback": Field(c.text),
}

LINE: dict[str, Field | Nested] = {
    "start": Field(c.point, required=True),
    "end": Field(c.point, required=True),
    "color": Field(c.color, "#000000"),
    "width": Field(c.stroke_width, 1.0),
}

QR: dict[str, Field | Nested] = {
    "data": Field(c.qr_data, required=True),
    "color": Field(c.color, "#000000"),
    "background": Field(c.optional_color),
    "error_correction": Field(c.one_of("L", "M", "Q", "H"), "M"),
    # ISO/IEC 18004 asks for 4 modules of light margin; less will do where
    # the code already sits on a plain, light area.
    "quiet_zone": Field(c.quiet_zone, 4),
}

GROUP: dict[str, Field | Nested] = {
    "direction": Field(c.one_of("row", "column"), "row"),
    "gap": Field(c.non_negative, 0.0),
    "padding": Field(c.padding, 0),
    "align": Field(c.one_of("start", "center", "end"), "center"),
    **SHAPE,
}


@dataclass(frozen=True)
class ElementSchema:
    """The keys of one element type; ``box`` is placed apart (see loader)."""

    fields: dict[str, Field | Nested]
    box: bool = True  # takes box: [x, y, w, h] (or size: [w, h] inside a group)
    children: bool = False
    in_groups: bool = True


ELEMENTS: dict[str, ElementSchema] = {
    "rect": ElementSchema({**COMMON, **SHAPE}),
    "ellipse": ElementSchema({**COMMON, "fill": SHAPE["fill"], "stroke": STROKE}),
    "line": ElementSchema({**COMMON, **LINE}, box=False, in_groups=False),
    "text": ElementSchema({**COMMON, **TEXT}),
    "image": ElementSchema({**COMMON, **IMAGE}),
    "qr": ElementSchema({**COMMON, **QR}),
    "group": ElementSchema({**COMMON, **GROUP}, children=True),
}

OUTPUT = Nested(
    {
        "format": Field(c.one_of("png", "jpeg", "webp", "avif")),
        "quality": Field(c.positive_whole, 90),
        "filename": Field(c.text),
    }
)

VARIABLE_KEYS = frozenset(
    {"type", "required", "default", "max_length", "min", "max", "choices", "description"}
)

LAYOUT_KEYS = frozenset(
    {
        "uid", "name", "description", "size", "background", "fonts", "font_fallbacks",
        "locale", "variables", "output", "layers",
    }
)  # fmt: skip


@dataclass(frozen=True)
class VariableSpec:
    """A declared variable: its type and the constraints a row must meet."""

    name: str
    type: str = "string"
    required: bool = False
    default: Any = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] | None = None
    description: str = ""
    path: str = field(default="", compare=False)
