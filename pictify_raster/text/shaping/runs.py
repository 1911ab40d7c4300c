"""Clusters and runs: the units that are measured and drawn.

A cluster is one grapheme cluster with the face that draws it and its bidi
level. A run is a stretch of consecutive clusters sharing face, level and span
style: it is shaped in one call, so Arabic joins and Indic conjuncts form
inside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..markup import SpanStyle
from ..registry import FontFace
from .fonts import measure


@dataclass(slots=True)
class Cluster:
    text: str
    face: FontFace
    level: int
    span: SpanStyle
    space: bool = False


@dataclass(slots=True)
class Run:
    face: FontFace
    level: int
    span: SpanStyle
    clusters: list[str] = field(default_factory=list)
    width: float = 0.0

    @property
    def text(self) -> str:
        return "".join(self.clusters)

    @property
    def rtl(self) -> bool:
        return self.level % 2 == 1


@dataclass(frozen=True)
class Measure:
    """How lengths are taken at one font size."""

    size: float
    letter_spacing: float = 0.0
    language: str | None = None

    def text(self, face: FontFace, text: str, level: int = 0) -> float:
        return measure(face, self.size, text, level, self.language)

    def run(self, run: Run) -> float:
        """A run's advance: shaped whole, or cluster by cluster when spaced."""
        if self.spaced(run):
            # Spaced text is drawn cluster by cluster, so it is measured that way.
            return sum(self.text(run.face, c, run.level) for c in run.clusters) + (
                self.letter_spacing * len(run.clusters)
            )
        return self.text(run.face, run.text, run.level)

    def spaced(self, run: Run) -> bool:
        """Whether letter spacing applies: never inside cursive scripts, whose
        letters must stay joined."""
        return bool(self.letter_spacing) and not is_cursive(run.text)

    def clusters(self, clusters: Sequence[Cluster]) -> float:
        return sum(self.run(r) for r in group_runs(clusters))


def is_cursive(text: str) -> bool:
    """Whether the text has letters of a joining script (Arabic, Syriac, N'Ko, Mongolian)."""
    return any(
        0x0600 <= cp <= 0x08FF or 0x1800 <= cp <= 0x18AF or 0xFB50 <= cp <= 0xFEFF
        for cp in map(ord, text)
        if cp >= 0x0600
    )


def group_runs(clusters: Iterable[Cluster]) -> list[Run]:
    """Consecutive clusters of one face, level and span become one run."""
    runs: list[Run] = []
    last: Run | None = None
    for c in clusters:
        if (
            last is None
            or (c.face is not last.face and c.face != last.face)
            or c.level != last.level
            or c.span is not last.span
        ):
            last = Run(c.face, c.level, c.span)
            runs.append(last)
        last.clusters.append(c.text)
    return runs
