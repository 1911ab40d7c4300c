"""Choosing the font of each grapheme cluster.

The chain is: the layer's font, the style's ``fallbacks``, the bundled fonts,
CJK system fonts in the order the locale prefers, then every other system
family. A cluster goes to the first face whose cmap covers all of it; emoji
clusters try colour fonts first, so that a text font's monochrome heart does
not win over the emoji the writer typed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..registry import FontFace, FontRegistry
from .cmap import covers
from .emoji import is_emoji_cluster

logger = logging.getLogger(__name__)

# Bundled families tried after the layer's own, in this order.
# Script fonts come before DejaVu Sans, which covers some Arabic and Hebrew
# but without the shaping quality of the Noto fonts made for those scripts.
BUNDLED_FALLBACKS = (
    "Noto Sans",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Thai",
    "Noto Color Emoji",
    "DejaVu Sans",
)

# Han unification: the same code point has different preferred forms in
# Japanese, Chinese and Korean, so the CJK font follows the language.
_CJK_TAGS = {"ja": "JP", "ko": "KR", "zh-hans": "SC", "zh-hant": "TC", "zh-hk": "HK"}
_CJK_ORDER = ("SC", "TC", "HK", "JP", "KR")
_MAX_CACHED_CLUSTERS = 20000


def cjk_region(locale: str | None, text: str = "") -> str:
    """The CJK font region (JP, KR, SC, TC, HK) for a locale, else guessed from text."""
    if locale:
        tag = locale.replace("_", "-").casefold()
        if tag.startswith(("zh-tw", "zh-hant", "zh-mo")):
            return "TC"
        if tag.startswith("zh-hk"):
            return "HK"
        for prefix, region in _CJK_TAGS.items():
            if tag.startswith(prefix):
                return region
        if tag.startswith("zh"):
            return "SC"
    if any("\u3040" <= ch <= "\u30ff" for ch in text):
        return "JP"
    if any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" for ch in text):
        return "KR"
    return "SC"


def cjk_families(region: str) -> list[str]:
    regions = [region] + [r for r in _CJK_ORDER if r != region]
    names = []
    for r in regions:
        names += [f"Noto Sans CJK {r}", f"Source Han Sans {r}", f"Noto Serif CJK {r}"]
    return [*names, "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback"]


@dataclass
class FallbackChain:
    """The ordered faces to try for one (family, weight, style, locale)."""

    registry: FontRegistry
    primary: FontFace
    explicit: list[FontFace]
    weight: int
    style: str
    region: str
    _tail: list[FontFace] | None = field(default=None, repr=False)
    _picked: dict[str, FontFace | None] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        registry: FontRegistry,
        family: str,
        *,
        weight: int,
        style: str,
        fallbacks: tuple[str, ...] = (),
        region: str = "SC",
    ) -> FallbackChain:
        primary = registry.resolve(family, weight, style)
        explicit = []
        for name in fallbacks:
            try:
                explicit.append(registry.resolve(name, weight, style))
            except LookupError:
                logger.warning("fallback font family %r is not installed; skipped", name)
        return cls(registry, primary, explicit, weight, style, region)

    def faces(self) -> Iterator[FontFace]:
        """Every face of the chain in order; the slow tail is built on first need."""
        yield self.primary
        yield from self.explicit
        if self._tail is None:
            self._tail = self._build_tail()
        yield from self._tail

    def _build_tail(self) -> list[FontFace]:
        seen = {self.primary.family.casefold()} | {f.family.casefold() for f in self.explicit}
        tail: list[FontFace] = []
        names = [*BUNDLED_FALLBACKS, *cjk_families(self.region)]
        names += sorted({f.family for f in self.registry.system_faces}, key=str.casefold)
        for name in names:
            if name.casefold() in seen or not self.registry.has_family(name):
                continue
            seen.add(name.casefold())
            tail.append(self.registry.resolve(name, self.weight, self.style))
        return tail

    def face_for(self, cluster: str) -> FontFace | None:
        """The face that draws ``cluster``, or None when no face covers it."""
        if cluster in self._picked:
            return self._picked[cluster]
        face = self._search(cluster)
        if len(self._picked) > _MAX_CACHED_CLUSTERS:
            self._picked.clear()
        self._picked[cluster] = face
        return face

    def _search(self, cluster: str) -> FontFace | None:
        if covers(self.primary.file, cluster) and not is_emoji_cluster(cluster):
            return self.primary
        faces = list(self.faces())
        if is_emoji_cluster(cluster):
            # Colour fonts first, then the rest of the chain in order.
            faces.sort(key=lambda f: not f.file.color)
        for face in faces:
            if covers(face.file, cluster):
                return face
        return None
