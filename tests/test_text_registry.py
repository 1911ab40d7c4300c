"""The font registry: bundled, layout and system fonts; formats; resolution."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fontTools.ttLib.tables.TupleVariation import TupleVariation
from PIL import Image

from pictify_raster.text import (
    FontRegistry,
    TextStyle,
    default_registry,
    describe_fonts,
    drawing,
    fontfiles,
    layout_text,
    shaping_available,
)
from pictify_raster.text import layout as layout_module
from pictify_raster.text.coverage.cmap import codepoints
from pictify_raster.text.registry import bundled_dir
from pictify_raster.text.scancache import ScanCache
from pictify_raster.text.shaping import fonts
from pictify_raster.text.shaping.fonts import pil_font

FONTS = bundled_dir()
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def registry():
    return default_registry()


def test_bundled_families_are_present(registry):
    families = registry.families()
    for name in (
        "DejaVu Sans",
        "Noto Sans",
        "Noto Sans Arabic",
        "Noto Sans Hebrew",
        "Noto Sans Devanagari",
        "Noto Sans Thai",
        "Noto Color Emoji",
    ):
        assert name in families


def test_bundled_fonts_are_listed_with_licences():
    readme = (FONTS / "README.md").read_text(encoding="utf-8")
    for path in FONTS.glob("*.ttf"):
        assert path.name in readme
    assert (FONTS / "LICENSES" / "OFL-1.1.txt").is_file()
    assert (FONTS / "LICENSES" / "DejaVu-Bitstream-Vera.txt").is_file()
    total = sum(p.stat().st_size for p in FONTS.glob("*.ttf"))
    assert total < 20 * 1024 * 1024


def test_resolution_is_case_insensitive_and_finds_the_nearest_weight(registry):
    assert registry.resolve("noto SANS").file.weight == 400
    assert registry.resolve("Noto Sans", 700).file.subfamily == "Bold"
    assert registry.resolve("Noto Sans", 500).file.subfamily == "Medium"
    assert registry.resolve("Noto Sans", 900).file.weight == 700
    assert registry.resolve("Noto Sans", 100).file.weight == 300
    italic = registry.resolve("Noto Sans", 700, "italic")
    assert italic.italic and italic.file.weight == 700


def test_bundled_fonts_win_over_system_copies(registry):
    face = registry.resolve("DejaVu Sans", 700)
    assert face.file.origin == "bundled"
    assert Path(face.file.source).parent == FONTS


def test_unknown_family_lists_the_available_ones(registry):
    with pytest.raises(LookupError) as caught:
        registry.resolve("Comic Unicorn")
    message = str(caught.value)
    assert "'Comic Unicorn'" in message and "Noto Sans" in message and "DejaVu Sans" in message


def test_missing_extra_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.ttf"):
        FontRegistry([tmp_path / "nope.ttf"])


def test_with_files_adds_a_layout_font_and_shares_the_scans(registry, tmp_path):
    font = TTFont(str(FONTS / "DejaVuSans.ttf"))
    _rename(font, "Brand Sans")
    path = tmp_path / "Brand.ttf"
    font.save(str(path))
    extended = registry.with_files([path])
    assert extended.system_faces is registry.system_faces
    assert extended.bundled_faces is registry.bundled_faces
    assert extended.resolve("brand sans").file.origin == "layout"
    with pytest.raises(LookupError):
        registry.resolve("Brand Sans")
    block = layout_text("Brand", TextStyle(family="Brand Sans", size=30), None, None, extended)
    assert block.lines[0].runs[0].face.family == "Brand Sans"


@pytest.mark.parametrize("flavor", ["woff", "woff2"])
def test_woff_and_woff2_are_decompressed_and_drawn(tmp_path, flavor):
    font = TTFont(str(FONTS / "NotoSansHebrew-Regular.ttf"))
    _rename(font, f"Packed {flavor}")
    font.flavor = flavor
    path = tmp_path / f"packed.{flavor}"
    font.save(str(path))
    registry = FontRegistry([path], include_system=False)
    face = registry.resolve(f"Packed {flavor}")
    assert face.path.endswith(".ttf") and face.file.source == str(path)
    assert ord("א") in codepoints(face.file)
    style = TextStyle(family=f"Packed {flavor}", size=30)
    block = layout_text("שלום", style, None, None, registry)
    assert block.width > 30 and not block.warnings


def test_ttc_collections_expose_every_face(tmp_path):
    fonts = []
    for name, source in (("Pair One", "NotoSans-Regular.ttf"), ("Pair Two", "DejaVuSans.ttf")):
        font = TTFont(str(FONTS / source))
        _rename(font, name)
        fonts.append(font)
    collection = TTCollection()
    collection.fonts = fonts
    path = tmp_path / "pair.ttc"
    collection.save(str(path))
    registry = FontRegistry([path], include_system=False)
    assert registry.resolve("Pair Two").file.index == 1
    block = layout_text("Pair", TextStyle(family="Pair Two", size=30), None, None, registry)
    reference = layout_text("Pair", TextStyle(family="DejaVu Sans", size=30), None, None, registry)
    assert block.width == reference.width


def test_variable_font_weight_axis_is_set(tmp_path):
    path = tmp_path / "TestVar.ttf"
    _build_variable_font(path)
    registry = FontRegistry([path], include_system=False)
    light = registry.resolve("Test Var", 100)
    heavy = registry.resolve("Test Var", 900)
    assert light.file is heavy.file and light.file.is_variable
    assert (light.variation, heavy.variation) == (100.0, 900.0)
    assert pil_font(heavy, 100).getlength("I") > pil_font(light, 100).getlength("I")
    thin = layout_text(
        "IIII", TextStyle(family="Test Var", weight=100, size=100), None, None, registry
    )
    bold = layout_text(
        "IIII", TextStyle(family="Test Var", weight=900, size=100), None, None, registry
    )
    assert bold.width > thin.width


def test_describe_fonts_rows(registry):
    rows = describe_fonts(registry)
    by_family = {row.family: row for row in rows}
    assert "Arabic" in by_family["Noto Sans Arabic"].scripts
    assert "Emoji" in by_family["Noto Color Emoji"].scripts
    assert all(Path(row.file.split("#")[0]).is_file() for row in rows)
    family, styles, _scripts, file, origin = rows[0]
    assert family and styles and file and origin


def test_shaping_is_available_here():
    # The project's CI installs Pillow with raqm; this catches a build without it.
    assert shaping_available()


def test_registry_builds_fast_in_a_fresh_process():
    code = (
        "import time; t = time.perf_counter();"
        "from pictify_raster.text.registry import default_registry;"
        "t1 = time.perf_counter(); r = default_registry(); r.families();"
        "r.resolve('Noto Sans'); print(time.perf_counter() - t1)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert float(result.stdout.strip()) < 1.0


def test_without_raqm_complex_text_warns_but_renders(monkeypatch, registry):
    monkeypatch.setattr(fonts, "shaping_available", lambda: False)
    monkeypatch.setattr(layout_module, "shaping_available", lambda: False)
    monkeypatch.setattr(drawing, "shaping_available", lambda: False)
    monkeypatch.setattr(fonts, "layout_engine", lambda: fonts.ImageFont.Layout.BASIC)
    style = TextStyle(size=30, align="start")
    block = layout_text("مرحبا بكم unshaped", style, 600, None, registry)
    assert [w.code for w in block.warnings] == ["TEXT_SHAPING_UNAVAILABLE"]
    canvas = Image.new("RGBA", (700, 100))
    block.draw(canvas, (0, 0, 600, 100))
    assert canvas.getbbox() is not None
    plain = layout_text("plain latin unshaped", style, 600, None, registry)
    assert not plain.warnings


def _rename(font: TTFont, family: str) -> None:
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 16, 21):
            names.removeNames(nameID=record.nameID)
    names.setName(family, 1, 3, 1, 0x409)
    names.setName(family, 4, 3, 1, 0x409)


def _build_variable_font(path: Path) -> None:
    """A one-glyph font whose stem and advance grow along the weight axis."""

    def rect(width: int) -> Glyph:
        pen = TTGlyphPen(None)
        pen.moveTo((50, 0))
        pen.lineTo((50, 700))
        pen.lineTo((50 + width, 700))
        pen.lineTo((50 + width, 0))
        pen.closePath()
        return pen.glyph()

    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef", "space", "I"])
    fb.setupCharacterMap({32: "space", ord("I"): "I"})
    fb.setupGlyf({".notdef": rect(400), "space": Glyph(), "I": rect(100)})
    fb.setupHorizontalMetrics({".notdef": (500, 50), "space": (250, 0), "I": (200, 50)})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Test Var", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200, usWeightClass=400)
    fb.setupPost()
    fb.setupFvar(axes=[("wght", 100, 400, 900, "Weight")], instances=[])
    # Points: four of the contour, then four phantom points (advance is the second).
    delta = [(0, 0), (0, 0), (300, 0), (300, 0), (0, 0), (300, 0), (0, 0), (0, 0)]
    fb.setupGvar({"I": [TupleVariation({"wght": (0, 1.0, 1.0)}, delta)]})
    fb.save(str(path))


def test_system_scans_are_cached_on_disk(tmp_path, monkeypatch):
    cache_path = tmp_path / "scan.json"
    font = FONTS / "NotoSansThai-Regular.ttf"
    monkeypatch.setattr(fontfiles, "_scan_cache", {})
    disk = ScanCache(cache_path)
    scanned = fontfiles.scan_file(font, "system", disk)
    disk.save()
    assert cache_path.is_file()

    def refuse(*_args):
        raise AssertionError("the font file was read again")

    monkeypatch.setattr(fontfiles, "_scan_cache", {})
    monkeypatch.setattr(fontfiles, "_read_faces", refuse)
    again = fontfiles.scan_file(font, "system", ScanCache(cache_path))
    assert [dataclasses.asdict(f) for f in again] == [dataclasses.asdict(f) for f in scanned]


def test_a_corrupt_scan_cache_is_ignored(tmp_path):
    cache_path = tmp_path / "scan.json"
    cache_path.write_text("{not json", encoding="utf-8")
    assert ScanCache(cache_path).entries == {}
