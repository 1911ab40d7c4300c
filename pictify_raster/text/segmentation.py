"""Grapheme clusters and line-break opportunities (UAX 29 and UAX 14).

uniseg implements both in pure Python at tens of microseconds per character,
so the text is cut at spaces first (a space run always ends a break unit, UAX
14 rule LB18) and each piece is segmented once and cached: titles repeat words,
and plain ASCII words need no segmentation at all.
"""

from __future__ import annotations

import re
from functools import lru_cache

from uniseg.graphemecluster import grapheme_clusters
from uniseg.linebreak import line_break_units

# A piece: non-spaces followed by the spaces after them.
_PIECES = re.compile(r"[^ ]* *")
# ASCII letters, digits and punctuation that never offer a break inside a word.
_PLAIN_WORD = re.compile(r"[A-Za-z0-9.,:;!?'\"()&*@#=+_<>\[\]{}|~^`$%]* *")


def clusters(text: str) -> list[str]:
    """The grapheme clusters of ``text``."""
    if text.isascii() and "\r" not in text:
        return list(text)
    out: list[str] = []
    for piece in _PIECES.findall(text):
        if piece:
            out.extend(_piece_clusters(piece))
    return out


@lru_cache(maxsize=16384)
def _piece_clusters(piece: str) -> tuple[str, ...]:
    if piece.isascii():
        return tuple(piece)
    return tuple(grapheme_clusters(piece))


def break_units(text: str) -> list[str]:
    """``text`` cut after every line-break opportunity (no newlines inside)."""
    out: list[str] = []
    for piece in _PIECES.findall(text):
        if piece:
            out.extend(_piece_units(piece))
    return out


@lru_cache(maxsize=16384)
def _piece_units(piece: str) -> tuple[str, ...]:
    if _PLAIN_WORD.fullmatch(piece):
        return (piece,)
    return tuple(line_break_units(piece))
