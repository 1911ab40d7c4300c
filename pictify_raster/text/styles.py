"""How a block of text should look: the frozen, hashable TextStyle."""

from __future__ import annotations

from dataclasses import dataclass

RGBA = tuple[int, int, int, int]

ALIGNS = ("left", "center", "right", "justify", "start", "end")
VALIGNS = ("top", "middle", "bottom")
OVERFLOWS = ("ellipsis", "shrink", "clip", "error")
TRANSFORMS = (None, "uppercase", "lowercase", "capitalize")
DECORATIONS = (None, "underline", "line-through")
FONT_STYLES = ("normal", "italic", "oblique")


@dataclass(frozen=True)
class Shadow:
    """A drop shadow: offset in px, colour, and Gaussian blur radius in px."""

    dx: float = 2.0
    dy: float = 2.0
    color: RGBA = (0, 0, 0, 128)
    blur: float = 0.0


@dataclass(frozen=True)
class TextStyle:
    """Everything layout_text needs to know besides the text and the box.

    Frozen and hashable: it is part of the keys of the layout caches.
    ``shadow`` is a :class:`Shadow` or a tuple ``(dx, dy, color, blur)``.
    ``markup=True`` turns on the inline markup described in
    :mod:`pictify_raster.text.markup`; otherwise the text is drawn literally.
    """

    family: str = "Noto Sans"
    weight: int = 400
    style: str = "normal"
    size: float = 32.0
    color: RGBA = (0, 0, 0, 255)
    line_height: float = 1.2
    letter_spacing: float = 0.0
    align: str = "left"
    valign: str = "top"
    max_lines: int | None = None
    overflow: str = "ellipsis"
    min_size: float = 8.0
    fallbacks: tuple[str, ...] = ()
    strict_glyphs: bool = False
    transform: str | None = None
    decoration: str | None = None
    stroke_width: float = 0
    stroke_color: RGBA | None = None
    shadow: Shadow | tuple[float, float, RGBA, float] | None = None
    markup: bool = False
    locale: str | None = None

    def __post_init__(self) -> None:
        _check_choice("align", self.align, ALIGNS)
        _check_choice("valign", self.valign, VALIGNS)
        _check_choice("overflow", self.overflow, OVERFLOWS)
        _check_choice("transform", self.transform, TRANSFORMS)
        _check_choice("decoration", self.decoration, DECORATIONS)
        _check_choice("style", self.style, FONT_STYLES)
        if not self.size > 0:
            msg = f"font size must be positive, got {self.size!r}"
            raise ValueError(msg)
        if not self.min_size > 0:
            msg = f"min_size must be positive, got {self.min_size!r}"
            raise ValueError(msg)
        if not 1 <= self.weight <= 1000:
            msg = f"font weight must lie in 1..1000, got {self.weight!r}"
            raise ValueError(msg)
        if self.max_lines is not None and self.max_lines < 1:
            msg = f"max_lines must be at least 1, got {self.max_lines!r}"
            raise ValueError(msg)
        if not self.line_height > 0:
            msg = f"line_height must be positive, got {self.line_height!r}"
            raise ValueError(msg)
        object.__setattr__(self, "color", _rgba("color", self.color))
        if self.stroke_color is not None:
            object.__setattr__(self, "stroke_color", _rgba("stroke_color", self.stroke_color))
        if isinstance(self.fallbacks, list):
            # Accept a list from callers but keep the style hashable.
            object.__setattr__(self, "fallbacks", tuple(self.fallbacks))
        if isinstance(self.shadow, (tuple, list)):
            object.__setattr__(self, "shadow", _shadow_from(tuple(self.shadow)))

    @property
    def shadow_spec(self) -> Shadow | None:
        """The shadow as a :class:`Shadow` (None when there is none)."""
        return self.shadow if isinstance(self.shadow, Shadow) else None


def _rgba(name: str, value: object) -> RGBA:
    """A colour as a 4-tuple of ints (lists and RGB triples accepted), so styles hash."""
    if isinstance(value, (tuple, list)) and len(value) in (3, 4):
        parts = [int(v) for v in value]
        if all(0 <= v <= 255 for v in parts):
            if len(parts) == 3:
                parts.append(255)
            return (parts[0], parts[1], parts[2], parts[3])
    msg = f"text {name} must be an RGB or RGBA tuple of 0..255 values; got {value!r}"
    raise ValueError(msg)


def _shadow_from(values: tuple[object, ...]) -> Shadow:
    """A Shadow from (dx, dy, color, blur); the colour may stand in any place after dx, dy."""
    colors = [v for v in values if isinstance(v, (tuple, list))]
    numbers = [float(v) for v in values if isinstance(v, (int, float))]
    if len(colors) != 1 or len(numbers) not in (2, 3):
        msg = f"shadow must be (dx, dy, color, blur) with an RGBA colour; got {values!r}"
        raise ValueError(msg)
    color = tuple(int(c) for c in colors[0])
    if len(color) == 3:
        color = (*color, 255)
    blur = numbers[2] if len(numbers) == 3 else 0.0
    return Shadow(numbers[0], numbers[1], (color[0], color[1], color[2], color[3]), blur)


def _check_choice(name: str, value: object, allowed: tuple[object, ...]) -> None:
    if value not in allowed:
        shown = ", ".join(str(a) for a in allowed if a is not None)
        msg = f"text {name} must be one of {shown}; got {value!r}"
        raise ValueError(msg)
