"""A small PNG writer over a fast deflate library.

Pillow's PNG encoder spends 17-23 ms on a 1200x630 card, most of a card's
cost. The same pixels deflated by ISA-L (through the ``isal`` package) take
about a millisecond. This writer covers what cards need: 8-bit greyscale,
grey with alpha, RGB and RGBA, no interlacing, no palette. Anything else
goes through Pillow.

Every row uses the "Up" filter (the difference from the row above), which
turns the vertical gradients and flat panels of a card into runs of zeros.
It is computed for the whole image in one Pillow call.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

from PIL import Image, ImageChops

try:
    from isal import isal_zlib

    _compress: Callable[[bytes, int], bytes] = isal_zlib.compress
    #: isal has levels 0-3; 0 and 1 are the fast ones.
    MAX_LEVEL = isal_zlib.ISAL_BEST_COMPRESSION
except ImportError:  # pragma: no cover - isal ships wheels for the usual platforms
    _compress = zlib.compress
    MAX_LEVEL = 9

SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: Colour type and channels of each Pillow mode the writer takes.
COLOUR_TYPES = {"L": (0, 1), "LA": (4, 2), "RGB": (2, 3), "RGBA": (6, 4)}

#: IDAT chunks are cut at this size, as most encoders do; any size is valid.
IDAT_SIZE = 1 << 20

_UP_FILTER = b"\x02"


def supports(image: Image.Image) -> bool:
    """Whether this writer can encode ``image`` as it is."""
    return image.mode in COLOUR_TYPES


def encode_png(image: Image.Image, level: int = 1, *, drop_alpha: bool = False) -> bytes:
    """Encode ``image`` (mode L, LA, RGB or RGBA) as PNG bytes.

    ``level`` is the deflate level: 0 to 3 with isal (0 fastest), 0 to 9 with
    zlib when isal is not installed. Higher levels than supported are capped.
    ``drop_alpha`` writes an RGBA image the caller knows to be opaque as RGB,
    without converting it first.
    """
    if image.mode not in COLOUR_TYPES:
        msg = f"the PNG writer takes modes {', '.join(COLOUR_TYPES)}; got {image.mode!r}"
        raise ValueError(msg)
    written = "RGB" if drop_alpha and image.mode == "RGBA" else image.mode
    colour_type, channels = COLOUR_TYPES[written]
    width, height = image.size

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    rows = _filtered_rows(image, written, width * channels)
    data = _compress(rows, min(max(level, 0), MAX_LEVEL))

    parts = [SIGNATURE, _chunk(b"IHDR", header)]
    parts.extend(
        _chunk(b"IDAT", data[start : start + IDAT_SIZE]) for start in range(0, len(data), IDAT_SIZE)
    )
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)


def _filtered_rows(image: Image.Image, written: str, stride: int) -> bytes:
    """Every scanline as the "Up" filter byte followed by its difference from the row above.

    The difference is taken per channel, so it can be computed on the RGBA
    canvas and packed to RGB afterwards, which is cheaper than converting.
    """
    # Pasting one row down clips the last row off: the image "above" each row.
    above = Image.new(image.mode, image.size, 0)
    above.paste(image, (0, 1))
    differences = _raw_bytes(ImageChops.subtract_modulo(image, above), written)

    # The filter byte goes in front of each scanline. Seen as one byte per
    # pixel, that is a column of filter bytes left of the differences, which
    # Pillow lays out in C rather than in a Python loop over the rows.
    height = image.height
    scanlines = Image.frombuffer("L", (stride, height), differences, "raw", "L", 0, 1)
    framed = Image.new("L", (stride + 1, height), _UP_FILTER[0])
    framed.paste(scanlines, (1, 0))
    return _raw_bytes(framed, "L")


def _raw_bytes(image: Image.Image, rawmode: str) -> bytes:
    """``image.tobytes("raw", rawmode)`` (a mode of COLOUR_TYPES), packed in one call.

    ``tobytes`` packs 64 KiB at a time and joins the pieces, which takes a
    card three to four times as long as packing it whole. Packing it whole
    needs Pillow's encoder object, an internal interface: should that ever
    change, the public ``tobytes`` is used instead.
    """
    size = image.width * image.height * COLOUR_TYPES[rawmode][1]
    try:
        encoder = Image._getencoder(image.mode, "raw", rawmode)
        encoder.setimage(image.im, (0, 0, *image.size))
        try:
            _consumed, status, data = encoder.encode(size + 1)
        finally:
            encoder.cleanup()
    except (AttributeError, TypeError, ValueError):
        return image.tobytes("raw", rawmode)
    # Status 1 means the whole image went into this one buffer.
    if status != 1 or len(data) != size:
        return image.tobytes("raw", rawmode)
    return data


def _chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(payload, zlib.crc32(kind))
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)
