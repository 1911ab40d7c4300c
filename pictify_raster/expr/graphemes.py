"""User-perceived characters (grapheme clusters), so cuts never split é or 👍🏽.

uniseg implements the Unicode rules (UAX #29) but takes tens of microseconds
a character, which a long row value would turn into seconds. So text is first
cut where a boundary is certain: between two "plain" characters, which no
rule ever joins (they are not marks, joiners, format characters, regional
indicators, Hangul jamo, prepended or spacing letters). Only the pieces
between such places that hold more than one character go through uniseg;
plain text costs one dictionary look-up a character.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator

from uniseg.graphemecluster import grapheme_clusters

# Letters and symbols that some rule joins to a neighbour although their
# general category is not a mark or a format character.
_JOINING_RANGES = (
    (0x0D4E, 0x0D4E),  # Malayalam letter dot reph (Prepend)
    (0x0E33, 0x0E33),  # Thai sara am (SpacingMark)
    (0x0EB3, 0x0EB3),  # Lao am (SpacingMark)
    (0x1100, 0x11FF),  # Hangul jamo (L, V, T)
    (0xA960, 0xA97F),  # Hangul jamo extended-A (L)
    (0xD7B0, 0xD7FF),  # Hangul jamo extended-B (V, T)
    (0xFF9E, 0xFF9F),  # halfwidth katakana sound marks (Extend)
    (0x111C2, 0x111C3),  # Sharada (Prepend)
    (0x1193F, 0x1193F),  # Dives Akuru (Prepend)
    (0x11941, 0x11941),  # Dives Akuru (Prepend)
    (0x11A3A, 0x11A3A),  # Zanabazar square (Prepend)
    (0x11A84, 0x11A89),  # Soyombo (Prepend)
    (0x11D46, 0x11D46),  # Masaram Gondi (Prepend)
    (0x11F02, 0x11F02),  # Kawi (Prepend)
    (0x1F1E6, 0x1F1FF),  # regional indicators (flags)
    (0x1F3FB, 0x1F3FF),  # emoji skin-tone modifiers (Extend)
)

_plain_cache: dict[str, bool] = {}


def _is_plain(ch: str) -> bool:
    """Whether no grapheme rule can join this character to either neighbour."""
    known = _plain_cache.get(ch)
    if known is not None:
        return known
    code = ord(ch)
    category = unicodedata.category(ch)
    if ch == "\r":
        plain = False  # CR LF is one cluster
    elif category in {"Cc", "Co"}:
        plain = True  # controls always break; private use is "Other"
    elif category[0] in "MC":
        plain = False  # marks, joiners, format characters, unassigned
    else:
        plain = not any(low <= code <= high for low, high in _JOINING_RANGES)
    if len(_plain_cache) < 65_536:
        _plain_cache[ch] = plain
    return plain


def _simple(text: str) -> bool:
    """ASCII without CR LF: every character is one cluster."""
    return text.isascii() and "\r\n" not in text


def _pieces(text: str) -> Iterator[str]:
    """Consecutive pieces of text with a certain boundary between each two."""
    start = 0
    previous_plain = True
    for index, ch in enumerate(text):
        plain = _is_plain(ch)
        if plain and previous_plain and index > start:
            yield text[start:index]
            start = index
        previous_plain = plain
    if start < len(text):
        yield text[start:]


def clusters(text: str) -> Iterator[str]:
    """The grapheme clusters of a text, in order."""
    if _simple(text):
        yield from text
        return
    for piece in _pieces(text):
        if len(piece) == 1:
            yield piece
        else:
            yield from _segment(piece)


@functools.lru_cache(maxsize=4096)
def _segment(piece: str) -> tuple[str, ...]:
    return tuple(grapheme_clusters(piece))


def split(text: str) -> list[str]:
    """All clusters of a text."""
    return list(text) if _simple(text) else list(clusters(text))


def count(text: str) -> int:
    if _simple(text):
        return len(text)
    return sum(1 for _ in clusters(text))


def head(text: str, number: int) -> tuple[str, bool]:
    """The first `number` clusters, and whether anything was left after them."""
    if number <= 0:
        return "", bool(text)
    if len(text) <= number:  # never more clusters than code points
        return text, False
    if _simple(text):
        return text[:number], True
    end = 0
    for taken, cluster in enumerate(clusters(text)):
        if taken == number:
            return text[:end], True
        end += len(cluster)
    return text, False


def last(text: str) -> str:
    """The last cluster, segmenting only the tail of the text."""
    if not text:
        return ""
    window = 64
    while True:
        tail = text[-window:]
        pieces = split(tail)
        # A boundary found inside the window may depend on what precedes
        # it (flags pair up from the left), so keep widening while unsure.
        if (len(pieces) > 1 and _is_plain(tail[0])) or window >= len(text):
            return pieces[-1]
        window *= 4
