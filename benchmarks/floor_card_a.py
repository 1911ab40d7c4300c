"""The floor: card A drawn by a minimal hand-written Pillow script.

This is what a careful person writes by hand for one card: static parts drawn
once, then per row only the pill, the wrapped title, the author lines and the
encoding. The engine is measured against it in the same run.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FONTS = ROOT / "fonts"


def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


class FloorCardA:
    """Card A by hand: gradient, panel and avatar drawn once; text per row."""

    def __init__(self) -> None:
        self.pill_font = _font(True, 24)
        self.title_font = _font(True, 60)
        self.author_font = _font(True, 28)
        self.meta_font = _font(False, 24)
        self.base = self._base()

    def _base(self) -> Image.Image:
        top, bottom = (0x1E, 0x3A, 0x8A), (0x7C, 0x3A, 0xED)
        gradient = Image.new("RGB", (1, 630))
        for y in range(630):
            t = y / 629
            gradient.putpixel(
                (0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
            )
        base = gradient.resize((1200, 630)).convert("RGBA")

        panel = Image.new("RGBA", (1080, 510), (255, 255, 255, 235))
        mask = Image.new("L", (1080 * 4, 510 * 4), 0)
        ImageDraw.Draw(mask).rounded_rectangle(
            (0, 0, 1080 * 4 - 1, 510 * 4 - 1), radius=32 * 4, fill=255
        )
        panel.putalpha(mask.reduce(4).point(lambda v: v * 235 // 255))
        base.alpha_composite(panel, (60, 60))

        avatar = (
            Image.open(ROOT / "layouts" / "bench" / "avatar.jpg")
            .convert("RGB")
            .resize((96, 96), Image.Resampling.LANCZOS)
        )
        circle = Image.new("L", (96 * 4, 96 * 4), 0)
        ImageDraw.Draw(circle).ellipse((0, 0, 96 * 4 - 1, 96 * 4 - 1), fill=255)
        avatar_rgba = avatar.convert("RGBA")
        avatar_rgba.putalpha(circle.reduce(4))
        base.alpha_composite(avatar_rgba, (100, 440))
        return base

    def render(self, row: dict[str, Any]) -> Image.Image:
        card = self.base.copy()
        draw = ImageDraw.Draw(card)

        category = str(row["category"])
        width = round(self.pill_font.getlength(category)) + 32
        pill = Image.new("RGBA", (width, 44), (0xED, 0xE9, 0xFE, 255))
        mask = Image.new("L", (width * 4, 44 * 4), 0)
        ImageDraw.Draw(mask).rounded_rectangle(
            (0, 0, width * 4 - 1, 44 * 4 - 1), radius=18 * 4, fill=255
        )
        pill.putalpha(mask.reduce(4))
        card.alpha_composite(pill, (100, 100))
        draw.text((116, 108), category, font=self.pill_font, fill=(0x5B, 0x21, 0xB6))

        for index, line in enumerate(self._wrap(str(row["title"]))):
            draw.text((100, 170 + index * 72), line, font=self.title_font, fill=(0x11, 0x18, 0x27))
        draw.text((216, 450), str(row["author"]), font=self.author_font, fill=(0x11, 0x18, 0x27))
        draw.text(
            (216, 490),
            f"{row['date']} · {row['readTime']}",
            font=self.meta_font,
            fill=(0x6B, 0x72, 0x80),
        )
        return card

    def _wrap(self, title: str) -> list[str]:
        lines: list[str] = []
        current = ""
        words = title.split()
        for position, word in enumerate(words):
            candidate = f"{current} {word}".strip()
            if self.title_font.getlength(candidate) <= 1000:
                current = candidate
                continue
            lines.append(current)
            current = word
            if len(lines) == 3:
                return self._ellipsis(lines, " ".join(words[position:]))
        lines.append(current)
        return lines

    def _ellipsis(self, lines: list[str], rest: str) -> list[str]:
        last = lines[-1]
        while last and self.title_font.getlength(last + "…") > 1000:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
        return lines


def encode(image: Image.Image, fmt: str, quality: int = 90) -> bytes:
    """The same encoder settings the engine uses, so only drawing differs."""
    from pictify_raster.draw import encode_image

    return encode_image(image, fmt, quality, background=(0, 0, 0, 255), opaque=True)


def render_to_bytes(floor: FloorCardA, row: dict[str, Any], fmt: str) -> bytes:
    buffer = io.BytesIO(encode(floor.render(row), fmt))
    return buffer.getvalue()
