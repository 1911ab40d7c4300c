"""From a string to paragraphs of break units made of font-assigned clusters.

Everything here is independent of the font size, so fitting (which tries
several sizes) prepares the text once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import bidi
from .coverage.cmap import covers, missing
from .coverage.fallback import FallbackChain, cjk_region
from .markup import PLAIN, Span, SpanStyle, parse
from .registry import FontFace, FontRegistry
from .segmentation import break_units, clusters
from .shaping.runs import Cluster
from .styles import TextStyle

TAB_SIZE = 4


@dataclass
class Unit:
    """Clusters between two line-break opportunities (trailing spaces included)."""

    clusters: list[Cluster]
    widths: dict[float, tuple[float, float]] = field(default_factory=dict)

    @property
    def trailing_spaces(self) -> int:
        n = 0
        for c in reversed(self.clusters):
            if not c.space:
                break
            n += 1
        return n


@dataclass
class Paragraph:
    units: list[Unit]
    level: int


@dataclass
class Prepared:
    paragraphs: list[Paragraph]
    cut: bool  # the text was longer than anything that could be shown
    missing: list[int]
    primary: FallbackChain
    chains: dict[SpanStyle, FallbackChain]


def transform(text: str, how: str | None) -> str:
    if how == "uppercase":
        return text.upper()
    if how == "lowercase":
        return text.lower()
    if how == "capitalize":
        # Upper-case the first letter of each word, leave the rest as typed (CSS).
        out, start = [], True
        for ch in text:
            out.append(ch.upper() if start and ch.isalpha() else ch)
            start = ch.isspace() or (start and not ch.isalnum())
        return "".join(out)
    return text


_NEWLINES = re.compile("\r\n|[\r\v\f\x85\u2028\u2029]")
# Other control characters have no glyph and no meaning on an image.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def normalise(text: str) -> str:
    """Unify newlines, drop control characters and expand tabs (a tab has no
    glyph: drawn as it is, it shows as a .notdef box)."""
    # Trailing newlines (common at the end of data values) would add blank
    # lines that shift vertical centring; inner blank lines are kept.
    text = _CONTROLS.sub("", _NEWLINES.sub("\n", text)).rstrip("\n")
    if "\t" in text:
        text = "\n".join(line.expandtabs(TAB_SIZE) for line in text.split("\n"))
    return text


@dataclass(frozen=True)
class Budget:
    """At most this many clusters and paragraphs can be shown; more is never prepared."""

    clusters: int
    lines: int
    per_paragraph: int | None = None  # without wrapping, a paragraph is one line


# A cluster rarely has more characters than this (a base and a few marks);
# the text is cut here first so that segmentation never sees a huge string.
_CHARS_PER_CLUSTER = 8


def prepare(
    text: str, style: TextStyle, registry: FontRegistry, budget: Budget | None = None
) -> Prepared:
    """Split, segment and assign fonts, stopping at ``budget``."""
    text = normalise(text)
    spans = parse(text) if style.markup else [Span(text, PLAIN)]
    if style.transform:
        # After the markup is read, so that "[color=...]" is not upper-cased.
        spans = [Span(transform(s.text, style.transform), s.style) for s in spans]
    cut = False
    if budget is not None:
        spans, cut = _cap(spans, budget.clusters * _CHARS_PER_CLUSTER)
    region = cjk_region(style.locale, "".join(s.text for s in spans))
    chains = _Chains(registry, style, region)
    paragraphs: list[Paragraph] = []
    missing_cps: list[int] = []
    split = _split_paragraphs(spans)
    if budget is not None and len(split) > budget.lines:
        split, cut = split[: budget.lines], True
    left = budget.clusters if budget is not None else None
    for para_spans in split:
        plain = "".join(s.text for s in para_spans)
        levels = bidi.levels(plain)
        base = bidi.paragraph_level(plain)
        limit = left
        if budget is not None and budget.per_paragraph is not None:
            limit = min(budget.per_paragraph, left or budget.per_paragraph)
        units, chars, count = _units(para_spans, levels, chains, missing_cps, limit)
        paragraphs.append(Paragraph(units, base))
        cut = cut or chars < len(plain)
        if left is not None:
            left -= count
            if left <= 0:
                cut = cut or para_spans is not split[-1]
                break
    return Prepared(paragraphs, cut, missing_cps, chains.get(PLAIN), chains.cache)


class _Chains:
    """One fallback chain per span style (bold and italic spans resolve their own)."""

    def __init__(self, registry: FontRegistry, style: TextStyle, region: str) -> None:
        self.registry, self.style, self.region = registry, style, region
        self.cache: dict[SpanStyle, FallbackChain] = {}

    def get(self, span: SpanStyle) -> FallbackChain:
        chain = self.cache.get(span)
        if chain is None:
            s = self.style
            weight = max(s.weight, 700) if span.bold else s.weight
            font_style = "italic" if span.italic else s.style
            chain = chain_for(
                self.registry,
                s.family,
                weight=weight,
                style=font_style,
                fallbacks=s.fallbacks,
                region=self.region,
            )
            self.cache[span] = chain
        return chain


def chain_for(
    registry: FontRegistry,
    family: str,
    *,
    weight: int,
    style: str,
    fallbacks: tuple[str, ...],
    region: str,
) -> FallbackChain:
    """A fallback chain, shared by every block that asks for the same fonts."""
    key = (family.casefold(), weight, style, fallbacks, region)
    chains = registry.chain_cache
    chain = chains.get(key)
    if chain is None:
        chain = FallbackChain.build(
            registry, family, weight=weight, style=style, fallbacks=fallbacks, region=region
        )
        chains[key] = chain
    return chain


def _cap(spans: list[Span], max_chars: int) -> tuple[list[Span], bool]:
    out: list[Span] = []
    left = max_chars
    for span in spans:
        if left <= 0:
            return out, True
        if len(span.text) > left:
            out.append(Span(span.text[:left], span.style))
            return out, True
        out.append(span)
        left -= len(span.text)
    return out, False


def _split_paragraphs(spans: list[Span]) -> list[list[Span]]:
    paragraphs: list[list[Span]] = [[]]
    for span in spans:
        pieces = span.text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                paragraphs.append([])
            if piece:
                paragraphs[-1].append(Span(piece, span.style))
    return paragraphs


def _units(
    spans: list[Span],
    levels: list[int],
    chains: _Chains,
    missing_cps: list[int],
    limit: int | None,
) -> tuple[list[Unit], int, int]:
    """The paragraph's units (at most ``limit`` clusters), with their character
    and cluster counts."""
    # Break opportunities come from the paragraph's plain text; spans only
    # change the font, so they are laid over the units afterwards.
    plain = "".join(s.text for s in spans)
    span_at = [s.style for s in spans for _ in s.text]
    units: list[Unit] = []
    pos = 0
    previous: Cluster | None = None
    count = 0
    for unit_text in break_units(plain):
        unit = Unit([])
        units.append(unit)
        for text in clusters(unit_text) if len(unit_text) > 1 else (unit_text,):
            span = span_at[pos]
            face = _face_of(text, chains.get(span), previous, span, missing_cps)
            previous = Cluster(text, face, levels[pos], span, text.isspace())
            unit.clusters.append(previous)
            pos += len(text)
            count += 1
            if limit is not None and count >= limit:
                return units, pos, count
    return units, pos, count


def _face_of(
    text: str,
    chain: FallbackChain,
    previous: Cluster | None,
    span: SpanStyle,
    missing_cps: list[int],
) -> FontFace:
    # A space between two words of a fallback script stays in that script's
    # font: the run is not cut, and the word spacing is the script's own.
    # Not after emoji: a colour font's space is as wide as an emoji.
    if (
        text == " "
        and previous is not None
        and previous.span is span
        and not previous.face.file.color
        and covers(previous.face.file, text)
    ):
        return previous.face
    face = chain.face_for(text)
    if face is None:
        face = chain.primary
        missing_cps.extend(missing(face.file, text))
    return face
