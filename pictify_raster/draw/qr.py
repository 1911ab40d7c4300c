"""QR codes: text encoded by segno, drawn with a whole number of pixels per module.

A scanner reads a QR code by sampling a grid of modules, so each module is
drawn as a square of whole pixels, never resampled or smoothed: the code takes
the largest whole number of pixels per module that fits its box, and sits
centred in the box (an odd pixel of slack goes to the right and the bottom).
The quiet zone is part of the drawn square, in the background colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import segno
from PIL import Image

from pictify_raster.draw.paint import multiply_alpha, paint_image
from pictify_raster.errors import ErrorCode, ExpressionError, ItemError
from pictify_raster.layout import Layout, Value
from pictify_raster.layout.convert import describe

# What the largest QR code (version 40) holds in byte mode at each level,
# from ISO/IEC 18004 table 7; digits-only and alphanumeric data hold more.
_CAPACITY = {"L": 2953, "M": 2331, "Q": 1663, "H": 1273}

# segno's matrix holds 1 for a dark module; the mask wants 255 there.
_TO_MASK = bytes(255 if value else 0 for value in range(256))


@dataclass(frozen=True)
class Symbol:
    """The modules of one QR code, quiet zone excluded: ``rows[y][x]`` is 1 when dark."""

    rows: tuple[bytes, ...]
    version: int

    @property
    def width(self) -> int:
        return len(self.rows)


class _Unfit(ValueError):
    """A code that cannot be drawn; ``field`` is the key of the layer to blame."""

    def __init__(self, reason: str, field: str) -> None:
        self.reason = reason
        self.field = field
        super().__init__(reason)


def qr_tile(props: dict[str, Any], size: tuple[int, int], path: str) -> Image.Image:
    """The element's ``size`` tile: the code with its quiet zone, centred.

    Raises ExpressionError when the data does not fit in any QR code, and an
    ItemError (RENDER_FAILED) when the box is too small for one pixel per module.
    """
    try:
        symbol = encode(props["data"], props["error_correction"])
        scale = module_pixels(symbol, props["quiet_zone"], size, props["data"])
    except _Unfit as unfit:
        field = f"{path}.{unfit.field}" if unfit.field else path
        message = f"{field}: {unfit.reason}"
        if unfit.field == "data":
            raise ExpressionError(message, field=field) from None
        raise ItemError(message, field=field, code=ErrorCode.RENDER_FAILED) from None

    square = _draw(symbol, props["quiet_zone"], scale, props["color"], props["background"])
    tile = Image.new("RGBA", size, (0, 0, 0, 0))
    tile.paste(square, ((size[0] - square.width) // 2, (size[1] - square.height) // 2))
    return tile


def encode(data: str, level: str) -> Symbol:
    """The smallest QR code of ``data`` at error correction ``level`` (L, M, Q or H)."""
    try:
        return _encode(data, level)
    except segno.DataOverflowError:
        more = "" if level == "L" else ", more at a lower error_correction"
        reason = (
            f"{len(data):,} characters do not fit in a QR code at error correction {level} "
            f"(the largest holds {_CAPACITY[level]:,} bytes of text{more}): {describe(data)}"
        )
        raise _Unfit(reason, "data") from None
    except ValueError as error:  # text that has no encoding, such as a lone surrogate
        reason = f"cannot be encoded in a QR code ({error}): {describe(data)}"
        raise _Unfit(reason, "data") from None


@lru_cache(maxsize=256)
def _encode(data: str, level: str) -> Symbol:
    # A full QR code, never a Micro QR, which few phone cameras read. The level
    # is kept as given (no boost), so a layout's code is what its file says.
    code = segno.make_qr(data, error=level, boost_error=False)
    rows = tuple(bytes(row) for row in code.matrix)
    version = code.version
    assert isinstance(version, int)
    return Symbol(rows=rows, version=version)


def module_pixels(symbol: Symbol, quiet_zone: int, size: tuple[int, int], data: str) -> int:
    """The largest whole number of pixels per module at which the code fits ``size``."""
    modules = symbol.width + 2 * quiet_zone
    scale = min(size) // modules
    if scale < 1:
        reason = (
            f"the QR code is {modules} modules wide (version {symbol.version}, "
            f"{symbol.width} modules and a quiet zone of {quiet_zone} each side), more than "
            f"its {size[0]}x{size[1]}-pixel box: less than one pixel per module; give a larger "
            f"box or shorter data ({describe(data)})"
        )
        raise _Unfit(reason, "")
    return scale


def _draw(
    symbol: Symbol,
    quiet_zone: int,
    scale: int,
    color: tuple[int, int, int, int],
    background: tuple[int, int, int, int] | None,
) -> Image.Image:
    """The square of the code: dark modules in ``color`` over ``background``."""
    modules = symbol.width + 2 * quiet_zone
    margin = bytes(quiet_zone)
    blank = bytes(modules * quiet_zone)
    grid = blank + b"".join(margin + row.translate(_TO_MASK) + margin for row in symbol.rows)
    grid += blank
    side = modules * scale
    # Nearest-neighbour at a whole factor copies each module into exactly
    # scale x scale pixels: hard edges, no grey between modules.
    mask = Image.frombytes("L", (modules, modules), grid).resize(
        (side, side), Image.Resampling.NEAREST
    )
    ink = multiply_alpha(paint_image(color, (side, side)), mask)
    if background is None:
        return ink
    square = Image.new("RGBA", (side, side), background)
    square.alpha_composite(ink)
    return square


def check_static_qr(layout: Layout) -> None:
    """Refuse the layout when a QR code with no row-dependent values cannot be drawn.

    The Renderer calls this as it is built, as it checks font families, so
    ``validate`` reports the fault with its place in the file and a batch
    draws no row, instead of every row failing alike.
    """
    for element in layout.elements():
        if element.kind != "qr" or element.box is None:
            continue
        keys = ("visible", "data", "error_correction", "quiet_zone")
        values = [element.props[key] for key in keys] + [element.box]
        static = [value for value in values if isinstance(value, Value) and value.is_static]
        if len(static) < len(values):
            continue
        visible, data, level, quiet_zone, box = (value.constant for value in static)
        if not visible:
            continue
        # [x, y, w, h] at the top level, [w, h] inside a group: the size ends both.
        width, height = box[-2:]
        size = (max(1, round(width)), max(1, round(height)))
        try:
            module_pixels(encode(data, level), quiet_zone, size, data)
        except _Unfit as unfit:
            where = f"{element.path}.{unfit.field}" if unfit.field else element.box.path
            raise layout.error(unfit.reason, where) from None
