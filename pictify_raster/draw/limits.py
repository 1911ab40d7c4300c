"""How large one element may be drawn.

Each shape, image or tile is drawn at its full box size (and a shape's mask
at several times that), whatever part of it shows on the canvas. A box far
larger than the canvas, from a typo in a layout or a value in a row, would
make a worker allocate gigabytes; it fails instead, naming the layer.
"""

from __future__ import annotations

#: Enough for a shape reaching well past every edge of a card (4000x4000).
MIN_ELEMENT_PIXELS = 16_000_000
#: On a large canvas, an element may still cover twice the canvas.
CANVAS_MULTIPLE = 2


def max_element_pixels(canvas: tuple[int, int]) -> int:
    """The most pixels one element of a canvas of this size may cover."""
    return max(MIN_ELEMENT_PIXELS, CANVAS_MULTIPLE * canvas[0] * canvas[1])


def oversize_message(width: int, height: int, limit: int) -> str | None:
    """Why a ``width`` x ``height`` element is refused, or None when it is not."""
    if width * height <= limit:
        return None
    return (
        f"{width:,}x{height:,} is {width * height:,} pixels, above the {limit:,} one element "
        "may cover on this canvas; make the box smaller or crop it to the canvas"
    )
