"""Real multilingual data: every npm package summary through layout_text.

tests/data/text/npm_multilingual.csv holds 2,094 npm packages whose names and
summaries mix Latin, CJK, emoji, symbols and other scripts. Every value must
lay out; the code points no font covers are counted per script. The bundled
fonts alone (WenQuanYi Micro Hei for CJK) leave only a handful of rare
symbols and one rare ideograph; with fonts-noto-cjk the ideograph is covered.
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from pictify_raster.text import TextStyle, default_registry, layout_text
from pictify_raster.text.coverage.emoji import default_emoji

DATA = Path(__file__).parent / "data" / "text" / "npm_multilingual.csv"
logger = logging.getLogger(__name__)

# Rare symbols no bundled or Noto CJK font has (the Tibetan brackets ༼ ༽ of a
# kaomoji, two return arrows and a set-theory operator), and one ideograph the
# bundled CJK font lacks.
EXPECTED_MISSING = 10
_SCRIPT_RANGES = (
    ("Latin", 0x0000, 0x024F),
    ("Greek", 0x0370, 0x03FF),
    ("Cyrillic", 0x0400, 0x04FF),
    ("Hebrew", 0x0590, 0x05FF),
    ("Arabic", 0x0600, 0x06FF),
    ("Devanagari", 0x0900, 0x097F),
    ("Thai", 0x0E00, 0x0E7F),
    ("Tibetan", 0x0F00, 0x0FFF),
    ("Hangul", 0xAC00, 0xD7AF),
    ("CJK", 0x2E80, 0x9FFF),
    ("CJK", 0xF900, 0xFAFF),
    ("CJK", 0xFF00, 0xFFEF),
    ("CJK", 0x20000, 0x3FFFF),
)


def script_of(cp: int) -> str:
    if default_emoji(cp):
        return "Emoji"
    for name, low, high in _SCRIPT_RANGES:
        if low <= cp <= high:
            return name
    category = unicodedata.category(chr(cp))
    return "Symbols" if category.startswith(("S", "P")) else "Other"


def load_rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.slow
def test_every_npm_row_lays_out_and_missing_glyphs_are_rare():
    registry = default_registry()
    rows = load_rows()
    assert len(rows) > 2000
    style = TextStyle(size=32, max_lines=3)
    missing: Counter[str] = Counter()
    warned_rows = 0
    canvas = Image.new("RGBA", (1100, 200))
    for index, row in enumerate(rows):
        row_missing = False
        for field in ("name", "summary"):
            block = layout_text(row[field], style, 1000, None, registry)
            assert block.line_count <= 3
            assert all(line.width <= 1000 for line in block.lines)
            for warning in block.warnings:
                assert warning.code == "MISSING_GLYPHS"
                row_missing = True
                for cp in re.findall(r"U\+([0-9A-F]{4,6})", warning.message):
                    missing[script_of(int(cp, 16))] += 1
            if index % 25 == 0:
                block.draw(canvas, (50, 20, 1000, 160))
        warned_rows += row_missing
    logger.info("MISSING_GLYPHS by script: %s (rows warned: %d)", dict(missing), warned_rows)
    print(f"\nMISSING_GLYPHS code points by script: {dict(missing)}; rows warned: {warned_rows}")
    assert missing["CJK"] <= 1
    assert missing["Hangul"] == missing["Emoji"] == missing["Latin"] == 0
    assert sum(missing.values()) <= EXPECTED_MISSING
