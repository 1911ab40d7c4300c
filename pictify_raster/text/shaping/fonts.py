"""Pillow font objects and measured advances, cached per process.

Fonts are cached per (file, face index, size, weight variation); advances per
(font, text, direction) in a bounded LRU. Bitmap colour fonts (Noto Color
Emoji's CBDT strike) only open at their strike size, so they are opened at
that size and every length is scaled to the size asked for.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from PIL import ImageFont, features

from .._cache import short_text_cache
from ..registry import FontFace

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def shaping_available() -> bool:
    """Whether Pillow has raqm (bidi, Arabic joining, Indic clusters)."""
    available = bool(features.check("raqm"))
    if not available:
        logger.warning(
            "Pillow has no raqm layout: Arabic, Hebrew and Indic text will be drawn "
            "unshaped (items get TEXT_SHAPING_UNAVAILABLE); install libraqm/libfribidi"
        )
    return available


def layout_engine() -> ImageFont.Layout:
    return ImageFont.Layout.RAQM if shaping_available() else ImageFont.Layout.BASIC


def load_size(face: FontFace, size: float) -> float:
    """The size the font file is opened at (a bitmap font's strike size)."""
    strike = face.file.bitmap_size
    return float(strike) if strike else round(size, 2)


def scale_of(face: FontFace, size: float) -> float:
    """Factor from the opened size's pixels to the asked size's pixels."""
    strike = face.file.bitmap_size
    return size / strike if strike else 1.0


def pil_font(face: FontFace, size: float) -> ImageFont.FreeTypeFont:
    size = load_size(face, size)
    return _open(face.file.path, face.file.index, size, face.variation, layout_engine())


@lru_cache(maxsize=256)
def _open(
    path: str, index: int, size: float, variation: float | None, engine: ImageFont.Layout
) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(path, size=size, index=index, layout_engine=engine)
    if variation is not None:
        _set_weight(font, variation)
    return font


def _set_weight(font: ImageFont.FreeTypeFont, weight: float) -> None:
    try:
        axes = font.get_variation_axes()
    except OSError as exc:
        logger.debug("font has no variation axes: %s", exc)
        return
    values: list[float] = []
    for axis in axes:
        name = axis.get("name")
        tag = name.decode() if isinstance(name, bytes) else str(name)
        is_weight = tag.lower() in ("weight", "wght")
        default = axis.get("default") or axis.get("minimum") or 0
        values.append(weight if is_weight else float(default))
    font.set_variation_by_axes(values)


def direction_of(level: int) -> str | None:
    return "rtl" if level % 2 else None


def measure(
    face: FontFace, size: float, text: str, level: int = 0, language: str | None = None
) -> float:
    """The advance width of ``text`` drawn in one call, in pixels at ``size``."""
    shaped = shaping_available()
    return _measure(face, round(size, 2), text, rtl=level % 2, language=language, shaped=shaped)


@short_text_cache(maxsize=65536, longest=256, text_arg=2)
def _measure(
    face: FontFace, size: float, text: str, *, rtl: int, language: str | None, shaped: bool
) -> float:
    font = pil_font(face, size)
    if shaped:
        length = font.getlength(text, direction="rtl" if rtl else "ltr", language=language)
    else:
        length = font.getlength(text)
    return float(length) * scale_of(face, size)


@lru_cache(maxsize=1024)
def vertical_metrics(face: FontFace, size: float) -> tuple[float, float, float]:
    """(ascent, descent, line gap) in pixels at ``size``; descent is positive."""
    f = face.file
    scale = size / f.units_per_em
    return f.ascender * scale, -f.descender * scale, max(f.line_gap, 0) * scale
