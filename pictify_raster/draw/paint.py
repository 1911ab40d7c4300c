"""Filling an area with a solid colour or a linear gradient."""

from __future__ import annotations

import math
from functools import lru_cache

from PIL import Image, ImageChops

from pictify_raster.layout import RGBA, LinearGradient, Paint


def paint_image(paint: Paint, size: tuple[int, int]) -> Image.Image:
    """An RGBA image of ``size`` filled with ``paint``."""
    if isinstance(paint, LinearGradient):
        return _gradient(paint, size).copy()
    return Image.new("RGBA", size, paint)


@lru_cache(maxsize=64)
def _gradient(gradient: LinearGradient, size: tuple[int, int]) -> Image.Image:
    """Render a CSS-style gradient: the ramp runs along the angle's direction.

    As in CSS, the gradient line passes through the centre and is just long
    enough that the corners get the first and last colours. We build the
    ramp as a strip of that length, rotate it, and crop the centre.
    """
    width, height = size
    radians = math.radians(gradient.angle)
    length = abs(width * math.sin(radians)) + abs(height * math.cos(radians))
    length = max(1, round(length))
    diagonal = math.ceil(math.hypot(width, height)) + 2

    # A vertical ramp from 0 (first stop) at the top to 255 (last) at the bottom,
    # padded above and below with the end colours.
    ramp = Image.linear_gradient("L").resize((diagonal, length))
    strip = Image.new("L", (diagonal, diagonal), 255)
    strip.paste(0, (0, 0, diagonal, (diagonal - length) // 2))
    strip.paste(ramp, (0, (diagonal - length) // 2))
    # 180° is "to bottom", the ramp's own direction; PIL rotates counter-clockwise.
    rotated = strip.rotate(180 - gradient.angle, resample=Image.Resampling.BILINEAR)
    left, top = (diagonal - width) // 2, (diagonal - height) // 2
    index = rotated.crop((left, top, left + width, top + height))

    bands = [index.point(_channel_table(gradient.stops, channel)) for channel in range(4)]
    return Image.merge("RGBA", bands)


def _channel_table(stops: tuple[RGBA, ...], channel: int) -> list[int]:
    """A 256-entry lookup from ramp position to one channel, stops evenly spaced."""
    table = []
    segments = len(stops) - 1
    for position in range(256):
        t = position / 255 * segments
        index = min(int(t), segments - 1)
        local = t - index
        start, end = stops[index][channel], stops[index + 1][channel]
        table.append(round(start + (end - start) * local))
    return table


def multiply_alpha(image: Image.Image, mask: Image.Image) -> Image.Image:
    """Cut ``image`` (RGBA) to ``mask``, keeping its own transparency inside."""
    alpha = image.getchannel("A")
    if alpha.getextrema() == (255, 255):
        image.putalpha(mask)
    else:
        image.putalpha(ImageChops.multiply(alpha, mask))
    return image
