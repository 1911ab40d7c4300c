"""Making text fit its box: max_lines and the four overflow modes.

- ``ellipsis``: keep the lines that fit and end the last with "…", whose
  width is reserved before the line is cut, at a cluster boundary.
- ``shrink``: the largest size from ``size`` down to ``min_size`` at which
  everything fits, by binary search in half-pixel steps (at most about ten
  layouts); if nothing fits at ``min_size``, the ellipsis rule applies there.
- ``clip``: lay out what fits plus one partly visible line; drawing crops.
- ``error``: raise TextOverflowError saying by how much the text overflows.

Work is bounded whatever the input length: the text is cut to the number of
characters that could possibly fit, and breaking stops one line past the limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import TextOverflowError
from .breaking import Line, break_lines
from .prepare import Budget, Prepared
from .shaping.fonts import vertical_metrics
from .shaping.runs import Cluster, Measure
from .styles import TextStyle

ELLIPSIS = "…"
# Bounds used to cap the work on long values: no visible cluster is narrower
# than this fraction of the font size, and no font's lines are closer than
# this fraction of size x line_height.
_MIN_ADVANCE_EM = 0.15
_MIN_PITCH_EM = 0.8
# Unwrapped text (width None, used to size pills) never needs to be wider or
# longer than this.
_MAX_NATURAL_WIDTH = 16384
_MAX_NATURAL_LINES = 1000
_SIZE_STEP = 0.5
_ERROR_EXTRA_LINES = 50


@dataclass
class Fit:
    size: float
    lines: list[Line]
    truncated: bool
    measure: Measure


@dataclass(frozen=True)
class LineMetrics:
    ascent: float
    descent: float
    pitch: float

    @property
    def content(self) -> float:
        return self.ascent + self.descent

    def block_height(self, count: int) -> float:
        """Top of the first line's ascender to the bottom of the last one's descender."""
        return 0.0 if count == 0 else (count - 1) * self.pitch + self.content

    def lines_in(self, height: float | None) -> int | None:
        if height is None:
            return None
        if height < self.content:
            return 0
        return int((height - self.content) / self.pitch + 1e-6) + 1


def line_metrics(prepared: Prepared, style: TextStyle, size: float) -> LineMetrics:
    """The pitch is ``line_height`` times the font size, as in CSS.

    Layouts are often ported from HTML templates, where ``line-height: 1.2``
    means 1.2 times the font size; reading it against the font's own
    ascender-to-descender height would fit a line fewer into the same box.
    The pitch never depends on the glyphs of a line, so every line of a
    block is equally spaced.
    """
    ascent, descent, _gap = vertical_metrics(prepared.primary.primary, size)
    return LineMetrics(ascent, descent, size * style.line_height)


def budget(style: TextStyle, width: int | None, height: int | None, size: float) -> Budget | None:
    """How many clusters and lines could possibly be shown at ``size`` (None: unbounded).

    Without a width nothing wraps, so each line is bounded by a natural width
    no image needs; the text beyond it is cut with an ellipsis.
    """
    lines = style.max_lines
    if height is not None:
        by_height = int(height / max(size * style.line_height * _MIN_PITCH_EM, 1.0)) + 1
        lines = by_height if lines is None else min(lines, by_height)
    if lines is None:
        if width is not None:
            return None
        lines = _MAX_NATURAL_LINES
    line_width = _MAX_NATURAL_WIDTH if width is None else width
    per_line = int(line_width / (_MIN_ADVANCE_EM * size)) + 2
    return Budget((lines + 1) * per_line, lines + 1, per_line if width is None else None)


def allowed_lines(style: TextStyle, metrics: LineMetrics, height: int | None) -> int | None:
    by_height = metrics.lines_in(height)
    if style.max_lines is None:
        return by_height
    return style.max_lines if by_height is None else min(style.max_lines, by_height)


def measure_at(style: TextStyle, size: float) -> Measure:
    spacing = style.letter_spacing * size / style.size
    return Measure(size, spacing, language_tag(style.locale))


def language_tag(locale: str | None) -> str | None:
    """A BCP 47 tag for the shaper (``de_DE`` -> ``de-DE``); it picks localised forms."""
    return locale.replace("_", "-") if locale else None


@dataclass
class _Attempt:
    lines: list[Line]
    allowed: int | None
    overflow: bool
    measure: Measure


def _attempt(
    prepared: Prepared, style: TextStyle, size: float, width: int | None, height: int | None
) -> _Attempt:
    m = measure_at(style, size)
    allowed = allowed_lines(style, line_metrics(prepared, style, size), height)
    lines, stopped = break_lines(prepared.paragraphs, m, width, allowed)
    overflow = stopped or (allowed is not None and len(lines) > allowed)
    return _Attempt(lines, allowed, overflow, m)


def fit(prepared: Prepared, style: TextStyle, width: int | None, height: int | None) -> Fit:
    mode = style.overflow
    first = _attempt(prepared, style, style.size, width, height)
    if not first.overflow and not prepared.cut:
        return Fit(style.size, first.lines, False, first.measure)
    if mode == "shrink":
        return _shrink(prepared, style, width, height, first)
    if mode == "clip":
        return Fit(style.size, _clipped(first, style), True, first.measure)
    if mode == "error":
        raise TextOverflowError(_overflow_message(prepared, style, width, height, first))
    return _ellipsis(prepared, style.size, first, width)


def _clipped(attempt: _Attempt, style: TextStyle) -> list[Line]:
    """The lines to draw when clipping: those that fit, plus the one the box
    bottom cuts through (max_lines, when it is the limit, is exact)."""
    if attempt.allowed is None:
        return attempt.lines
    limited_by_count = style.max_lines is not None and style.max_lines <= attempt.allowed
    return attempt.lines[: attempt.allowed + (0 if limited_by_count else 1)]


def _shrink(
    prepared: Prepared, style: TextStyle, width: int | None, height: int | None, first: _Attempt
) -> Fit:
    low_size = min(style.min_size, style.size)
    low = _attempt(prepared, style, low_size, width, height)
    if low.overflow or prepared.cut:
        return _ellipsis(prepared, low_size, low, width)
    best, lo, hi = low, low_size, style.size
    while hi - lo > _SIZE_STEP:
        mid = math.floor((lo + hi) / 2 / _SIZE_STEP) * _SIZE_STEP
        if mid <= lo:
            break
        trial = _attempt(prepared, style, mid, width, height)
        if trial.overflow:
            hi = mid
        else:
            best, lo = trial, mid
    return Fit(lo, best.lines, False, best.measure)


def _ellipsis(prepared: Prepared, size: float, attempt: _Attempt, width: int | None) -> Fit:
    keep = max(attempt.allowed if attempt.allowed is not None else len(attempt.lines), 1)
    lines = attempt.lines[:keep]
    if attempt.allowed == 0 and _one_line_says_all(prepared, attempt.measure, width):
        # A box shorter than one line still shows the first line. When that
        # line is the whole text nothing is hidden, so it gets no ellipsis.
        return Fit(size, lines, False, attempt.measure)
    if lines:
        room = _MAX_NATURAL_WIDTH if width is None else width
        lines[-1] = ellipsize(lines[-1], prepared, attempt.measure, room)
    return Fit(size, lines, True, attempt.measure)


def _one_line_says_all(prepared: Prepared, m: Measure, width: int | None) -> bool:
    if prepared.cut:
        return False
    lines, _ = break_lines(prepared.paragraphs, m, width, 1)
    return len(lines) == 1


def ellipsize(line: Line, prepared: Prepared, m: Measure, width: int) -> Line:
    """The line cut so that it and a final "…" fit in ``width``."""
    body = line.trimmed()
    last = body[-1] if body else None
    span = last.span if last is not None else next(iter(prepared.chains))
    chain = prepared.chains.get(span, prepared.primary)
    face = chain.face_for(ELLIPSIS) or chain.primary
    mark = Cluster(ELLIPSIS, face, line.level, span)
    body = _cut_to(body, m, width - m.clusters([mark]))
    return Line([*body, mark], line.level, True)


def _cut_to(body: list[Cluster], m: Measure, room: float) -> list[Cluster]:
    # Estimate the cut from per-cluster widths, then confirm with the shaped width.
    used, end = 0.0, 0
    for c in body:
        used += m.clusters([c])
        if used > room:
            break
        end += 1
    while end and m.clusters(body[:end]) > room:
        end -= 1
    while end and body[end - 1].space:
        end -= 1
    return body[:end]


def _overflow_message(
    prepared: Prepared, style: TextStyle, width: int | None, height: int | None, first: _Attempt
) -> str:
    allowed = first.allowed or 0
    metrics = line_metrics(prepared, style, style.size)
    limit = allowed + _ERROR_EXTRA_LINES
    lines, stopped = break_lines(prepared.paragraphs, first.measure, width, limit)
    count = f"more than {limit}" if stopped or prepared.cut else str(len(lines))
    needed = "line" if count == "1" else "lines"
    text = f"text needs {count} {needed} at {style.size:g}px, {allowed} fit"
    if height is not None and not stopped:
        excess = metrics.block_height(len(lines)) - height
        if excess > 0:
            text += f"; overflows the {height}px box by {math.ceil(excess)}px"
    return text
