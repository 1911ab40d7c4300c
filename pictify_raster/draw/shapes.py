"""Rectangles, ellipses and lines, each drawn as an RGBA tile."""

from __future__ import annotations

from typing import Any

from PIL import Image, ImageChops, ImageDraw

from pictify_raster.draw.paint import multiply_alpha, paint_image, shape_mask


def shape_tile(kind: str, size: tuple[int, int], props: dict[str, Any]) -> Image.Image:
    """A filled and stroked rect (``radius`` rounds it) or ellipse of ``size``."""
    radius = props.get("radius", 0.0)
    fill = props.get("fill")
    stroke = props.get("stroke")
    mask = shape_mask(kind, size, radius)

    if fill is not None:
        tile = multiply_alpha(paint_image(fill, size), mask)
    else:
        tile = Image.new("RGBA", size, (0, 0, 0, 0))

    if stroke is not None:
        ring = _ring(kind, size, radius, stroke["width"])
        border = Image.new("RGBA", size, stroke["color"])
        tile.alpha_composite(multiply_alpha(border, ring))
    return tile


def _ring(kind: str, size: tuple[int, int], radius: float, width: float) -> Image.Image:
    """The band of a shape within ``width`` pixels of its edge (an inside stroke)."""
    outer = shape_mask(kind, size, radius)
    inset = round(width)
    inner_size = (size[0] - 2 * inset, size[1] - 2 * inset)
    if inner_size[0] <= 0 or inner_size[1] <= 0:
        return outer
    inner = Image.new("L", size, 0)
    inner.paste(shape_mask(kind, inner_size, max(0.0, radius - width)), (inset, inset))
    return ImageChops.subtract(outer, inner)


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
