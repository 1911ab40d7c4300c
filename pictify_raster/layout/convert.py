"""Converters from YAML (or expression) values to what the drawing code needs.

Each converter takes one raw value and returns the typed one, or raises
FieldError saying what it expected and what it got. The same converters run at
load time for constant values and per row for values that come from
expressions, so a layout author and a row get the same message.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PIL import ImageColor

from pictify_raster.expr import to_text

RGBA = tuple[int, int, int, int]
Converter = Callable[[Any], Any]


#: No coordinate or length of a layout goes past this; the canvas itself is
#: bounded far below it. A value from data beyond it fails its own row.
MAX_COORDINATE = 100_000


class FieldError(ValueError):
    """A value does not fit its field; ``subpath`` points inside the value."""

    def __init__(self, message: str, subpath: str = "") -> None:
        self.subpath = subpath
        super().__init__(message)


@dataclass(frozen=True)
class LinearGradient:
    """A CSS-style linear gradient: 0° runs to the top, 90° to the right."""

    angle: float
    stops: tuple[RGBA, ...]


Paint = RGBA | LinearGradient


def describe(value: Any) -> str:
    """A short, safe rendering of a bad value for an error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def number(value: Any) -> float:
    """A finite number; text such as "42" or " 3.5 " is read as one."""
    result = value
    if isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            result = None
    if isinstance(result, bool) or not isinstance(result, int | float) or not math.isfinite(result):
        msg = f"expected a number, got {describe(value)}"
        raise FieldError(msg)
    return float(result)


def _checked(base: Converter, accepts: Callable[[Any], bool], expected: str) -> Converter:
    """``base``, then a range check that names what was expected."""

    def convert(value: Any) -> Any:
        result = base(value)
        if not accepts(result):
            msg = f"expected {expected}, got {describe(value)}"
            raise FieldError(msg)
        return result

    return convert


def whole(value: Any) -> int:
    result = number(value)
    if result != int(result):
        msg = f"expected a whole number, got {describe(value)}"
        raise FieldError(msg)
    return int(result)


non_negative = _checked(number, lambda n: n >= 0, "a number of 0 or more")
positive = _checked(number, lambda n: n > 0, "a number above 0")
fraction = _checked(number, lambda n: 0 <= n <= 1, "a number from 0 to 1")
positive_whole = _checked(whole, lambda n: n >= 1, "a whole number of 1 or more")
font_size = _checked(number, lambda n: 0 < n <= 2000, "a font size above 0 and at most 2000")
stroke_width = _checked(number, lambda n: 0 < n <= 1000, "a width above 0 and at most 1000")
length = _checked(
    number, lambda n: 0 < n <= MAX_COORDINATE, f"a length above 0 and at most {MAX_COORDINATE:,}"
)
line_height = _checked(number, lambda n: 0 < n <= 10, "a line height above 0 and at most 10")
letter_spacing = _checked(number, lambda n: abs(n) <= 1000, "a spacing from -1000 to 1000")
quiet_zone = _checked(whole, lambda n: 0 <= n <= 40, "a whole number of modules from 0 to 40")


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, str) and value.strip().lower() in {"true", "yes", "1"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"false", "no", "0", ""}:
        return False
    msg = f"expected true or false, got {describe(value)}"
    raise FieldError(msg)


def text(value: Any) -> str:
    return to_text(value)


def qr_data(value: Any) -> str:
    """What a QR code encodes: any value drawn as text, but never nothing.

    An empty code would scan as nothing at all, so null and "" are refused
    rather than drawn.
    """
    result = to_text(value)
    if not result:
        msg = f"expected text to encode, got {describe(value)}"
        raise FieldError(msg)
    return result


def plain_string(value: Any) -> str:
    if not isinstance(value, str):
        msg = f"expected text, got {describe(value)}"
        raise FieldError(msg)
    return value


def one_of(*choices: str) -> Converter:
    def convert(value: Any) -> str:
        if value not in choices:
            allowed = ", ".join(choices)
            msg = f"expected one of {allowed}; got {describe(value)}"
            raise FieldError(msg)
        return str(value)

    return convert


def color(value: Any) -> RGBA:
    """``#rgb``, ``#rgba``, ``#rrggbb``, ``#rrggbbaa``, CSS names, rgb()/hsl()."""
    if not isinstance(value, str) or not value.strip():
        msg = f"expected a colour such as '#1e3a8a', got {describe(value)}"
        raise FieldError(msg)
    spec = value.strip()
    if spec.lower() == "transparent":
        return (0, 0, 0, 0)
    try:
        parsed = ImageColor.getrgb(spec)
    except ValueError:
        msg = f"expected a colour such as '#1e3a8a', got {describe(value)}"
        raise FieldError(msg) from None
    if len(parsed) == 3:
        return (parsed[0], parsed[1], parsed[2], 255)
    return (parsed[0], parsed[1], parsed[2], parsed[3])


def optional_color(value: Any) -> RGBA | None:
    return None if value is None else color(value)


def paint(value: Any) -> Paint | None:
    """A solid colour, or ``{gradient: {angle: 180, stops: [c1, c2, …]}}``."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return color(value)
    if set(value) != {"gradient"} or not isinstance(value["gradient"], dict):
        msg = f"expected a colour or {{gradient: …}}, got {describe(value)}"
        raise FieldError(msg)
    return _gradient(value["gradient"])


def _gradient(spec: dict[str, Any]) -> LinearGradient:
    unknown = set(spec) - {"angle", "stops"}
    if unknown:
        name = sorted(unknown)[0]
        msg = f"unknown key {name!r}; a gradient takes angle and stops"
        raise FieldError(msg, "gradient")
    stops = spec.get("stops")
    if not isinstance(stops, list) or len(stops) < 2:
        message = f"expected a list of at least two colours, got {describe(stops)}"
        raise FieldError(message, "gradient.stops")
    colors = []
    for index, stop in enumerate(stops):
        try:
            colors.append(color(stop))
        except FieldError as error:
            raise FieldError(str(error), f"gradient.stops[{index}]") from None
    try:
        angle = number(spec.get("angle", 180))
    except FieldError as error:
        raise FieldError(str(error), "gradient.angle") from None
    return LinearGradient(angle=angle, stops=tuple(colors))


def numbers(count: int, what: str) -> Converter:
    def convert(value: Any) -> tuple[float, ...]:
        if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != count:
            msg = f"expected {what}, got {describe(value)}"
            raise FieldError(msg)
        result = []
        for index, item in enumerate(value):
            try:
                result.append(number(item))
            except FieldError as error:
                raise FieldError(str(error), f"[{index}]") from None
        return tuple(result)

    return convert


def _within(values: tuple[float, ...], lengths_from: int, what: str, raw: Any) -> tuple[float, ...]:
    for index, value in enumerate(values):
        if index >= lengths_from and value < 0:
            msg = f"{what} has a negative size: {describe(raw)}"
            raise FieldError(msg)
        if abs(value) > MAX_COORDINATE:
            msg = f"{what} has a value beyond ±{MAX_COORDINATE:,}: {describe(raw)}"
            raise FieldError(msg)
    return values


def box(value: Any) -> tuple[float, ...]:
    return _within(numbers(4, "a box [x, y, width, height]")(value), 2, "the box", value)


def point(value: Any) -> tuple[float, ...]:
    return _within(numbers(2, "a point [x, y]")(value), 2, "the point", value)


def size_pair(value: Any) -> tuple[float, ...]:
    return _within(numbers(2, "a size [width, height]")(value), 0, "the size", value)


def position(value: Any) -> tuple[float, float]:
    """A focal point: ``[fx, fy]`` as fractions, or keywords like ``top left``."""
    if isinstance(value, str):
        words = value.lower().split()
        fx, fy = 0.5, 0.5
        for word in words:
            if word == "left":
                fx = 0.0
            elif word == "right":
                fx = 1.0
            elif word == "top":
                fy = 0.0
            elif word == "bottom":
                fy = 1.0
            elif word != "center":
                message = f"expected keywords top, bottom, left, right, center; got {value!r}"
                raise FieldError(message)
        return (fx, fy)
    fx, fy = numbers(2, "a focal point [x, y] as fractions")(value)
    if not (0 <= fx <= 1 and 0 <= fy <= 1):
        msg = f"focal point fractions lie from 0 to 1, got {describe(value)}"
        raise FieldError(msg)
    return (fx, fy)


def padding(value: Any) -> tuple[float, float, float, float]:
    """CSS order: one value, [vertical, horizontal] or [top, right, bottom, left]."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        side = non_negative(value)
        return (side, side, side, side)
    if isinstance(value, list) and len(value) == 2:
        vertical, horizontal = numbers(2, "padding")(value)
        return (vertical, horizontal, vertical, horizontal)
    if isinstance(value, list) and len(value) == 4:
        top, right, bottom, left = numbers(4, "padding")(value)
        return (top, right, bottom, left)
    msg = f"expected a number, [v, h] or [top, right, bottom, left]; got {value!r}"
    raise FieldError(msg)


def string_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        msg = f"expected a list of names, got {describe(value)}"
        raise FieldError(msg)
    return tuple(value)


def anything(value: Any) -> Any:
    return value
