"""Drawing a TextBlock: alignment, runs, emoji bitmaps, decoration, stroke, shadow.

Text is drawn on a transparent layer no wider than the box and composited
onto the canvas, so ink never lands left or right of the box, shadows can be
blurred, and RGBA canvases blend correctly. The layer reaches above and below
the block by a margin so stacked diacritics are not cut off (``clip`` crops
to the box exactly). Plain opaque text whose ink provably stays inside the
box columns skips the layer and is drawn straight onto the canvas.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFilter

from .registry import FontFace
from .segmentation import clusters
from .shaping.fonts import pil_font, scale_of, shaping_available
from .shaping.runs import Measure, Run
from .styles import RGBA, TextStyle

if TYPE_CHECKING:
    from .block import LaidLine, TextBlock


def draw_block(block: TextBlock, canvas: Image.Image, box: tuple[int, int, int, int]) -> None:
    x, y, w, h = (int(v) for v in box)
    if w <= 0 or not block.lines:
        return
    top = _block_top(block, y, h)
    starts = [_line_x(line, block.style, w) for line in block.lines]
    if _can_draw_direct(block, canvas, starts, (w, h)):
        painter = _Painter(canvas, block)
        for index, line in enumerate(block.lines):
            painter.line(line, x + starts[index], top + _baseline(block, index), w)
    else:
        _draw_layered(block, canvas, (x, y, w, h), top, starts)


def _baseline(block: TextBlock, index: int) -> float:
    """The baseline of line ``index`` below the block's top."""
    return block.metrics.ascent + index * block.metrics.pitch


def _draw_layered(
    block: TextBlock,
    canvas: Image.Image,
    box: tuple[int, int, int, int],
    top: float,
    starts: list[float],
) -> None:
    x, y, w, h = box
    style = block.style
    pad = _margin(block)
    # The layer spans only the columns the text can reach (plus a margin for
    # overhangs, stroke and shadow), clamped to the box: compositing a small
    # layer is most of the cost of drawing short text.
    ends = [_line_end(block, ln, st, w) for ln, st in zip(block.lines, starts, strict=True)]
    left = max(math.floor(min(starts)) - pad, 0)
    right = min(math.ceil(max(ends)) + pad, w)
    layer_top = math.floor(top) - pad
    height = math.ceil(block.exact_height) + 2 * pad + 1
    layer = Image.new("RGBA", (max(right - left, 1), height), (0, 0, 0, 0))
    painter = _Painter(layer, block)
    for index, line in enumerate(block.lines):
        painter.line(line, starts[index] - left, top - layer_top + _baseline(block, index), w)
    shadow = style.shadow_spec
    if shadow is not None:
        layer = _with_shadow(layer, shadow.dx, shadow.dy, shadow.color, shadow.blur)
    if _crops_to_box(block, h):
        layer = _crop_rows(layer, y - layer_top, y - layer_top + h)
        layer_top = max(layer_top, y)
    _composite(canvas, layer, x + left, layer_top)


def _crops_to_box(block: TextBlock, h: int) -> bool:
    """Whether drawing crops to the box's rows: when clipping, and when even
    one line is taller than the box (its ink would otherwise spill out).

    Less than half a pixel over is rounding (a self-sized block's height is
    its exact height rounded), not a line too tall for its box.
    """
    too_tall = block.exact_height > h + 0.5
    return h > 0 and (block.style.overflow == "clip" or too_tall)


def _can_draw_direct(
    block: TextBlock, canvas: Image.Image, starts: list[float], box: tuple[int, int]
) -> bool:
    """Whether the text can go straight onto the canvas, skipping the layer.

    Safe when compositing would give the same pixels and nothing needs
    cropping: opaque colours, no shadow, clip or justify, no colour bitmaps,
    and every run's ink inside the box columns.
    """
    style, (w, h) = block.style, box
    if canvas.mode not in ("RGBA", "RGB") or style.shadow_spec is not None:
        return False
    if _crops_to_box(block, h) or style.align == "justify" or style.letter_spacing:
        return False
    if style.color[3] != 255 or (style.stroke_color is not None and style.stroke_color[3] != 255):
        return False
    size = block.measure.size
    for line, start in zip(block.lines, starts, strict=True):
        x = start
        for run in line.runs:
            color = run.span.color
            if run.face.file.bitmap_size or (color is not None and color[3] != 255):
                return False
            left, right = _ink_extent(run.face, size, run.text, run.rtl, style.stroke_width)
            if x + left < 0 or x + right > w:
                return False
            x += run.width
    return True


def _ink_extent(
    face: FontFace, size: float, text: str, rtl: bool, stroke: float
) -> tuple[float, float]:
    font = pil_font(face, size)
    if shaping_available():
        box = font.getbbox(
            text, anchor="ls", direction="rtl" if rtl else "ltr", stroke_width=stroke
        )
    else:
        box = font.getbbox(text, anchor="ls", stroke_width=stroke)
    return box[0], box[2]


def _line_end(block: TextBlock, line: LaidLine, start: float, width: int) -> float:
    if block.style.align == "justify" and line.stretchable:
        return float(width)
    return start + line.width


def _block_top(block: TextBlock, y: int, h: int) -> float:
    style, height = block.style, block.exact_height
    if h <= 0 or (style.overflow == "clip" and height > h):
        return float(y)  # an overflowing clipped block shows its beginning
    if style.valign == "middle":
        return y + (h - height) / 2
    if style.valign == "bottom":
        return y + h - height
    return float(y)


def _margin(block: TextBlock) -> int:
    style = block.style
    extra = style.stroke_width
    shadow = style.shadow_spec
    if shadow is not None:
        extra += max(abs(shadow.dx), abs(shadow.dy)) + 3 * shadow.blur
    return math.ceil(block.font_size * 0.6 + extra) + 2


def _line_x(line: LaidLine, style: TextStyle, width: int) -> float:
    align = style.align
    rtl = line.level % 2 == 1
    if align in ("start", "justify"):
        align = "right" if rtl else "left"
    elif align == "end":
        align = "left" if rtl else "right"
    if align == "right":
        return width - line.width
    if align == "center":
        return (width - line.width) / 2
    return 0.0


class _Painter:
    def __init__(self, layer: Image.Image, block: TextBlock) -> None:
        self.layer = layer
        self.draw = ImageDraw.Draw(layer)
        self.block = block
        self.style = block.style
        self.m: Measure = block.measure

    def line(self, line: LaidLine, x: float, baseline: float, box_width: int) -> None:
        """Draw a line starting at ``x``; ``box_width`` is the room justify fills."""
        extra = 0.0
        if self.style.align == "justify" and line.stretchable:
            spaces = sum(c.isspace() for r in line.runs for c in r.clusters)
            if spaces:
                extra = max(box_width - line.width, 0.0) / spaces
        start = x
        for run in line.runs:
            x = self.run(run, x, baseline, extra)
        if self.style.decoration:
            self.decorate(line, start, x, baseline)

    def run(self, run: Run, x: float, baseline: float, extra: float) -> float:
        color = run.span.color or self.style.color
        spaced = self.m.spaced(run)
        for piece in _pieces(run, spaced, bool(extra)):
            width = self.m.text(run.face, piece, run.level)
            self.text(run, piece, x, baseline, color)
            # Letter spacing is on only when pieces are single clusters.
            x += width + (self.m.letter_spacing if spaced else 0.0)
            x += extra * sum(ch.isspace() for ch in piece)
        return x

    def text(self, run: Run, text: str, x: float, baseline: float, color: RGBA) -> None:
        face, size = run.face, self.m.size
        if text.isspace():
            return
        if face.file.bitmap_size:
            self.bitmap(face, text, x, baseline, size)
            return
        kwargs: dict[str, object] = {}
        if shaping_available():
            kwargs["direction"] = "rtl" if run.rtl else "ltr"
            if self.m.language:
                kwargs["language"] = self.m.language
        elif run.rtl:
            text = _reverse_clusters(text)
        if self.style.stroke_width:
            kwargs["stroke_width"] = self.style.stroke_width
            kwargs["stroke_fill"] = self.style.stroke_color or color
        self.draw.text(
            (x, baseline),
            text,
            font=pil_font(face, size),
            fill=color,
            anchor="ls",
            embedded_color=face.file.color,
            **kwargs,  # type: ignore[arg-type]
        )

    def bitmap(self, face: FontFace, text: str, x: float, baseline: float, size: float) -> None:
        image, ascent = emoji_image(face, text, size)
        _composite(self.layer, image, round(x), round(baseline - ascent))

    def decorate(self, line: LaidLine, x0: float, x1: float, baseline: float) -> None:
        if not line.runs or x1 - x0 < 1:
            return
        f = self.block.primary.file
        scale = self.m.size / f.units_per_em
        if self.style.decoration == "underline":
            centre, thick = f.underline_position * scale, f.underline_thickness * scale
        else:
            centre, thick = (
                f.strikeout_position * scale + f.strikeout_size * scale / 2,
                (f.strikeout_size * scale),
            )
        thick = max(thick, 1.0)
        y = baseline - centre
        self.draw.rectangle((x0, y - thick / 2, x1 - 1, y + thick / 2 - 1), fill=self.style.color)


def _pieces(run: Run, per_cluster: bool, per_word: bool) -> list[str]:
    """How a run is split for drawing, in visual order."""
    if per_cluster:
        pieces = list(run.clusters)
    elif per_word:
        pieces = []
        for c in run.clusters:
            if pieces and not (pieces[-1][-1:].isspace() and not c.isspace()):
                pieces[-1] += c
            else:
                pieces.append(c)
    else:
        return [run.text]
    return pieces[::-1] if run.rtl else pieces


def _reverse_clusters(text: str) -> str:
    return "".join(reversed(clusters(text)))


@lru_cache(maxsize=512)
def emoji_image(face: FontFace, text: str, size: float) -> tuple[Image.Image, float]:
    """A colour bitmap run drawn at its strike size, scaled to ``size``; and its ascent."""
    font = pil_font(face, size)
    ascent, descent = font.getmetrics()
    width = max(math.ceil(font.getlength(text)), 1)
    strike = Image.new("RGBA", (width, ascent + descent), (0, 0, 0, 0))
    ImageDraw.Draw(strike).text((0, ascent), text, font=font, anchor="ls", embedded_color=True)
    scale = scale_of(face, size)
    target = (max(round(width * scale), 1), max(round((ascent + descent) * scale), 1))
    return strike.resize(target, Image.Resampling.LANCZOS), ascent * scale


def _with_shadow(layer: Image.Image, dx: float, dy: float, color: RGBA, blur: float) -> Image.Image:
    alpha = layer.getchannel("A")
    if color[3] < 255:
        alpha = alpha.point(lambda v: v * color[3] // 255)
    shade = Image.new("RGBA", layer.size, (*color[:3], 0))
    shade.putalpha(alpha)
    moved = Image.new("RGBA", layer.size, (0, 0, 0, 0))
    moved.alpha_composite(
        shade, (max(round(dx), 0), max(round(dy), 0)), (max(-round(dx), 0), max(-round(dy), 0))
    )
    if blur > 0:
        moved = moved.filter(ImageFilter.GaussianBlur(blur))
    moved.alpha_composite(layer)
    return moved


def _crop_rows(layer: Image.Image, start: float, end: float) -> Image.Image:
    top = max(math.floor(start), 0)
    bottom = min(math.ceil(end), layer.height)
    return layer.crop((0, top, layer.width, max(bottom, top)))


def _composite(canvas: Image.Image, layer: Image.Image, x: int, y: int) -> None:
    # Only the part of the layer inside the canvas: alpha_composite refuses
    # negative destinations.
    left, top = max(x, 0), max(y, 0)
    right = min(x + layer.width, canvas.width)
    bottom = min(y + layer.height, canvas.height)
    if right <= left or bottom <= top:
        return
    part = layer.crop((left - x, top - y, right - x, bottom - y))
    if canvas.mode == "RGBA":
        canvas.alpha_composite(part, (left, top))
    else:
        canvas.paste(part, (left, top), part)
