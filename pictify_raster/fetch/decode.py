"""Bytes → an upright RGB or RGBA image, checked before any pixel is decoded.

Order matters: sniff the format from the bytes; read only the header and
compare width x height with ``max_pixels`` (a 274-byte PNG may claim 2.5
gigapixels, case C24); only then decode. Partial files are an error, never
silently grey (Pillow's global LOAD_TRUNCATED_IMAGES is left alone, C18).

SVG is refused. The one maintained wheel that rasterises it (resvg-py)
was tried: it reads local files named by ``<image href="/any/path">`` with
no switch to stop it, and has no pixel or time limits, so an SVG from a
row could draw a private file of the worker into a public card.
"""

from __future__ import annotations

import io
import logging
import warnings

from PIL import Image, ImageOps

from pictify_raster.fetch.colour import to_rgb_or_rgba
from pictify_raster.fetch.failures import fail
from pictify_raster.fetch.sniff import sniff

logger = logging.getLogger(__name__)

_ORIENTATION_TAG = 0x0112
# Orientations 5-8 swap width and height.
_SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})
_NOT_DECODED = {
    "SVG": "SVG is not supported: convert the image to PNG or WebP",
    "HTML": "received HTML, not an image",
    "HEIF": "unsupported format: HEIF/HEIC images are not supported",
    "TEXT": "unsupported format: received text, not an image",
    "UNKNOWN": "unsupported format: not a recognised image",
}


def open_checked(data: bytes, where: str, max_pixels: int) -> Image.Image:
    """Open ``data`` reading only its header; refuse empty, unknown and huge images."""
    if not data:
        fail("empty body: no image data", where)
    kind = sniff(data)
    if kind in _NOT_DECODED:
        fail(_NOT_DECODED[kind], where)
    try:
        with warnings.catch_warnings():
            # Pillow warns above ~89 Mpx; max_pixels below is the policy here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
    except Image.DecompressionBombError:
        fail(f"image too large: {_header_size_text(data, kind)}", where)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        fail(f"unsupported format or corrupt {kind} header: {exc}", where)
    width, height = image.size
    if width <= 0 or height <= 0:
        fail(f"image has no pixels: {width}×{height}", where)
    if width * height > max_pixels:
        fail(
            f"image too large: {width}×{height} ({width * height:,} pixels; limit {max_pixels:,})",
            where,
        )
    return image


def displayed_size(image: Image.Image) -> tuple[int, int]:
    """The size once EXIF orientation is applied."""
    width, height = image.size
    if _orientation(image) in _SWAPPING_ORIENTATIONS:
        return height, width
    return width, height


def decode(
    image: Image.Image, where: str, draft_size: tuple[int, int] | None = None
) -> Image.Image:
    """Decode the first frame of an opened image to an upright RGB/RGBA image.

    ``draft_size`` (in displayed orientation) lets JPEG decode at 1/2, 1/4 or
    1/8 scale, never below that size: far less work for a large photo shown
    small.
    """
    orientation = _orientation(image)
    if draft_size is not None and image.format == "JPEG":
        if orientation in _SWAPPING_ORIENTATIONS:
            draft_size = (draft_size[1], draft_size[0])
        image.draft(None, (max(draft_size[0], 1), max(draft_size[1], 1)))
    try:
        # Animated GIF/WebP/PNG: the still output is the first frame (the
        # frame an image opens on), decoded with its transparency.
        image.load()
    except (OSError, SyntaxError, EOFError, ValueError) as exc:
        if "truncated" in str(exc).lower() or isinstance(exc, EOFError):
            fail("truncated image data", where)
        fail(f"corrupt image data: {exc}", where)
    if orientation in range(2, 9):
        image = _transposed(image)
    result = to_rgb_or_rgba(image, where)
    # The pixels are now upright sRGB: an EXIF orientation or a CMYK ICC
    # profile left in .info would be wrong if an encoder copied it.
    result.info = {}
    return result


def _transposed(image: Image.Image) -> Image.Image:
    """The image turned upright; a damaged EXIF block leaves it as stored."""
    try:
        return ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, KeyError) as exc:
        logger.debug("EXIF orientation not applied: %s", exc)
        return image


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except (OSError, SyntaxError, ValueError):
        logger.debug("unreadable EXIF block ignored")
        return 1
    return value if isinstance(value, int) else 1


def _header_size_text(data: bytes, kind: str) -> str:
    """Width and height from a header Pillow refused as a bomb, for the error message.

    The plugin's own class reads the header without the bomb check
    Image.open applies, and decodes nothing.
    """
    Image.init()
    entry = Image.OPEN.get(kind)
    if entry is not None:
        try:
            header = entry[0](io.BytesIO(data), "")
            return f"{header.size[0]}×{header.size[1]}"
        except Exception:  # only the message depends on it
            logger.debug("could not re-read a %s header", kind)
    return "over Pillow's decompression bomb limit"
