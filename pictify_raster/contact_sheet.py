"""A contact sheet: every image of a batch as a thumbnail, failures marked.

It lets a person see a whole batch at a glance: a grid in item order, each
completed item as its image, each failed one as a red tile with its code.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

logger = logging.getLogger(__name__)

FAILED_COLOUR = (220, 38, 38)
SHEET_BACKGROUND = (241, 245, 249)


@dataclass(frozen=True)
class SheetEntry:
    """One item: its image file when it completed, else its error code."""

    index: int
    path: Path | None
    error_code: str | None = None


def write_contact_sheet(
    entries: Iterable[SheetEntry],
    destination: Path,
    *,
    columns: int = 25,
    thumb_width: int = 160,
    aspect: float = 630 / 1200,
    gap: int = 4,
) -> Path:
    """Write the grid as a PNG at ``destination`` and return its path."""
    items = sorted(entries, key=lambda entry: entry.index)
    thumb_size = (thumb_width, max(1, round(thumb_width * aspect)))
    rows = max(1, math.ceil(len(items) / columns))
    sheet = Image.new(
        "RGB",
        (columns * (thumb_size[0] + gap) + gap, rows * (thumb_size[1] + gap) + gap),
        SHEET_BACKGROUND,
    )
    label_font = ImageFont.load_default(size=max(10, thumb_size[1] // 7))

    # Decoding a thousand PNGs is most of the work; Pillow releases the GIL
    # while it decodes, so threads use every core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        thumbnails = pool.map(lambda entry: _thumbnail(entry, thumb_size, label_font), items)
        for position, thumbnail in enumerate(thumbnails):
            x = gap + (position % columns) * (thumb_size[0] + gap)
            y = gap + (position // columns) * (thumb_size[1] + gap)
            sheet.paste(thumbnail, (x, y))

    destination.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(destination, "PNG", optimize=False)
    return destination


def _thumbnail(
    entry: SheetEntry, size: tuple[int, int], font: ImageFont.FreeTypeFont | ImageFont.ImageFont
) -> Image.Image:
    if entry.path is not None and entry.error_code is None:
        try:
            with Image.open(entry.path) as image:
                image.draft("RGB", size)
                return image.convert("RGB").resize(
                    size, Image.Resampling.BILINEAR, reducing_gap=2.0
                )
        except OSError as error:
            logger.warning("cannot read %s for the contact sheet: %s", entry.path, error)
            return _marked(size, f"#{entry.index}\nunreadable", font)
    return _marked(size, f"#{entry.index}\n{entry.error_code or 'FAILED'}", font)


def _marked(
    size: tuple[int, int], label: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont
) -> Image.Image:
    tile = Image.new("RGB", size, FAILED_COLOUR)
    draw = ImageDraw.Draw(tile)
    draw.multiline_text(
        (size[0] / 2, size[1] / 2), label, fill="white", font=font, anchor="mm", align="center"
    )
    return tile
