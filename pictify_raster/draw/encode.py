"""Encoding a rendered canvas as PNG, JPEG, WebP or AVIF."""

from __future__ import annotations

import io

from PIL import Image

from pictify_raster.draw import png
from pictify_raster.layout import RGBA

FORMATS = ("png", "jpeg", "webp", "avif")

#: Deflate level of the fast PNG writer, 0 to 3 (isal's levels): 1 writes a
#: 1200x630 card in about 2 ms at the size of Pillow's level 1 (18 ms); 3 saves
#: a few per cent more for twice the time. See draw/png.py.
PNG_COMPRESSION = 1

#: "fast" is the isal writer of draw/png.py; "pillow" is Pillow's own encoder.
PNG_ENCODERS = ("fast", "pillow")


def encode_image(
    image: Image.Image,
    format: str = "png",
    quality: int = 90,
    background: RGBA | None = None,
    *,
    opaque: bool | None = None,
    png_compression: int = PNG_COMPRESSION,
    png_encoder: str = "fast",
) -> bytes:
    """Encode ``image``; JPEG has no alpha, so it is flattened onto ``background``.

    An image with no transparency is written as RGB in every format: smaller
    files, and faster to encode. ``opaque`` says so when the caller knows it
    (a layout with an opaque background); None has the alpha channel checked.
    """
    format = format.lower()
    if format == "jpg":
        format = "jpeg"
    if png_encoder not in PNG_ENCODERS:
        msg = f"unknown PNG encoder {png_encoder!r}; choose one of {', '.join(PNG_ENCODERS)}"
        raise ValueError(msg)
    if format not in FORMATS:
        message = f"unknown output format {format!r}; the formats are {', '.join(FORMATS)}"
        raise ValueError(message)

    if opaque is None and image.mode == "RGBA":
        opaque = image.getchannel("A").getextrema()[0] == 255
    if format == "png" and png_encoder == "fast" and png.supports(image):
        return png.encode_png(image, png_compression, drop_alpha=bool(opaque))

    image = _without_alpha(image, format, background, opaque=bool(opaque))
    buffer = io.BytesIO()
    if format == "png":
        # Pillow's zlib levels run 0-9; scale the isal level onto them.
        image.save(buffer, "PNG", compress_level=min(9, png_compression * 3))
    elif format == "jpeg":
        image.save(buffer, "JPEG", quality=quality, optimize=False, subsampling="4:2:0")
    elif format == "webp":
        image.save(buffer, "WEBP", quality=quality, method=2)
    else:
        image.save(buffer, "AVIF", quality=quality, speed=8)
    return buffer.getvalue()


def _without_alpha(
    image: Image.Image, format: str, background: RGBA | None, *, opaque: bool
) -> Image.Image:
    if image.mode != "RGBA":
        return image
    if opaque:
        return image.convert("RGB")
    if format == "jpeg":
        return flatten(image, background)
    return image


def flatten(image: Image.Image, background: RGBA | None) -> Image.Image:
    """Composite ``image`` onto an opaque colour (white when there is none)."""
    if image.mode != "RGBA":
        return image.convert("RGB")
    colour = background[:3] if background is not None and background[3] > 0 else (255, 255, 255)
    base = Image.new("RGB", image.size, colour)
    base.paste(image, mask=image.getchannel("A"))
    return base
