"""A contact sheet: every image of a batch as a thumbnail, failures marked.

It lets a person see a whole batch at a glance: a grid in item order, each
completed item as its image, each failed one as a red tile with its code. The
sheet is written in the format its file name ends with (.png, .jpg, .webp).
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

#: File endings a sheet may have, and the format each one means.
SHEET_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
LABEL_MARGIN = 4  # pixels kept free on each side of a failure label
SMALLEST_LABEL = 7  # font size below which a label is wrapped rather than shrunk


def sheet_format(destination: Path) -> str:
    """The Pillow format for ``destination``'s ending; ValueError for any other ending."""
    image_format = SHEET_FORMATS.get(destination.suffix.lower())
    if image_format is None:
        endings = ", ".join(SHEET_FORMATS)
        msg = f"{destination}: a contact sheet is written as {endings}; choose one of those endings"
        raise ValueError(msg)
    return image_format


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
    """Write the grid at ``destination``, in the format of its ending, and return its path."""
    image_format = sheet_format(destination)
    items = sorted(entries, key=lambda entry: entry.index)
    thumb_size = (thumb_width, max(1, round(thumb_width * aspect)))
    rows = max(1, math.ceil(len(items) / columns))
    sheet = Image.new(
        "RGB",
        (columns * (thumb_size[0] + gap) + gap, rows * (thumb_size[1] + gap) + gap),
        SHEET_BACKGROUND,
    )
    fonts = _label_fonts(max(10, thumb_size[1] // 7))

    # Decoding a thousand PNGs is most of the work; Pillow releases the GIL
    # while it decodes, so threads use every core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        thumbnails = pool.map(lambda entry: _thumbnail(entry, thumb_size, fonts), items)
        for position, thumbnail in enumerate(thumbnails):
            x = gap + (position % columns) * (thumb_size[0] + gap)
            y = gap + (position // columns) * (thumb_size[1] + gap)
            sheet.paste(thumbnail, (x, y))

    destination.parent.mkdir(parents=True, exist_ok=True)
    options = {"optimize": False} if image_format == "PNG" else {"quality": 90}
    sheet.save(destination, image_format, **options)
    return destination


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _label_fonts(largest: int) -> list[Font]:
    """The label font at every size from ``largest`` down, made once for all threads."""
    return [ImageFont.load_default(size=size)
            for size in range(largest, SMALLEST_LABEL - 1, -1)]


def _thumbnail(entry: SheetEntry, size: tuple[int, int], fonts: list[Font]) -> Image.Image:
    if entry.path is not None and entry.error_code is None:
        try:
            with Image.open(entry.path) as image:
                image.draft("RGB", size)
                return image.convert("RGB").resize(
                    size, Image.Resampling.BILINEAR, reducing_gap=2.0
                )
        except OSError as error:
            logger.warning("cannot read %s for the contact sheet: %s", entry.path, error)
            return _marked(size, f"#{entry.index}\nunreadable", fonts)
    return _marked(size, f"#{entry.index}\n{entry.error_code or 'FAILED'}", fonts)


def _marked(size: tuple[int, int], label: str, fonts: list[Font]) -> Image.Image:
    tile = Image.new("RGB", size, FAILED_COLOUR)
    draw = ImageDraw.Draw(tile)
    text, font = _fit_label(draw, label, size, fonts)
    draw.multiline_text(
        (size[0] / 2, size[1] / 2), text, fill="white", font=font, anchor="mm", align="center"
    )
    return tile


def _fit_label(draw: ImageDraw.ImageDraw, label: str, size: tuple[int, int],
               fonts: list[Font]) -> tuple[str, Font]:
    """The label and the largest font it fits the tile in; wrapped at ``_`` if none does.

    The font grows with the tile's height, so on a square or tall layout a code such as
    IMAGE_FETCH_FAILED is wider than the tile: it is made smaller, then broken into words.
    """
    room = (size[0] - 2 * LABEL_MARGIN, size[1] - 2 * LABEL_MARGIN)
    for font in fonts:
        if _fits(draw, label, font, room):
            return label, font
    wrapped = "\n".join(line.replace("_", "_\n") for line in label.split("\n"))
    for font in fonts:
        if _fits(draw, wrapped, font, room):
            return wrapped, font
    return wrapped, fonts[-1]


def _fits(draw: ImageDraw.ImageDraw, text: str, font: Font, room: tuple[int, int]) -> bool:
    left, top, right, bottom = draw.multiline_textbbox((0, 0), text, font=font, align="center")
    return right - left <= room[0] and bottom - top <= room[1]
