"""Rectangles, ellipses and lines, each drawn as an RGBA tile."""

from __future__ import annotations

from typing import Any

from PIL import Image, ImageChops, ImageDraw

from pictify_raster.draw.images import shape_mask
from pictify_raster.draw.paint import multiply_alpha, paint_image

_MASK_OF = {"rect": "rounded", "ellipse": "ellipse"}


def shape_tile(kind: str, size: tuple[int, int], props: dict[str, Any]) -> Image.Image:
    """A filled and stroked rect (``radius`` rounds it) or ellipse of ``size``."""
    radius = props.get("radius", 0.0)
    fill = props.get("fill")
    stroke = props.get("stroke")
    mask = _mask(kind, size, radius)

    if fill is not None:
        tile = multiply_alpha(paint_image(fill, size), mask)
    else:
        tile = Image.new("RGBA", size, (0, 0, 0, 0))

    if stroke is not None:
        ring = _ring(kind, size, radius, stroke["width"])
        border = Image.new("RGBA", size, stroke["color"])
        tile.alpha_composite(multiply_alpha(border, ring))
    return tile


def _mask(kind: str, size: tuple[int, int], radius: float, inset: float = 0) -> Image.Image:
    if kind == "rect" and radius <= 0 and inset <= 0:
        return Image.new("L", size, 255)
    return shape_mask(size, _MASK_OF[kind], radius, inset)


def _ring(kind: str, size: tuple[int, int], radius: float, width: float) -> Image.Image:
    """The band of a shape within ``width`` pixels of its edge (an inside stroke)."""
    return ImageChops.subtract(_mask(kind, size, radius), _mask(kind, size, radius, width))


def line_bounds(
    props: dict[str, Any], canvas: tuple[int, int] | None = None
) -> tuple[int, int, int, int]:
    """``(left, top, width, height)`` of a line's tile: its points and pen, within ``canvas``."""
    (x1, y1), (x2, y2) = props["start"], props["end"]
    margin = int(props["width"]) + 2
    left, top = int(min(x1, x2)) - margin, int(min(y1, y2)) - margin
    right = left + int(abs(x2 - x1)) + 2 * margin + 1
    bottom = top + int(abs(y2 - y1)) + 2 * margin + 1
    if canvas is not None:
        left, top = max(left, 0), max(top, 0)
        right, bottom = min(right, canvas[0]), min(bottom, canvas[1])
    return left, top, max(right - left, 1), max(bottom - top, 1)


def line_tile(props: dict[str, Any], bounds: tuple[int, int, int, int]) -> Image.Image:
    """The line from ``start`` to ``end`` drawn on a tile placed at ``bounds``."""
    (x1, y1), (x2, y2) = props["start"], props["end"]
    left, top, width, height = bounds
    tile = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    points = [(x1 - left, y1 - top), (x2 - left, y2 - top)]
    ImageDraw.Draw(tile).line(points, fill=props["color"], width=round(props["width"]))
    return tile
