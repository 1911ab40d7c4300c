"""Flow groups: children laid out in a row or a column, sized by their content.

A group measures its visible children, lines them up with ``gap`` between
them inside ``padding``, and takes the size that results unless its box
fixes one. This is what lets a pill fit its label and a struck-out price sit
beside the price without hand-placed pixels.
"""

from __future__ import annotations

from typing import Any

from PIL import Image

from pictify_raster.draw.context import RowContext
from pictify_raster.draw.elements import Box, Measured, measure, paste_clipped, place
from pictify_raster.draw.shapes import shape_tile
from pictify_raster.layout import Element


def measure_group(
    ctx: RowContext, element: Element, props: dict[str, Any], box: Any, *, in_group: bool
) -> Measured:
    children = [m for child in element.children if (m := measure(ctx, child, in_group=True))]
    props["_children"] = children
    top, right, bottom, left = props["padding"]
    along = [c.width if props["direction"] == "row" else c.height for c in children]
    across = [c.height if props["direction"] == "row" else c.width for c in children]
    main = sum(along) + props["gap"] * max(0, len(children) - 1)
    cross = max(across, default=0)

    if props["direction"] == "row":
        width, height = main + left + right, cross + top + bottom
    else:
        width, height = cross + left + right, main + top + bottom

    # A fixed size of 0 on either axis leaves that axis to the content.
    fixed = _fixed_size(box, in_group)
    if fixed is not None:
        width = fixed[0] or width
        height = fixed[1] or height
    return Measured(element, props, max(1, round(width)), max(1, round(height)))


def draw_group(ctx: RowContext, canvas: Image.Image, measured: Measured, box: Box) -> None:
    props = measured.props
    x, y, width, height = box
    if props["fill"] is not None or props["stroke"] is not None:
        tile = shape_tile("rect", (width, height), props)
        paste_clipped(canvas, tile, x, y)

    top, right, bottom, left = props["padding"]
    row = props["direction"] == "row"
    inner_cross = (height - top - bottom) if row else (width - left - right)
    cursor = float(left if row else top)
    for child in props["_children"]:
        size_along = child.width if row else child.height
        size_across = child.height if row else child.width
        offset = _align(props["align"], inner_cross, size_across)
        if row:
            slot = (x + round(cursor), y + round(top + offset), child.width, child.height)
        else:
            slot = (x + round(left + offset), y + round(cursor), child.width, child.height)
        place(ctx, canvas, child, slot)
        cursor += size_along + props["gap"]


def _align(align: str, room: float, size: float) -> float:
    if align == "start":
        return 0.0
    if align == "end":
        return room - size
    return (room - size) / 2


def _fixed_size(box: Any, in_group: bool) -> tuple[float, float] | None:
    if box is None:
        return None
    if in_group:
        return box[0], box[1]
    return (box[2], box[3]) if len(box) == 4 else None
