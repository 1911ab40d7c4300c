"""What drawing one row needs besides the layout: fonts, images, and a log."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pictify_raster.draw.limits import MIN_ELEMENT_PIXELS
from pictify_raster.errors import RenderWarning
from pictify_raster.fetch import ImageLoader
from pictify_raster.layout import Scope
from pictify_raster.text import FontRegistry


@dataclass
class RowContext:
    """The state of one row's render; warnings and text reports collect here."""

    scope: Scope
    fonts: FontRegistry
    images: ImageLoader
    base_dir: Path
    font_fallbacks: tuple[str, ...] = ()
    #: The most pixels one element may cover (see draw/limits.py).
    max_element_pixels: int = MIN_ELEMENT_PIXELS
    warnings: list[RenderWarning] = field(default_factory=list)
    text: dict[str, dict[str, Any]] = field(default_factory=dict)

    def warn(self, warning: RenderWarning) -> None:
        if warning not in self.warnings:
            self.warnings.append(warning)
