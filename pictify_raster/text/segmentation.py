"""Grapheme clusters and line-break opportunities (UAX 29 and UAX 14).

uniseg implements both in pure Python at tens of microseconds per character,
so it is kept for the stretches that need it. The text is cut at spaces first
(a space run always ends a break unit, UAX 14 rule LB18), each piece is
segmented once and cached (titles repeat words), and the common cases take
fast paths that give the same answers:

- a piece of characters that never join (no marks, joiners, jamo, regional
  indicators...) is one cluster per character;
- between two ideographs, kana or Hangul syllables there is always a break
  opportunity (UAX 14 LB31: ID and H2/H3 do not bind to each other), so CJK
  runs are cut there before uniseg sees them;
- ASCII words break only after a hyphen or a slash followed by a letter.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from uniseg.graphemecluster import grapheme_clusters
from uniseg.linebreak import line_break, line_break_units

from ._cache import short_text_cache

# Pieces up to this length are cached (words repeat; long pieces rarely do).
_CACHED_PIECE = 64
# A piece: non-spaces followed by the spaces after them.
_PIECES = re.compile(r"[^ ]* *")
# ASCII without a break inside: everything but hyphens and slashes.
_PLAIN_WORD = re.compile(r"[^-/ ]* *")
# ASCII break opportunities: after a hyphen or a slash that a letter follows
# (not before a digit: "-5" and "1/2" stay together, LB25).
_ASCII_BREAK = re.compile(r"(?<=[A-Za-z0-9][-/])(?=[A-Za-z])|(?<=//)(?=[A-Za-z])")


def clusters(text: str) -> list[str]:
    """The grapheme clusters of ``text``."""
    if text.isascii() and "\r" not in text:
        return list(text)
    out: list[str] = []
    for piece in _PIECES.findall(text):
        if piece:
            out.extend(_piece_clusters(piece))
    return out


@short_text_cache(maxsize=16384, longest=_CACHED_PIECE)
def _piece_clusters(piece: str) -> tuple[str, ...]:
    if all(_stands_alone(ch) for ch in piece):
        return tuple(piece)
    return tuple(grapheme_clusters(piece))


@lru_cache(maxsize=65536)
def _stands_alone(ch: str) -> bool:
    """Whether a character can neither join the one before nor the one after it."""
    cp = ord(ch)
    if cp < 0x300:
        return ch != "\r"
    if unicodedata.category(ch) in ("Mn", "Mc", "Me", "Cf", "Cc", "Cs", "Co", "Cn"):
        return False
    joining = (
        0x1100 <= cp <= 0x11FF  # Hangul jamo
        or 0xA960 <= cp <= 0xA97F
        or 0xD7B0 <= cp <= 0xD7FF
        or 0x1F1E6 <= cp <= 0x1F1FF  # regional indicators
        or 0x1F3FB <= cp <= 0x1F3FF  # skin tones
        or cp in (0x0E33, 0x0EB3)  # Thai and Lao SARA AM are spacing marks
        or cp in (0xFF9E, 0xFF9F)  # half-width voicing marks extend the kana before
        or 0x0600 <= cp <= 0x0605  # prepended concatenation marks
        or cp in (0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD)
    )
    # Pictographs can start a ZWJ sequence; the ZWJ itself is Cf and caught above.
    return not joining


def break_units(text: str) -> list[str]:
    """``text`` cut after every line-break opportunity (no newlines inside)."""
    out: list[str] = []
    for piece in _PIECES.findall(text):
        if not piece:
            continue
        units = _piece_units(piece)
        if out and _glued(out[-1], piece):
            # No break at this space run: join it to the unit before.
            out[-1] += units[0]
            out.extend(units[1:])
        else:
            out.extend(units)
    return out


# After spaces, a break is still forbidden before closing punctuation, "!",
# "?", infix separators and "/" (LB13) or a closing quote (LB15b), and after
# an opening bracket (LB14) or an opening quote (LB15a).
_NO_BREAK_BEFORE = frozenset({"CL", "CP", "EX", "IS", "SY"})


def _glued(before: str, piece: str) -> bool:
    word = before.rstrip(" ")
    if not word or not before.endswith(" "):
        return False
    first, last = piece[0], word[-1]
    if _lb_class(first) in _NO_BREAK_BEFORE or _lb_class(last) == "OP":
        return True
    if _lb_class(first) == "QU" and unicodedata.category(first) == "Pf":
        return True
    return _lb_class(last) == "QU" and unicodedata.category(last) == "Pi"


@lru_cache(maxsize=4096)
def _lb_class(ch: str) -> str:
    return str(line_break(ch))


@short_text_cache(maxsize=16384, longest=_CACHED_PIECE)
def _piece_units(piece: str) -> tuple[str, ...]:
    if piece.isascii():
        if _PLAIN_WORD.fullmatch(piece):
            return (piece,)
        return tuple(p for p in _ASCII_BREAK.split(piece) if p)
    units: list[str] = []
    for part in _split_ideographic(piece):
        units.extend(_uax14(part))
    return tuple(units)


@short_text_cache(maxsize=16384, longest=_CACHED_PIECE)
def _uax14(part: str) -> tuple[str, ...]:
    return tuple(line_break_units(part))


def _split_ideographic(piece: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for i in range(1, len(piece)):
        if _ideographic(piece[i - 1]) and _ideographic(piece[i]):
            parts.append(piece[start:i])
            start = i
    parts.append(piece[start:])
    return parts


def _ideographic(ch: str) -> bool:
    """Han, kana (not the small ones, which must not start a line) and Hangul syllables."""
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3FFFF
        or 0xAC00 <= cp <= 0xD7A3
        or (0x3041 <= cp <= 0x30FA and ch not in _SMALL_KANA)
    )


# Line-break class CJ: small kana and the prolonged sound mark do not start a line.
_SMALL_KANA = frozenset("ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶーゝゞヽヾ")
