"""Greedy line breaking by measured width.

Lines are filled unit by unit (a unit ends at a UAX 14 break opportunity);
trailing spaces do not count against the width. A unit too wide for an empty
line is cut at grapheme-cluster boundaries (CSS ``overflow-wrap: anywhere``),
so a long word or URL never vanishes and an emoji sequence is never split.
Breaking stops once more lines than ``limit`` exist: nothing further can be
shown, which bounds the work on very long values.
"""

from __future__ import annotations

from dataclasses import dataclass

from .prepare import Paragraph, Unit
from .shaping.runs import Cluster, Measure

# Within this fraction of the font size from the edge, a line is measured whole.
_SLACK_EM = 0.25


@dataclass
class Line:
    clusters: list[Cluster]
    level: int  # the paragraph's base direction
    last_of_paragraph: bool

    def trimmed(self) -> list[Cluster]:
        """The clusters without trailing spaces (they hang past the edge)."""
        return _trim(self.clusters)


def unit_widths(unit: Unit, m: Measure) -> tuple[float, float]:
    """(width without trailing spaces, full width) of a unit at ``m.size``."""
    cached = unit.widths.get(m.size)
    if cached is None:
        spaces = unit.trailing_spaces
        body = unit.clusters[: len(unit.clusters) - spaces]
        trimmed = m.clusters(body) if body else 0.0
        full = trimmed + (m.clusters(unit.clusters[len(body) :]) if spaces else 0.0)
        cached = (trimmed, full)
        unit.widths[m.size] = cached
    return cached


def break_lines(
    paragraphs: list[Paragraph], m: Measure, width: float | None, limit: int | None
) -> tuple[list[Line], bool]:
    """Lines of the text, and whether breaking stopped early at ``limit`` + 1 lines."""
    lines: list[Line] = []
    for para in paragraphs:
        lines.extend(_paragraph_lines(para, m, width, limit, len(lines)))
        if limit is not None and len(lines) > limit:
            return lines[: limit + 1], True
    return lines, False


def _paragraph_lines(
    para: Paragraph, m: Measure, width: float | None, limit: int | None, before: int
) -> list[Line]:
    if width is None:
        flat = [c for u in para.units for c in u.clusters]
        return [Line(flat, para.level, True)]
    lines: list[Line] = []
    current: list[Cluster] = []
    used = 0.0
    slack = m.size * _SLACK_EM
    for unit in para.units:
        trimmed, full = unit_widths(unit, m)
        fits = used + trimmed <= width
        if fits and current and used + trimmed > width - slack:
            # Units are measured apart; shaped together, kerning or a font
            # change can add a pixel or two, so check near the limit.
            fits = m.clusters(_trim([*current, *unit.clusters])) <= width
        if fits or (not current and trimmed <= width):
            current.extend(unit.clusters)
            used += full
            continue
        if current:
            lines.append(Line(current, para.level, False))
            current, used = [], 0.0
            if limit is not None and before + len(lines) > limit:
                return lines
        if trimmed <= width:
            current, used = list(unit.clusters), full
            continue
        pieces = _cut_unit(unit.clusters, m, width)
        for piece in pieces[:-1]:
            lines.append(Line(piece, para.level, False))
        current = pieces[-1]
        used = m.clusters(current)
        if limit is not None and before + len(lines) > limit:
            return lines
    lines.append(Line(current, para.level, True))
    return lines


def _trim(clusters: list[Cluster]) -> list[Cluster]:
    end = len(clusters)
    while end and clusters[end - 1].space:
        end -= 1
    return clusters[:end]


def _cut_unit(clusters: list[Cluster], m: Measure, width: float) -> list[list[Cluster]]:
    """Cut an over-wide unit at cluster boundaries; each piece holds at least one cluster."""
    pieces: list[list[Cluster]] = [[]]
    used = 0.0
    for c in clusters:
        w = m.clusters([c])
        if pieces[-1] and used + w > width and not c.space:
            pieces.append([])
            used = 0.0
        pieces[-1].append(c)
        used += w
    return pieces
