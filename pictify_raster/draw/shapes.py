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


def line_tile(props: dict[str, Any]) -> tuple[Image.Image, tuple[int, int]]:
    """A line from ``start`` to ``end``, and where its tile goes on the canvas."""
    (x1, y1), (x2, y2) = props["start"], props["end"]
    width = props["width"]
    margin = int(width) + 2
    left, top = int(min(x1, x2)) - margin, int(min(y1, y2)) - margin
    size = (int(abs(x2 - x1)) + 2 * margin + 1, int(abs(y2 - y1)) + 2 * margin + 1)
    tile = Image.new("RGBA", size, (0, 0, 0, 0))
    points = [(x1 - left, y1 - top), (x2 - left, y2 - top)]
    ImageDraw.Draw(tile).line(points, fill=props["color"], width=round(width))
    return tile, (left, top)
