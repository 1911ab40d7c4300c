"""The font registry: bundled, layout-supplied and system fonts, found by family.

Families resolve case-insensitively; among a family's faces the style is
matched first (italic/oblique vs normal), then the nearest weight (a variable
font whose weight axis spans the request matches exactly). A layout's own
files come first, then the bundled fonts in ``fonts/``, then system fonts.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .fontfiles import FONT_SUFFIXES, FaceFile, scan_file
from .scancache import ScanCache, cache_file

if TYPE_CHECKING:
    from .coverage.fallback import FallbackChain

logger = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).resolve().parents[2] / "fonts"
SYSTEM_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path("~/.fonts"),
    Path("~/.local/share/fonts"),
    Path("/Library/Fonts"),
    Path("/System/Library/Fonts"),
    Path("~/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)


@dataclass(frozen=True)
class FontFace:
    """A resolved face: a file face plus the weight asked of a variable font."""

    file: FaceFile
    weight: int

    @property
    def family(self) -> str:
        return self.file.family

    @property
    def path(self) -> str:
        return self.file.path

    @property
    def italic(self) -> bool:
        return self.file.italic

    @property
    def variation(self) -> float | None:
        """The weight-axis value to set, or None for a static face."""
        wr = self.file.weight_range
        if wr is None:
            return None
        return float(min(max(self.weight, wr[0]), wr[1]))


@cache
def bundled_dir() -> Path:
    """Where the bundled fonts live.

    ``PICTIFY_FONTS_DIR`` overrides it; else the repository's ``fonts/``, or a
    ``fonts`` folder inside the installed package (where a wheel would put it).
    Decided once per process.
    """
    override = os.environ.get("PICTIFY_FONTS_DIR")
    if override:
        return Path(override)
    packaged = Path(__file__).resolve().parents[1] / "fonts"
    return BUNDLED_DIR if BUNDLED_DIR.is_dir() or not packaged.is_dir() else packaged


class FontRegistry:
    """Fonts the renderer may use, indexed by family name."""

    def __init__(self, extra_files: Sequence[Path] = (), *, include_system: bool = True) -> None:
        self.extra_files = tuple(Path(p) for p in extra_files)
        self.include_system = include_system
        # What makes two registries resolve alike (used to key layout caches).
        self.cache_key: tuple[object, ...] = (
            self.extra_files,
            include_system,
            str(bundled_dir()),
        )
        # Fallback chains built for this registry, keyed by the fonts asked for.
        self.chain_cache: dict[tuple[object, ...], FallbackChain] = {}
        missing = [str(p) for p in self.extra_files if not p.is_file()]
        if missing:
            msg = f"font file not found: {', '.join(missing)}"
            raise FileNotFoundError(msg)

    # The three scans are separate so that with_files() can share the slow ones.
    @cached_property
    def extra_faces(self) -> tuple[FaceFile, ...]:
        return tuple(f for p in self.extra_files for f in scan_file(p, "layout"))

    @cached_property
    def bundled_faces(self) -> tuple[FaceFile, ...]:
        return bundled_faces()

    @cached_property
    def system_faces(self) -> tuple[FaceFile, ...]:
        return system_faces() if self.include_system else ()

    @property
    def faces(self) -> tuple[FaceFile, ...]:
        """Every face, in priority order: layout files, bundled, system."""
        return self.extra_faces + self.bundled_faces + self.system_faces

    @cached_property
    def _by_family(self) -> dict[str, list[FaceFile]]:
        index: dict[str, list[FaceFile]] = {}
        for face in self.faces:
            for name in face.aliases:
                bucket = index.setdefault(name.casefold(), [])
                if face not in bucket:
                    bucket.append(face)
        return index

    def with_files(self, extra_files: Sequence[Path]) -> FontRegistry:
        """A registry that adds a layout's fonts and shares this one's scans."""
        if not extra_files:
            return self
        other = FontRegistry(
            tuple(self.extra_files) + tuple(extra_files), include_system=self.include_system
        )
        other.__dict__["bundled_faces"] = self.bundled_faces
        if self.include_system:
            other.__dict__["system_faces"] = self.system_faces
        return other

    def families(self) -> list[str]:
        """The family names available, sorted, each once."""
        return sorted({f.family for f in self.faces}, key=str.casefold)

    def has_family(self, family: str) -> bool:
        return family.casefold() in self._by_family

    def resolve(self, family: str, weight: int = 400, style: str = "normal") -> FontFace:
        """The face of ``family`` closest to ``weight`` and ``style``.

        Raises LookupError naming the available families when the family is
        unknown; the layout loader turns it into a LayoutError.
        """
        candidates = self._by_family.get(family.strip().casefold())
        if not candidates:
            shown = ", ".join(self.families())
            msg = f"font family {family!r} not found; available families: {shown}"
            raise LookupError(msg)
        return pick_face(candidates, weight, style)

    def family_faces(self, family: str) -> list[FaceFile]:
        return list(self._by_family.get(family.casefold(), ()))


def pick_face(candidates: Iterable[FaceFile], weight: int, style: str) -> FontFace:
    """Style first, then the nearest weight; earlier candidates win ties."""
    want_italic = style in ("italic", "oblique")
    pool = list(candidates)
    same_style = [f for f in pool if f.italic == want_italic] or pool
    # Condensed and expanded cuts share the family name; prefer normal width.
    narrowest_gap = min(abs(f.stretch - 5) for f in same_style)
    same_style = [f for f in same_style if abs(f.stretch - 5) == narrowest_gap]
    best = min(
        enumerate(same_style),
        key=lambda item: (_weight_distance(item[1], weight), item[0]),
    )[1]
    return FontFace(best, weight if best.is_variable else best.weight)


def _weight_distance(face: FaceFile, weight: int) -> float:
    if face.weight_range is not None:
        low, high = face.weight_range
        return max(low - weight, 0, weight - high)
    distance = abs(face.weight - weight)
    # Like CSS: for a bold request prefer a heavier face, for a light one a lighter.
    heavier_wanted = weight >= 400
    wrong_side = face.weight < weight if heavier_wanted else face.weight > weight
    return distance + (0.5 if wrong_side else 0)


@cache
def bundled_faces() -> tuple[FaceFile, ...]:
    """Faces of the fonts shipped in ``fonts/``, scanned once per process."""
    folder = bundled_dir()
    files = sorted(p for p in folder.glob("*") if p.suffix.lower() in FONT_SUFFIXES)
    if not files:
        logger.warning("no bundled fonts found in %s", folder)
    return tuple(face for p in files for face in scan_file(p, "bundled"))


@cache
def system_faces() -> tuple[FaceFile, ...]:
    """Faces of the system's fonts, scanned once per process."""
    bundled = {Path(f.source).resolve() for f in bundled_faces()}
    files = [p for p in system_font_files() if p.resolve() not in bundled]
    disk = ScanCache(cache_file())
    faces = tuple(face for p in files for face in scan_file(p, "system", disk))
    disk.save()
    logger.debug("scanned %d system font faces", len(faces))
    return faces


def system_font_files() -> list[Path]:
    """Font files of the system: fontconfig's list when present, else the usual folders."""
    found: dict[str, Path] = {}
    for path in _fontconfig_files():
        found.setdefault(str(path), path)
    for folder in SYSTEM_DIRS:
        root = folder.expanduser()
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.suffix.lower() in FONT_SUFFIXES and path.is_file():
                found.setdefault(str(path), path)
    return sorted(found.values())


def _fontconfig_files() -> list[Path]:
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        result = subprocess.run(
            [exe, "--format", "%{file}\n"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        logger.debug("fc-list failed: %s", exc)
        return []
    return [
        Path(line)
        for line in result.stdout.splitlines()
        if line and Path(line).suffix.lower() in FONT_SUFFIXES
    ]


@cache
def default_registry() -> FontRegistry:
    """The process-wide registry of bundled and system fonts."""
    return FontRegistry()
