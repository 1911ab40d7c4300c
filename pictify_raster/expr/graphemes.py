"""User-perceived characters (grapheme clusters), so cuts never split é or 👍🏽.

uniseg segments a whole string at once and is slow (tens of µs a character),
so work is kept proportional to what is asked: ASCII text (without CR LF) is
its own clusters, and cutting the first n clusters only segments a prefix.
"""

from __future__ import annotations

import functools

from uniseg.graphemecluster import grapheme_clusters


def _simple(text: str) -> bool:
    """ASCII without CR LF: every character is one cluster."""
    return text.isascii() and "\r\n" not in text


def split(text: str) -> list[str]:
    """All clusters of a text."""
    if _simple(text):
        return list(text)
    return list(grapheme_clusters(text))


def head(text: str, count: int) -> tuple[str, bool]:
    """The first `count` clusters, and whether anything was left after them."""
    if count <= 0:
        return "", bool(text)
    if len(text) <= count:  # never more clusters than code points
        return text, False
    if _simple(text):
        return text[:count], True
    window = max(count * 2, 64)
    while True:
        piece = text[:window]
        clusters = list(grapheme_clusters(piece))
        # The last cluster of a window may continue past it; every earlier
        # boundary is final, since breaks depend only on what precedes them.
        if len(clusters) > count + 1 or window >= len(text):
            kept = clusters[:count]
            return "".join(kept), len(clusters) > count
        window *= 2


def count(text: str) -> int:
    if _simple(text):
        return len(text)
    if len(text) <= 32:  # suffixes and fill characters recur on every row
        return _short_count(text)
    return sum(1 for _ in grapheme_clusters(text))


@functools.lru_cache(maxsize=1024)
def _short_count(text: str) -> int:
    return sum(1 for _ in grapheme_clusters(text))


def last(text: str) -> str:
    """The last cluster, segmenting only the tail of the text."""
    if not text:
        return ""
    if _simple(text[-2:]):
        return text[-1]
    window = 64
    while True:
        tail = text[-window:]
        clusters = list(grapheme_clusters(tail))
        if len(clusters) > 1 or window >= len(text):
            return clusters[-1]
        window *= 2
