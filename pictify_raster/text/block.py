"""TextBlock: a laid-out block of text, measured, ready to draw into a box."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from PIL import Image

from ..errors import RenderWarning
from . import bidi
from .breaking import Line
from .drawing import draw_block
from .fitting import Fit, LineMetrics
from .registry import FontFace
from .shaping.runs import Measure, Run, group_runs
from .styles import TextStyle


@dataclass
class LaidLine:
    """One line: its runs in visual (left-to-right drawing) order."""

    runs: list[Run]
    width: float
    level: int
    stretchable: bool  # justify may widen it (not the last line of a paragraph)


@dataclass
class TextBlock:
    """The result of layout_text.

    ``width`` is the widest line's advance and ``height`` the block height as
    drawn: from the first line's ascender to the last line's descender, with a
    constant baseline pitch, so vertical alignment does not depend on which
    letters a line holds. Blocks are read-only once made.
    """

    width: int
    height: int
    font_size: float
    line_count: int
    truncated: bool
    warnings: list[RenderWarning]
    style: TextStyle
    lines: list[LaidLine] = field(repr=False)
    metrics: LineMetrics = field(repr=False)
    measure: Measure = field(repr=False)
    exact_height: float = field(repr=False)
    primary: FontFace = field(repr=False)

    @property
    def baseline(self) -> float:
        """The first line's baseline below the block's top, in px (for baseline alignment)."""
        return self.metrics.ascent

    def draw(self, canvas: Image.Image, box: tuple[int, int, int, int]) -> None:
        """Draw into ``box`` (x, y, w, h) of ``canvas``, aligned as the style says.

        Nothing is drawn left or right of the box; with ``overflow: clip``
        nothing is drawn outside it at all.
        """
        draw_block(self, canvas, box)


def lay_lines(fitted: Fit) -> list[LaidLine]:
    return [_lay_line(line, fitted.measure) for line in fitted.lines]


def _lay_line(line: Line, m: Measure) -> LaidLine:
    runs = group_runs(line.trimmed())
    for run in runs:
        run.width = m.run(run)
    order = bidi.visual_order([r.level for r in runs])
    visual = [runs[i] for i in order]
    width = sum(r.width for r in runs)
    return LaidLine(visual, width, line.level, not line.last_of_paragraph)


def make_block(
    fitted: Fit,
    style: TextStyle,
    metrics: LineMetrics,
    warnings: list[RenderWarning],
    primary: FontFace,
) -> TextBlock:
    lines = lay_lines(fitted)
    widest = max((ln.width for ln in lines), default=0.0)
    exact = metrics.block_height(len(lines))
    return TextBlock(
        width=math.ceil(widest - 1e-6),
        height=math.ceil(exact - 1e-6),
        font_size=fitted.size,
        line_count=len(lines),
        truncated=fitted.truncated,
        warnings=warnings,
        style=style,
        lines=lines,
        metrics=metrics,
        measure=fitted.measure,
        exact_height=exact,
        primary=primary,
    )
