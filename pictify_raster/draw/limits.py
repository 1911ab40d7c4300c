"""How large one element may be drawn.

Each shape, image or tile is drawn at its full box size (and a shape's mask
at several times that), whatever part of it shows on the canvas. A box far
larger than the canvas, from a typo in a layout or a value in a row, would
make a worker allocate gigabytes; it fails instead, naming the layer.
"""

from __future__ import annotations

#: A shape reaching well past the edges of a card (2000x2000). Drawing one
#: element takes about 25 bytes a pixel at the worst (tile, paint, masks
#: supersampled twice, a rotated copy): about 100 MB at this size.
MIN_ELEMENT_PIXELS = 4_000_000


def max_element_pixels(canvas: tuple[int, int]) -> int:
    """The most pixels one element of a canvas of this size may cover.

    A canvas larger than the minimum may hold an element as large as itself;
    whoever asks for a poster-sized canvas has asked for its memory.
    """
    return max(MIN_ELEMENT_PIXELS, canvas[0] * canvas[1])


def oversize_message(width: int, height: int, limit: int) -> str | None:
    """Why a ``width`` x ``height`` element is refused, or None when it is not."""
    if width * height <= limit:
        return None
    return (
        f"{width:,}x{height:,} is {width * height:,} pixels, above the {limit:,} one element "
        "may cover on this canvas; make the box smaller or crop it to the canvas"
    )
