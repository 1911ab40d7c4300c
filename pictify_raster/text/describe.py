"""What ``pictify-raster fonts`` shows: each face, its weights and its scripts."""

from __future__ import annotations

from typing import NamedTuple

from .coverage.cmap import codepoints
from .fontfiles import FaceFile
from .registry import FontRegistry

# A script counts as covered when the font has most of these sample letters.
SCRIPT_SAMPLES: dict[str, str] = {
    "Latin": "AZaz\u00e9\u00df\u0142",
    "Greek": "\u0391\u03a9\u03b1\u03c9",
    "Cyrillic": "\u0410\u042f\u0430\u044f",
    "Armenian": "\u0531\u0561",
    "Hebrew": "\u05d0\u05d1\u05ea",
    "Arabic": "\u0627\u0628\u064a",
    "Devanagari": "\u0905\u0915\u094d",
    "Bengali": "\u0985\u0995",
    "Tamil": "\u0b85\u0b95",
    "Thai": "\u0e01\u0e2e\u0e32",
    "Georgian": "\u10d0\u10f0",
    "Ethiopic": "\u1200\u1208",
    "Hangul": "\uac00\ud7a3",
    "Hiragana/Katakana": "\u3042\u30a2",
    "Han": "\u4e00\u9fa5\u76f4",
    "Emoji": "\U0001f600\U0001f680\u2764",
}
_THRESHOLD = 0.75


class FontRow(NamedTuple):
    """One face: family, weight/style, scripts covered, file (and where it came from)."""

    family: str
    styles: str
    scripts: str
    file: str
    origin: str


def scripts_of(face: FaceFile) -> tuple[str, ...]:
    cmap = codepoints(face)
    found = []
    for script, sample in SCRIPT_SAMPLES.items():
        have = sum(ord(ch) in cmap for ch in sample)
        if have / len(sample) >= _THRESHOLD:
            found.append(script)
    return tuple(found)


def describe_fonts(registry: FontRegistry) -> list[FontRow]:
    """One row per face the registry can use, in resolution order."""
    rows = []
    for face in registry.faces:
        label = f"{face.subfamily} ({face.describe_weight()})"
        file = f"{face.source}#{face.index}" if face.index else face.source
        scripts = ", ".join(scripts_of(face)) or "-"
        rows.append(FontRow(face.family, label, scripts, file, face.origin))
    return rows
