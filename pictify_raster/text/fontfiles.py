"""Reading font files: which faces a file holds and their vertical metrics.

Only the small tables (name, OS/2, head, hhea, post, fvar, CBLC) are read, with
fontTools' lazy loading, so scanning a folder of fonts stays fast. Results are
cached per process by (path, mtime, size).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from fontTools.ttLib import TTCollection, TTFont, TTLibError

logger = logging.getLogger(__name__)

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2")
COLOR_TABLES = ("CBDT", "sbix", "COLR")


@dataclass(frozen=True, eq=False)
class FaceFile:
    """One face inside a font file, as found by a scan.

    ``path`` is what FreeType loads (a decompressed copy for WOFF/WOFF2),
    ``source`` the file as given. Metrics are in font units. Compared by
    identity: scans are cached, so one face is one object, and hashing it
    (it is part of every measuring cache key) stays cheap.
    """

    path: str
    source: str
    index: int
    family: str
    aliases: tuple[str, ...]
    subfamily: str
    weight: int
    italic: bool
    stretch: int
    weight_range: tuple[float, float] | None
    color: bool
    bitmap_size: int | None
    units_per_em: int
    ascender: int
    descender: int
    line_gap: int
    underline_position: int
    underline_thickness: int
    strikeout_position: int
    strikeout_size: int
    origin: str = "system"

    @property
    def is_variable(self) -> bool:
        return self.weight_range is not None

    def describe_weight(self) -> str:
        """Weight and style as shown by ``pictify-raster fonts``."""
        if self.weight_range is not None:
            low, high = self.weight_range
            text = f"{low:g}-{high:g} (variable)"
        else:
            text = str(self.weight)
        return text + (" italic" if self.italic else "")


_scan_cache: dict[tuple[str, int, int], list[FaceFile]] = {}


class DiskCache(Protocol):
    """Where scans may also be kept between processes (see scancache.py)."""

    def key(self, path: Path, stat: os.stat_result) -> str: ...
    def get(self, key: str) -> list[FaceFile] | None: ...
    def put(self, key: str, faces: list[FaceFile]) -> None: ...


def scan_file(path: Path, origin: str, disk: DiskCache | None = None) -> list[FaceFile]:
    """The faces of one font file; an unreadable file yields none (logged)."""
    try:
        stat = path.stat()
    except OSError as exc:
        logger.warning("cannot read font file %s: %s", path, exc)
        return []
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    cached = _scan_cache.get(key)
    if cached is None and disk is not None:
        cached = disk.get(disk.key(path, stat))
    if cached is None:
        try:
            cached = _read_faces(path, origin)
        except (TTLibError, OSError, KeyError, ValueError, AssertionError) as exc:
            logger.warning("skipping font file %s: %s", path, exc)
            cached = []
        if disk is not None:
            disk.put(disk.key(path, stat), cached)
    _scan_cache[key] = cached
    return cached


def _read_faces(path: Path, origin: str) -> list[FaceFile]:
    suffix = path.suffix.lower()
    if suffix in (".ttc", ".otc"):
        collection = TTCollection(str(path), lazy=True)
        return [
            _face_of(font, str(path), str(path), index, origin)
            for index, font in enumerate(collection.fonts)
        ]
    font = TTFont(str(path), lazy=True)
    load_path = str(path)
    if font.flavor in ("woff", "woff2"):
        load_path = str(_decompressed_copy(path))
    return [_face_of(font, load_path, str(path), 0, origin)]


def _decompressed_copy(path: Path) -> Path:
    """A plain sfnt copy of a WOFF/WOFF2 file, cached on disk by content hash.

    FreeType builds without brotli cannot open WOFF2, so every compressed file
    is handed to Pillow as a plain TrueType/OpenType file.
    """
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:24]
    folder = Path(tempfile.gettempdir()) / "pictify_raster_fonts"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}.ttf"
    if not target.exists():
        font = TTFont(str(path))
        font.flavor = None
        partial = folder / f"{digest}.{os.getpid()}.part"
        font.save(str(partial))
        partial.replace(target)  # atomic, so concurrent workers never see half a file
    return target


def _face_of(font: TTFont, load_path: str, source: str, index: int, origin: str) -> FaceFile:
    names = font["name"]
    family1 = names.getDebugName(1) or Path(source).stem
    typographic = names.getDebugName(16)
    family = typographic or family1
    subfamily = names.getDebugName(17) or names.getDebugName(2) or "Regular"
    aliases = tuple(dict.fromkeys(n for n in (family, family1, names.getDebugName(21)) if n))
    os2 = font.get("OS/2")
    head = font["head"]
    hhea = font["hhea"]
    weight = int(os2.usWeightClass) if os2 is not None else 400
    # Some old fonts store weights as 1..9; map them onto the CSS scale.
    if 1 <= weight < 10:
        weight *= 100
    italic = bool(head.macStyle & 0b10) or (os2 is not None and bool(os2.fsSelection & 1))
    italic = italic or any(w in subfamily.lower() for w in ("italic", "oblique"))
    ascender, descender, line_gap = hhea.ascent, hhea.descent, hhea.lineGap
    if os2 is not None and os2.fsSelection & (1 << 7):  # USE_TYPO_METRICS
        ascender, descender = os2.sTypoAscender, os2.sTypoDescender
        line_gap = os2.sTypoLineGap
    upem = int(head.unitsPerEm)
    post = font.get("post")
    return FaceFile(
        path=load_path,
        source=source,
        index=index,
        family=family,
        aliases=aliases,
        subfamily=subfamily,
        weight=weight,
        italic=italic,
        stretch=int(os2.usWidthClass) if os2 is not None else 5,
        weight_range=_weight_axis(font),
        color=any(tag in font for tag in COLOR_TABLES),
        bitmap_size=_bitmap_strike(font),
        units_per_em=upem,
        ascender=int(ascender),
        descender=int(descender),
        line_gap=int(line_gap),
        underline_position=int(post.underlinePosition) if post else -upem // 10,
        underline_thickness=int(post.underlineThickness or upem // 20) if post else upem // 20,
        strikeout_position=int(os2.yStrikeoutPosition) if os2 else upem * 3 // 10,
        strikeout_size=int(os2.yStrikeoutSize or upem // 20) if os2 else upem // 20,
        origin=origin,
    )


def _weight_axis(font: TTFont) -> tuple[float, float] | None:
    if "fvar" not in font:
        return None
    for axis in font["fvar"].axes:
        if axis.axisTag == "wght":
            return (float(axis.minValue), float(axis.maxValue))
    return None


def _bitmap_strike(font: TTFont) -> int | None:
    """The pixel size of a bitmap-only font's largest strike (FreeType loads only that)."""
    if "glyf" in font or "CFF " in font or "CFF2" in font:
        return None
    if "CBLC" in font:
        sizes = [s.bitmapSizeTable.ppemY for s in font["CBLC"].strikes]
        return max(sizes) if sizes else None
    if "sbix" in font:
        return max(font["sbix"].strikes) if font["sbix"].strikes else None
    return None
