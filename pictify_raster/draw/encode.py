"""Encoding a rendered canvas as PNG, JPEG, WebP or AVIF."""

from __future__ import annotations

import io

from PIL import Image

from pictify_raster.layout import RGBA

FORMATS = ("png", "jpeg", "webp", "avif")

#: zlib level for PNG. 1 is several times faster than Pillow's default 6 for
#: files some 10-20% larger; cards are mostly flat colour and compress well.
PNG_COMPRESSION = 1


def encode_image(
    image: Image.Image,
    format: str = "png",
    quality: int = 90,
    background: RGBA | None = None,
    *,
    png_compression: int = PNG_COMPRESSION,
) -> bytes:
    """Encode ``image``; JPEG has no alpha, so it is flattened onto ``background``.

    An image with no transparency is written as RGB in every format: smaller
    files, and faster to encode.
    """
    format = format.lower()
    if format == "jpg":
        format = "jpeg"
    if format not in FORMATS:
        message = f"unknown output format {format!r}; the formats are {', '.join(FORMATS)}"
        raise ValueError(message)

    image = _drop_alpha_if_opaque(image, format, background)
    buffer = io.BytesIO()
    if format == "png":
        image.save(buffer, "PNG", compress_level=png_compression)
    elif format == "jpeg":
        image.save(buffer, "JPEG", quality=quality, optimize=False, subsampling="4:2:0")
    elif format == "webp":
        image.save(buffer, "WEBP", quality=quality, method=2)
    else:
        image.save(buffer, "AVIF", quality=quality, speed=8)
    return buffer.getvalue()


def _drop_alpha_if_opaque(image: Image.Image, format: str, background: RGBA | None) -> Image.Image:
    if image.mode != "RGBA":
        return image
    if image.getchannel("A").getextrema()[0] == 255:
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
