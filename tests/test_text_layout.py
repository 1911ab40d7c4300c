"""Text layout and drawing with the bundled fonts: real glyphs, real pixels.

The handed cases (C01, C04, C05, C08, C09, C10, C12, C30) come from
tests/data/text/cases.jsonl, copied from the shared case list.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pictify_raster.errors import ErrorCode, ItemError, TextOverflowError
from pictify_raster.text import TextBlock, TextStyle, default_registry, layout_text
from pictify_raster.text.registry import bundled_dir
from pictify_raster.text.segmentation import clusters

DATA = Path(__file__).parent / "data" / "text"
CASES = {
    row["_case"]: row
    for row in map(json.loads, (DATA / "cases.jsonl").read_text(encoding="utf-8").splitlines())
}
FONTS = bundled_dir()
CANVAS = (1400, 900)


@pytest.fixture(scope="module")
def registry():
    return default_registry()


def render(block: TextBlock, box: tuple[int, int, int, int]) -> Image.Image:
    canvas = Image.new("RGBA", CANVAS, (0, 0, 0, 0))
    block.draw(canvas, box)
    return canvas


def ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    return image.getchannel("A").point(lambda v: 255 if v > 8 else 0).getbbox()


def assert_inside(image: Image.Image, box: tuple[int, int, int, int]) -> None:
    ink = ink_box(image)
    assert ink is not None, "nothing was drawn"
    x, y, w, h = box
    assert x <= ink[0] and ink[2] <= x + w, f"ink {ink} leaves box {box} horizontally"
    assert y <= ink[1] and ink[3] <= y + h, f"ink {ink} leaves box {box} vertically"


def line_texts(block: TextBlock) -> list[str]:
    """Each line's text in visual order (runs as stored)."""
    return ["".join(run.text for run in line.runs) for line in block.lines]


def logical_text(block: TextBlock) -> str:
    return "".join(line_texts(block))


# -- C10: wrapping by measured width ---------------------------------------


def test_c10_wraps_by_measured_width_not_character_count(registry):
    style = TextStyle(family="DejaVu Sans", size=48)
    wide = layout_text(CASES["C10"]["title"], style, 400, None, registry)
    narrow = layout_text(CASES["C10"]["subtitle"], style, 400, None, registry)
    assert wide.line_count > narrow.line_count
    for block in (wide, narrow):
        assert all(line.width <= 400 for line in block.lines)
        box = (50, 50, 400, block.height)
        assert_inside(render(block, box), box)


def test_wrapping_uses_the_same_measure_as_drawing(registry):
    style = TextStyle(family="DejaVu Sans", size=30)
    block = layout_text(
        "The quick brown fox jumps over the lazy dog " * 3, style, 350, None, registry
    )
    font = ImageFont.truetype(
        str(FONTS / "DejaVuSans.ttf"), 30, layout_engine=ImageFont.Layout.RAQM
    )
    for text, line in zip(line_texts(block), block.lines, strict=True):
        assert font.getlength(text) == pytest.approx(line.width, abs=1.0)
        assert line.width <= 350


# -- C12: over-long words ------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "subtitle"])
def test_c12_long_word_breaks_at_clusters_then_ellipsis_inside_box(registry, field):
    style = TextStyle(family="DejaVu Sans", size=32, max_lines=2, overflow="ellipsis")
    block = layout_text(CASES["C12"][field], style, 600, None, registry)
    assert block.line_count == 2
    assert block.truncated
    texts = line_texts(block)
    assert texts[-1].endswith("…")
    assert len(texts[0]) >= 20, "the word must be broken, not dropped"
    assert CASES["C12"][field].startswith(texts[0])
    box = (40, 40, 600, block.height)
    image = render(block, box)
    assert_inside(image, box)
    # Both lines carry ink: the text never vanishes.
    ink = ink_box(image)
    assert ink is not None and ink[3] - ink[1] > block.metrics.pitch


# -- C30: fit-to-box on a 100 000 character value ----------------------------


def test_c30_shrink_of_huge_value_is_fast_and_ends_with_ellipsis(registry):
    text = CASES["C30"]["title"]
    assert len(text) == 100_000
    style = TextStyle(size=48, min_size=10, max_lines=3, overflow="shrink")
    start = time.perf_counter()
    block = layout_text(text, style, 1000, 300, registry)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"took {elapsed:.2f}s"
    assert block.line_count == 3
    assert block.font_size == 10
    assert block.truncated
    assert line_texts(block)[-1].endswith("…")
    box = (100, 100, 1000, 300)
    assert_inside(render(block, box), box)


@pytest.mark.parametrize("mode", ["ellipsis", "clip", "error"])
def test_huge_value_in_every_mode_is_bounded(registry, mode):
    style = TextStyle(size=40, max_lines=3, overflow=mode)
    start = time.perf_counter()
    if mode == "error":
        with pytest.raises(TextOverflowError):
            layout_text(CASES["C30"]["title"], style, 1000, 300, registry)
    else:
        layout_text(CASES["C30"]["title"], style, 1000, 300, registry)
    assert time.perf_counter() - start < 1.0


# -- overflow modes: ink stays in the box --------------------------------------

LONG = "Everything You Need to Know About Kubernetes Before Your Next Project " * 4


@pytest.mark.parametrize("mode", ["ellipsis", "shrink", "clip"])
@pytest.mark.parametrize("valign", ["top", "middle", "bottom"])
def test_ink_stays_inside_the_box_in_every_overflow_mode(registry, mode, valign):
    style = TextStyle(
        family="DejaVu Sans", weight=700, size=60, overflow=mode, valign=valign, min_size=20
    )
    box = (100, 170, 1000, 230)
    block = layout_text(LONG, style, box[2], box[3], registry)
    assert block.truncated or mode == "shrink"
    assert_inside(render(block, box), box)


def test_shrink_picks_the_largest_size_that_fits(registry):
    style = TextStyle(family="DejaVu Sans", size=80, min_size=10, overflow="shrink", max_lines=2)
    text = "A headline that is a little too long for its box"
    block = layout_text(text, style, 500, None, registry)
    assert 10 < block.font_size < 80
    assert not block.truncated and block.line_count <= 2
    bigger = TextStyle(
        family="DejaVu Sans", size=block.font_size + 1, max_lines=2, overflow="error"
    )
    with pytest.raises(TextOverflowError):
        layout_text(text, bigger, 500, None, registry)


def test_error_mode_says_by_how_much(registry):
    style = TextStyle(size=40, max_lines=3, overflow="error")
    with pytest.raises(TextOverflowError) as caught:
        layout_text(LONG, style, 600, None, registry)
    assert caught.value.code == ErrorCode.TEXT_OVERFLOW
    assert "3 fit" in caught.value.message and "lines" in caught.value.message
    style = TextStyle(size=40, overflow="error")
    with pytest.raises(TextOverflowError, match=r"overflows the 100px box by \d+px"):
        layout_text(LONG, style, 600, 100, registry)


def test_max_lines_without_height(registry):
    style = TextStyle(size=30, max_lines=2)
    block = layout_text(LONG, style, 500, None, registry)
    assert block.line_count == 2 and block.truncated
    assert line_texts(block)[-1].endswith("…")


def test_fitting_text_is_not_truncated(registry):
    block = layout_text("Short title", TextStyle(size=40, max_lines=2), 800, 200, registry)
    assert (block.line_count, block.truncated, block.font_size) == (1, False, 40)
    assert "…" not in logical_text(block)


def test_text_taller_than_its_box_keeps_one_line(registry):
    style = TextStyle(size=40, overflow="ellipsis")
    block = layout_text("Some text that is long enough to wrap", style, 300, 10, registry)
    assert block.line_count == 1 and block.truncated


def test_a_whole_line_in_a_box_shorter_than_a_line_gets_no_ellipsis(registry):
    # The certificate's title: 84 px bold in a 110 px box, one line of ink.
    style = TextStyle(family="Noto Sans", weight=700, size=84, overflow="ellipsis")
    block = layout_text("Certificate of Attendance", style, 1434, 110, registry)
    assert (block.line_count, block.truncated) == (1, False)
    assert logical_text(block) == "Certificate of Attendance"

    wrapped = layout_text("Certificate of Attendance", style, 700, 110, registry)
    assert wrapped.line_count == 1 and wrapped.truncated
    assert logical_text(wrapped).endswith("…")


def test_blank_and_empty_text(registry):
    for text in ("", "   \t  \u00a0"):
        block = layout_text(text, TextStyle(), 300, 100, registry)
        assert block.width == 0 and not block.warnings
        render(block, (0, 0, 300, 100))


# -- C09: metrics, pitch, diacritics, tabs ---------------------------------


def test_c09_constant_pitch_and_block_height_from_font_metrics(registry):
    style = TextStyle(family="DejaVu Sans", size=24, valign="middle", line_height=1.2)
    block = layout_text(CASES["C09"]["title"], style, 600, 300, registry)
    assert block.line_count == 5
    # The pitch is line_height times the size, as in CSS; the block spans the
    # first line's ascender to the last line's descender, from the font's metrics
    # (DejaVu Sans: hhea ascender 1901, descender -483, 2048 units).
    content = (1901 + 483) / 2048 * 24
    assert block.metrics.pitch == pytest.approx(24 * 1.2)
    assert block.exact_height == pytest.approx(4 * 24 * 1.2 + content)
    assert not block.warnings, "the tab must not be tofu"


def test_c09_identical_lines_have_identical_spacing(registry):
    style = TextStyle(family="DejaVu Sans", size=24)
    block = layout_text("Ag\nxx\nAg\nÉÇÑ\nAg", style, 600, None, registry)
    image = render(block, (0, 0, 600, block.height))
    alpha = image.getchannel("A")
    tops = []
    for index in (0, 2, 4):
        band_top = round(index * block.metrics.pitch)
        band = alpha.crop((0, band_top, 600, band_top + round(block.metrics.pitch)))
        bbox = band.getbbox()
        assert bbox is not None
        tops.append(band_top + bbox[1])
    assert abs((tops[1] - tops[0]) - (tops[2] - tops[1])) <= 1
    assert abs((tops[1] - tops[0]) - 2 * block.metrics.pitch) <= 1


def test_c09_stacked_marks_are_not_clipped_at_the_box_top(registry):
    style = TextStyle(family="DejaVu Sans", size=24)
    text = CASES["C09"]["title"].split("\n")[3]  # the Zalgo line
    block = layout_text(text, style, 600, None, registry)
    box = (50, 100, 600, block.height)
    ink = ink_box(render(block, box))
    assert ink is not None and ink[1] < box[1], "marks above the ascender were cut off"


def test_c09_middle_alignment_uses_the_drawn_height(registry):
    style = TextStyle(family="DejaVu Sans", size=24, valign="middle")
    for text in ("ace", "ÉÇÑ"):
        block = layout_text(text, style, 600, 200, registry)
        image = render(block, (0, 0, 600, 200))
        ink = ink_box(image)
        assert ink is not None
        # The same block box for both: centred by metrics, not by glyphs.
        top = (200 - block.exact_height) / 2
        assert top == pytest.approx((200 - block.exact_height) / 2)
        assert block.height == round(block.exact_height + 0.5)


def test_tabs_expand_to_spaces(registry):
    style = TextStyle(family="DejaVu Sans", size=24)
    tabbed = layout_text("col1\tcol2", style, None, None, registry)
    spaced = layout_text("col1    col2", style, None, None, registry)
    assert tabbed.width == spaced.width
    assert not tabbed.warnings


# -- direction: C01 Arabic, C04 Hebrew with numbers ---------------------------


def test_c01_arabic_is_joined_and_right_to_left(registry):
    style = TextStyle(size=48, align="start")
    text = CASES["C01"]["title"]
    block = layout_text(text, style, 1000, None, registry)
    font = ImageFont.truetype(
        str(FONTS / "NotoSansArabic-Regular.ttf"), 48, layout_engine=ImageFont.Layout.RAQM
    )
    shaped = font.getlength(text, direction="rtl")
    isolated = sum(font.getlength(ch) for ch in text)
    assert block.lines[0].width == pytest.approx(shaped, abs=2)
    assert abs(shaped - isolated) > 10, "joined forms differ in width from isolated ones"
    box = (100, 50, 1000, block.height)
    ink = ink_box(render(block, box))
    assert ink is not None
    assert ink[2] >= box[0] + box[2] - 4, "RTL text with align start hugs the right edge"
    assert ink[0] > box[0] + 300


def test_c01_arabic_pixels_match_pillows_raqm_rendering(registry):
    text = CASES["C01"]["subtitle"]
    style = TextStyle(family="Noto Sans Arabic", size=40)
    block = layout_text(text, style, None, None, registry)
    ours = render(block, (0, 0, block.width, block.height)).getchannel("A")
    font = ImageFont.truetype(
        str(FONTS / "NotoSansArabic-Regular.ttf"), 40, layout_engine=ImageFont.Layout.RAQM
    )
    reference = Image.new("L", CANVAS, 0)
    ascent = block.metrics.ascent
    ImageDraw.Draw(reference).text(
        (0, ascent), text, font=font, fill=255, anchor="ls", direction="rtl"
    )
    assert ours.getbbox() == reference.getbbox()


def test_c04_digits_keep_their_order_inside_hebrew(registry):
    style = TextStyle(size=40, align="start")
    block = layout_text(CASES["C04"]["title"], style, 1200, None, registry)
    runs = [run.text for run in block.lines[0].runs]
    assert "1,299.90" in runs and "17%" in runs
    # Visual order left to right: "17%" first, the price later, "מחיר:" last.
    assert runs.index("17%") < runs.index("1,299.90")
    assert runs[-1].startswith("מחיר")
    sub = layout_text(CASES["C04"]["subtitle"], style, 1200, None, registry)
    sub_runs = [run.text for run in sub.lines[0].runs]
    assert "4021" in sub_runs
    assert any("iPhone 15" in r for r in sub_runs)


def test_ltr_start_and_end_alignment(registry):
    box = (100, 50, 800, 80)
    start = layout_text("Hello", TextStyle(size=40, align="start"), 800, 80, registry)
    end = layout_text("Hello", TextStyle(size=40, align="end"), 800, 80, registry)
    ink_start, ink_end = ink_box(render(start, box)), ink_box(render(end, box))
    assert ink_start is not None and ink_end is not None
    assert ink_start[0] < box[0] + 10
    assert ink_end[2] > box[0] + box[2] - 10
    rtl_end = layout_text("שלום", TextStyle(size=40, align="end"), 800, 80, registry)
    ink = ink_box(render(rtl_end, box))
    assert ink is not None and ink[0] < box[0] + 10


# -- C05: emoji ------------------------------------------------------------------


def colourful_pixels(image: Image.Image) -> int:
    rgb = image.convert("RGB")
    hsv = rgb.convert("HSV").getchannel("S")
    alpha = image.getchannel("A")
    return sum(
        1
        for s, a in zip(hsv.get_flattened_data(), alpha.get_flattened_data(), strict=True)
        if s > 80 and a > 128
    )


def test_c05_emoji_are_colour_glyphs_not_tofu(registry):
    style = TextStyle(size=48, color=(0, 0, 0, 255))
    block = layout_text(CASES["C05"]["title"], style, 1000, None, registry)
    assert not block.warnings
    image = render(block, (0, 0, 1000, block.height))
    assert colourful_pixels(image) > 500
    # The measured width includes the emoji.
    plain = layout_text("Launch day", style, None, None, registry)
    assert block.width > plain.width + 4 * 40


def test_emoji_differs_from_the_notdef_box(registry):
    style = TextStyle(size=64)
    block = layout_text("🚀", style, None, None, registry)
    ours = render(block, (0, 0, 200, 200)).getchannel("A")
    font = ImageFont.truetype(str(FONTS / "NotoSans-Regular.ttf"), 64)
    tofu = Image.new("L", CANVAS, 0)
    ImageDraw.Draw(tofu).text(
        (0, block.metrics.ascent), "\U0010fffd", font=font, fill=255, anchor="ls"
    )
    assert ours.getbbox() != tofu.getbbox()
    assert list(ours.get_flattened_data()) != list(tofu.get_flattened_data())


@pytest.mark.parametrize("sequence", ["👩‍👩‍👧", "👍🏽", "🇩🇪", "1️⃣", "❤️", "🏳️‍🌈"])
def test_emoji_sequences_are_one_glyph(registry, sequence):
    style = TextStyle(size=48)
    one = layout_text(sequence, style, None, None, registry)
    rocket = layout_text("🚀", style, None, None, registry)
    assert one.width == pytest.approx(rocket.width, abs=3)
    assert not one.warnings


def test_emoji_sequences_are_never_split_by_wrapping_or_ellipsis(registry):
    text = "👩‍👩‍👧👍🏽🇩🇪1️⃣" * 6
    style = TextStyle(size=48, max_lines=2)
    block = layout_text(text, style, 160, None, registry)
    allowed = set(clusters(text)) | {"…"}
    for line in block.lines:
        for run in line.runs:
            assert set(run.clusters) <= allowed
    assert block.truncated


# -- C08: CJK --------------------------------------------------------------------

HAS_CJK = default_registry().has_family("Noto Sans CJK JP")


def test_c08_cjk_is_drawn_from_the_bundled_cjk_font_without_tofu(registry):
    row = CASES["C08"]
    for field in ("site_name", "title", "subtitle"):
        block = layout_text(row[field], TextStyle(size=40), 1000, None, registry)
        assert not block.warnings, block.warnings
        families = {run.face.family for line in block.lines for run in line.runs}
        assert families & {"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans CJK JP",
                           "Noto Sans CJK KR"}


# Choosing the Japanese, Chinese or Korean forms needs one font per language,
# as fonts-noto-cjk provides; the bundled font has the Chinese forms only.
@pytest.mark.skipif(not HAS_CJK, reason="fonts-noto-cjk is not installed")
def test_c08_cjk_comes_from_a_cjk_font_by_language(registry):
    row = CASES["C08"]
    for field, family in (
        ("site_name", "Noto Sans CJK SC"),
        ("title", "Noto Sans CJK JP"),
        ("subtitle", "Noto Sans CJK KR"),
    ):
        block = layout_text(row[field], TextStyle(size=40), 1000, None, registry)
        assert not block.warnings, block.warnings
        families = {
            run.face.family for line in block.lines for run in line.runs if not run.text.isspace()
        }
        assert family in families
    han = layout_text("直", TextStyle(size=40, locale="ja_JP"), None, None, registry)
    assert han.lines[0].runs[0].face.family == "Noto Sans CJK JP"
    han = layout_text("直", TextStyle(size=40, locale="zh-TW"), None, None, registry)
    assert han.lines[0].runs[0].face.family == "Noto Sans CJK TC"


def test_cjk_text_breaks_between_characters(registry):
    text = "日本語のタイトルと直後の説明日本語のタイトルと直後の説明"
    block = layout_text(text, TextStyle(size=40), 300, None, registry)
    assert block.line_count > 1
    assert all(line.width <= 300 for line in block.lines)
    assert logical_text(block) == text


# -- missing glyphs --------------------------------------------------------------


def test_missing_glyph_warns_with_code_points(registry):
    block = layout_text("abc \U0010fffd", TextStyle(size=30), 500, None, registry)
    assert [w.code for w in block.warnings] == ["MISSING_GLYPHS"]
    assert "U+10FFFD" in block.warnings[0].message


def test_strict_glyphs_fails_the_item(registry):
    style = TextStyle(size=30, strict_glyphs=True)
    with pytest.raises(ItemError) as caught:
        layout_text("abc \U0010fffd", style, 500, None, registry)
    assert caught.value.code == ErrorCode.RENDER_FAILED
    assert "U+10FFFD" in caught.value.message


def test_fallback_chain_uses_style_fallbacks_first(registry):
    style = TextStyle(family="Noto Sans", size=30, fallbacks=("DejaVu Sans",))
    block = layout_text("→ ∑", style, None, None, registry)  # not in Noto Sans 2020
    families = {run.face.family for run in block.lines[0].runs}
    assert "DejaVu Sans" in families
    assert not block.warnings


def test_scripts_from_bundled_fonts_have_no_warnings(registry):
    for text in ("नमस्ते दुनिया", "สวัสดีชาวโลก", "שלום עולם", "مرحبا", "Привет, Ελλάδα"):
        block = layout_text(text, TextStyle(size=30), 800, None, registry)
        assert not block.warnings, (text, block.warnings)


def test_devanagari_cluster_is_not_split(registry):
    text = "स्ते" * 40
    block = layout_text(text, TextStyle(size=30), 100, None, registry)
    for line in block.lines:
        for run in line.runs:
            assert all(c == "स्ते" for c in run.clusters)


# -- styling ----------------------------------------------------------------------


def test_markup_spans_bold_italic_colour_only_when_enabled(registry):
    text = "Now **€19** *was* [color=#ff0000]red[/color]"
    marked = layout_text(text, TextStyle(size=30, markup=True), None, None, registry)
    runs = marked.lines[0].runs
    assert "**" not in logical_text(marked)
    assert any(r.face.weight == 700 and "€19" in r.text for r in runs)
    assert any(r.face.italic and "was" in r.text for r in runs)
    assert any(r.span.color == (255, 0, 0, 255) and r.text == "red" for r in runs)
    image = render(marked, (0, 0, 800, 100))
    reds = [p for p in image.get_flattened_data() if p[3] > 200 and p[0] > 200 and p[1] < 60]
    assert reds
    literal = layout_text(text, TextStyle(size=30), None, None, registry)
    assert logical_text(literal) == text


def test_transforms(registry):
    def text_of(how: str) -> str:
        return logical_text(
            layout_text("hello wORLD", TextStyle(transform=how), None, None, registry)
        )

    assert text_of("uppercase") == "HELLO WORLD"
    assert text_of("lowercase") == "hello world"
    assert text_of("capitalize") == "Hello WORLD"


def test_letter_spacing_widens_the_text(registry):
    base = layout_text("spacing", TextStyle(size=30), None, None, registry)
    spaced = layout_text("spacing", TextStyle(size=30, letter_spacing=5), None, None, registry)
    assert spaced.width == pytest.approx(base.width + 5 * 7, abs=3)
    box = (0, 0, spaced.width + 10, spaced.height)
    assert_inside(render(spaced, box), box)


@pytest.mark.parametrize("decoration", ["underline", "line-through"])
def test_decoration_draws_a_rule_across_the_line(registry, decoration):
    style = TextStyle(family="DejaVu Sans", size=40, decoration=decoration)
    block = layout_text("€ 49,00", style, None, None, registry)
    plain = layout_text("€ 49,00", TextStyle(family="DejaVu Sans", size=40), None, None, registry)
    box = (10, 10, 400, block.height)
    ruled = render(block, box).getchannel("A")
    bare = render(plain, box).getchannel("A")
    rows = [
        y
        for y in range(CANVAS[1])
        if sum(1 for x in range(10, 10 + block.width) if ruled.getpixel((x, y)) > 128)
        >= block.width - 2
        and sum(1 for x in range(10, 10 + block.width) if bare.getpixel((x, y)) > 128)
        < block.width * 0.7
    ]
    assert rows, "no full-width rule"
    baseline = 10 + block.metrics.ascent
    if decoration == "underline":
        assert all(y >= baseline - 1 for y in rows)
    else:
        assert all(y < baseline - 5 for y in rows)


def test_stroke_and_shadow(registry):
    plain = layout_text("Shadow", TextStyle(size=48), None, None, registry)
    styled = TextStyle(
        size=48,
        color=(255, 255, 255, 255),
        stroke_width=2,
        stroke_color=(0, 0, 255, 255),
        shadow=(6, 6, (0, 0, 0, 255), 2),
    )
    block = layout_text("Shadow", styled, None, None, registry)
    box = (20, 20, 400, 120)
    image = render(block, box)
    plain_ink = ink_box(render(plain, box))
    ink = ink_box(image)
    assert ink is not None and plain_ink is not None
    assert ink[3] >= plain_ink[3] + 5 and ink[2] >= plain_ink[2] + 5
    blue = [p for p in image.get_flattened_data() if p[3] > 200 and p[2] > 200 and p[0] < 60]
    assert blue, "stroke colour missing"


def test_justify_stretches_all_but_the_last_line(registry):
    style = TextStyle(family="DejaVu Sans", size=24, align="justify")
    text = "word " * 40
    block = layout_text(text.strip(), style, 500, None, registry)
    image = render(block, (0, 0, 500, block.height))
    alpha = image.getchannel("A")
    pitch = block.metrics.pitch
    first = alpha.crop((0, 0, 500, round(pitch))).getbbox()
    last_top = round((block.line_count - 1) * pitch)
    last = alpha.crop((0, last_top, 500, block.height)).getbbox()
    assert first is not None and last is not None
    assert first[2] >= 495
    assert last[2] < 480


@pytest.mark.parametrize("align", ["left", "center", "right"])
def test_horizontal_alignment(registry, align):
    block = layout_text("Mid", TextStyle(size=40, align=align), 600, 60, registry)
    ink = ink_box(render(block, (100, 0, 600, 60)))
    assert ink is not None
    centre = (ink[0] + ink[2]) / 2
    expected = {"left": 100 + block.width / 2, "center": 400, "right": 700 - block.width / 2}
    assert centre == pytest.approx(expected[align], abs=6)


def test_nothing_is_drawn_outside_the_box_horizontally(registry):
    # A single emoji wider than its box: it cannot be broken, so it is cropped.
    block = layout_text("🚀🚀", TextStyle(size=120), 60, None, registry)
    box = (300, 100, 60, block.height)
    ink = ink_box(render(block, box))
    assert ink is not None and ink[0] >= 300 and ink[2] <= 360


def test_natural_size_without_width(registry):
    block = layout_text("One line\nTwo", TextStyle(size=30), None, None, registry)
    assert block.line_count == 2
    long = layout_text(LONG, TextStyle(size=30), None, None, registry)
    assert long.line_count == 1 and long.width > 3000


def test_draw_on_rgb_canvas(registry):
    block = layout_text("RGB canvas", TextStyle(size=30), 300, 60, registry)
    canvas = Image.new("RGB", (400, 100), (255, 255, 255))
    block.draw(canvas, (10, 10, 300, 60))
    assert canvas.getbbox() is not None
    assert min(canvas.get_flattened_data()) == (0, 0, 0)


def test_layout_is_cached_and_blocks_are_independent(registry):
    style = TextStyle(size=30)
    first = layout_text("cache me \U0010fffd", style, 300, None, registry)
    second = layout_text("cache me \U0010fffd", style, 300, None, registry)
    first.warnings.clear()
    assert second.warnings


def test_clip_with_max_lines_keeps_exactly_max_lines(registry):
    style = TextStyle(size=30, max_lines=2, overflow="clip")
    block = layout_text(LONG, style, 500, None, registry)
    assert block.line_count == 2 and block.truncated
    assert "…" not in logical_text(block)
    tall = layout_text(LONG, TextStyle(size=30, overflow="clip"), 500, 100, registry)
    # One line fits in 100 px and the next is cut by the box bottom.
    assert tall.line_count == tall.metrics.lines_in(100) + 1


def test_rtl_ellipsis_sits_at_the_left_end(registry):
    text = "اللغة العربية جميلة ومرحبا بكم في المتجر الجديد مع خصومات كبيرة على كل المنتجات"
    block = layout_text(text, TextStyle(size=32, align="start", max_lines=1), 400, None, registry)
    assert block.truncated
    runs = block.lines[0].runs
    assert runs[0].text == "…", [r.text for r in runs]
    box = (0, 0, 400, block.height)
    assert_inside(render(block, box), box)


def test_trailing_newlines_do_not_add_lines(registry):
    block = layout_text("Title\n\n", TextStyle(size=30, valign="middle"), 500, 200, registry)
    assert block.line_count == 1


def test_unwrapped_huge_value_is_bounded(registry):
    start = time.perf_counter()
    block = layout_text(CASES["C30"]["title"], TextStyle(size=24), None, None, registry)
    assert time.perf_counter() - start < 1.0
    assert block.truncated and block.width <= 16384
    assert line_texts(block)[0].endswith("…")
