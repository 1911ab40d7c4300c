"""layout_text: the one entry point from a string and a style to a TextBlock."""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict

from ..errors import ErrorCode, ItemError, RenderWarning, WarningCode
from .block import TextBlock, make_block
from .fitting import budget, fit, line_metrics
from .prepare import Prepared, prepare
from .registry import FontRegistry
from .shaping.fonts import shaping_available
from .styles import TextStyle

logger = logging.getLogger(__name__)

_MAX_LISTED = 8
_CACHE_SIZE = 1024
_LONGEST_CACHED = 2000
_blocks: OrderedDict[tuple[object, ...], TextBlock] = OrderedDict()


def layout_text(
    text: str,
    style: TextStyle,
    width: int | None,
    height: int | None,
    registry: FontRegistry,
) -> TextBlock:
    """Lay out ``text`` for a box ``width`` x ``height`` px (None: unbounded).

    ``width=None`` means no wrapping: the block has the text's natural size.
    Raises TextOverflowError for ``overflow: error`` when the text does not
    fit, ItemError (RENDER_FAILED) for ``strict_glyphs`` when no font has a
    character, and LookupError when the style's family is unknown.
    """
    text = "" if text is None else str(text)
    # A box narrower than a pixel still gets one cluster per line, not a loop.
    width = None if width is None else max(int(width), 1)
    height = None if height is None else max(int(height), 0)
    # Keyed by what the registry holds, not its id: ids are reused after
    # a registry is freed, and per-layout registries come and go.
    key = (text, style, width, height, registry.cache_key)
    cached = _blocks.get(key)
    if cached is not None:
        _blocks.move_to_end(key)
        return dataclasses.replace(cached, warnings=list(cached.warnings))
    block = _layout(text, style, width, height, registry)
    if len(text) <= _LONGEST_CACHED:
        _blocks[key] = block
        if len(_blocks) > _CACHE_SIZE:
            _blocks.popitem(last=False)
    return dataclasses.replace(block, warnings=list(block.warnings))


def _layout(
    text: str, style: TextStyle, width: int | None, height: int | None, registry: FontRegistry
) -> TextBlock:
    smallest = min(style.min_size, style.size) if style.overflow == "shrink" else style.size
    prepared = prepare(text, style, registry, budget(style, width, height, smallest))
    warnings = _warnings(prepared, text, style)
    fitted = fit(prepared, style, width, height)
    metrics = line_metrics(prepared, style, fitted.size)
    return make_block(fitted, style, metrics, warnings, prepared.primary.primary)


def _warnings(prepared: Prepared, text: str, style: TextStyle) -> list[RenderWarning]:
    warnings = []
    if prepared.missing:
        listed = ", ".join(f"U+{cp:04X}" for cp in dict.fromkeys(prepared.missing))
        if style.strict_glyphs:
            msg = f"no font has {listed}"
            raise ItemError(msg, code=ErrorCode.RENDER_FAILED)
        shown = list(dict.fromkeys(prepared.missing))
        logger.debug("no font covers %d code point(s) of a text block", len(shown))
        listed = ", ".join(f"U+{cp:04X}" for cp in shown[:_MAX_LISTED])
        if len(shown) > _MAX_LISTED:
            listed += f" and {len(shown) - _MAX_LISTED} more"
        warnings.append(
            RenderWarning(
                WarningCode.MISSING_GLYPHS.value, f"no font has {listed}; drawn as .notdef boxes"
            )
        )
    if not shaping_available() and needs_shaping(text):
        warnings.append(
            RenderWarning(
                WarningCode.TEXT_SHAPING_UNAVAILABLE.value,
                "Pillow was built without raqm: right-to-left or complex-script text "
                "was drawn without shaping",
            )
        )
    return warnings


def needs_shaping(text: str) -> bool:
    """Whether the text has scripts that are unreadable without a shaper."""
    for ch in text:
        cp = ord(ch)
        # Hebrew to Tibetan and Myanmar/Khmer blocks, Arabic forms, joiners.
        if 0x0590 <= cp <= 0x0FFF or 0x1000 <= cp <= 0x109F or 0x1780 <= cp <= 0x17FF:
            return True
        if 0xFB1D <= cp <= 0xFEFC or cp in (0x200C, 0x200D):
            return True
    return False
