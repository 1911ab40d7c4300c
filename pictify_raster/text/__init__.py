"""Text for pictify_raster: fonts, fallback, shaping, line breaking and fitting.

The contract other packages use:

- :class:`FontRegistry` and :func:`default_registry` find font faces by family;
- :class:`TextStyle` says how text looks;
- :func:`layout_text` lays text out for a box and returns a :class:`TextBlock`,
  which reports its size and draws itself with ``TextBlock.draw``;
- :func:`describe_fonts` and :func:`shaping_available` serve ``pictify-raster fonts``.
"""

from __future__ import annotations

from .block import TextBlock
from .describe import FontRow, describe_fonts
from .layout import layout_text
from .registry import FontFace, FontRegistry, default_registry
from .shaping.fonts import shaping_available
from .styles import Shadow, TextStyle

__all__ = [
    "FontFace",
    "FontRegistry",
    "FontRow",
    "Shadow",
    "TextBlock",
    "TextStyle",
    "default_registry",
    "describe_fonts",
    "layout_text",
    "shaping_available",
]
