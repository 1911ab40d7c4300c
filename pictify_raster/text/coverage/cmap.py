"""Character maps of font faces, read once per process."""

from __future__ import annotations

import logging

from fontTools.ttLib import TTFont, TTLibError

from ..fontfiles import FaceFile
from .rawcmap import mapped_codepoints

logger = logging.getLogger(__name__)

_cmaps: dict[tuple[str, int], frozenset[int]] = {}
# Faces of a collection often share one cmap table; keyed by its file offset.
_tables: dict[tuple[str, int], frozenset[int]] = {}

# Characters a font need not have: they are format controls or selectors that
# shaping consumes (ZWJ, variation selectors, bidi marks, tags, soft hyphen).
# fmt: off
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# fmt: on


def is_ignorable(cp: int) -> bool:
    """Whether a code point may be missing from a font without showing tofu."""
    if cp < 0x20 or 0x7F <= cp < 0xA0:
        return True
    if cp < 0xAD:
        return False
    return any(low <= cp <= high for low, high in _IGNORABLE_RANGES)


def codepoints(face: FaceFile) -> frozenset[int]:
    """The code points ``face`` maps to glyphs (empty if the cmap is unreadable)."""
    key = (face.path, face.index)
    found = _cmaps.get(key)
    if found is None:
        # No lock: two threads may both read a cmap once, which is harmless,
        # and a lock held while a worker process forks would deadlock it.
        found = _read_cmap(face)
        _cmaps[key] = found
    return found


def _read_cmap(face: FaceFile) -> frozenset[int]:
    try:
        font = TTFont(face.path, fontNumber=face.index, lazy=True)
        entry = font.reader.tables.get("cmap")
        table_key = (face.path, entry.offset if entry is not None else -1)
        shared = _tables.get(table_key)
        if shared is None:
            shared = mapped_codepoints(font.reader["cmap"]) if entry is not None else None
        if shared is None:
            shared = frozenset(font.getBestCmap() or {})
            _tables[table_key] = shared
    except (TTLibError, OSError, KeyError, ValueError, AssertionError) as exc:
        logger.warning("cannot read the cmap of %s: %s", face.path, exc)
        return frozenset()
    return shared


def covers(face: FaceFile, text: str) -> bool:
    """Whether ``face`` has a glyph for every non-ignorable character of ``text``."""
    cmap = codepoints(face)
    return all(ord(ch) in cmap or is_ignorable(ord(ch)) for ch in text)


def missing(face: FaceFile, text: str) -> list[int]:
    """The non-ignorable code points of ``text`` that ``face`` lacks."""
    cmap = codepoints(face)
    return [ord(ch) for ch in text if ord(ch) not in cmap and not is_ignorable(ord(ch))]
