"""A fast reader of the common cmap subtable formats (4 and 12).

fontTools decodes a cmap into a dict of glyph names, which takes ~0.1 s for a
CJK face; coverage only needs the set of mapped code points, which formats 4
and 12 give almost directly. Other formats return None and the caller falls
back to fontTools.
"""

from __future__ import annotations

import struct
from array import array

# Subtables in order of preference: full Unicode first, then the BMP.
_PREFERRED = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


def mapped_codepoints(table: bytes) -> frozenset[int] | None:
    """Code points mapped to a glyph other than .notdef, or None if unsupported."""
    if len(table) < 4:
        return None
    _version, count = struct.unpack_from(">HH", table, 0)
    records: dict[tuple[int, int], int] = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", table, 4 + 8 * i)
        records.setdefault((platform, encoding), offset)
    for key in _PREFERRED:
        offset = records.get(key)
        if offset is None:
            continue
        kind = struct.unpack_from(">H", table, offset)[0]
        if kind == 12:
            return _format12(table, offset)
        if kind == 4:
            return _format4(table, offset)
    return None


def _format12(table: bytes, offset: int) -> frozenset[int]:
    groups = struct.unpack_from(">I", table, offset + 12)[0]
    found: set[int] = set()
    for i in range(groups):
        start, end, glyph = struct.unpack_from(">III", table, offset + 16 + 12 * i)
        if glyph == 0:
            start += 1  # the first code point maps to .notdef: not covered
        found.update(range(start, end + 1))
    return frozenset(found)


def _format4(table: bytes, offset: int) -> frozenset[int]:
    seg_count = struct.unpack_from(">H", table, offset + 6)[0] // 2
    base = offset + 14

    def words(at: int) -> array[int]:
        values = array("H", table[at : at + 2 * seg_count])
        if array("H", [1]).tobytes() != b"\x00\x01":
            values.byteswap()  # the table is big-endian
        return values

    ends = words(base)
    starts = words(base + 2 * seg_count + 2)
    deltas = words(base + 4 * seg_count + 2)
    range_base = base + 6 * seg_count + 2
    range_offsets = words(range_base)
    found: set[int] = set()
    for i in range(seg_count):
        start, end = starts[i], ends[i]
        if start == 0xFFFF:
            continue
        if range_offsets[i] == 0:
            found.update(c for c in range(start, end + 1) if (c + deltas[i]) & 0xFFFF)
            continue
        at = range_base + 2 * i + range_offsets[i]
        for c in range(start, end + 1):
            pos = at + 2 * (c - start)
            if pos + 2 <= len(table) and struct.unpack_from(">H", table, pos)[0]:
                found.add(c)
    return frozenset(found)
