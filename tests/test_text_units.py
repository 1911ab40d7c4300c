"""The small pieces of text layout: styles, markup, bidi, segmentation, emoji."""

from __future__ import annotations

import pytest
from uniseg.graphemecluster import grapheme_clusters
from uniseg.linebreak import line_break_units

from pictify_raster.text import Shadow, TextStyle
from pictify_raster.text.bidi import levels, paragraph_level, visual_order
from pictify_raster.text.coverage.emoji import is_emoji_cluster
from pictify_raster.text.coverage.fallback import cjk_region
from pictify_raster.text.markup import PLAIN, SpanStyle, parse, parse_color
from pictify_raster.text.prepare import normalise, transform
from pictify_raster.text.segmentation import break_units, clusters

# -- styles ---------------------------------------------------------------------


def test_style_is_hashable_and_normalises_colours():
    style = TextStyle(color=[10, 20, 30], fallbacks=["DejaVu Sans"])  # type: ignore[arg-type]
    assert style.color == (10, 20, 30, 255)
    assert style.fallbacks == ("DejaVu Sans",)
    assert hash(style) == hash(TextStyle(color=(10, 20, 30, 255), fallbacks=("DejaVu Sans",)))


@pytest.mark.parametrize(
    "shadow",
    [(2, 3, (0, 0, 0, 90), 4), (2, 3, 4, (0, 0, 0, 90)), Shadow(2, 3, (0, 0, 0, 90), 4)],
)
def test_shadow_accepts_the_colour_anywhere_after_the_offset(shadow):
    assert TextStyle(shadow=shadow).shadow_spec == Shadow(2.0, 3.0, (0, 0, 0, 90), 4.0)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("align", "middle", "align must be one of"),
        ("overflow", "hide", "overflow must be one of"),
        ("size", 0, "font size must be positive"),
        ("min_size", 0, "min_size must be positive"),
        ("weight", 1200, "weight must lie in"),
        ("max_lines", 0, "max_lines must be at least 1"),
        ("color", (300, 0, 0), "color must be an RGB or RGBA"),
    ],
)
def test_style_errors_name_the_bad_value(field, value, words):
    with pytest.raises(ValueError, match=words) as caught:
        TextStyle(**{field: value})
    assert repr(value) in str(caught.value)


# -- markup -----------------------------------------------------------------------


def test_markup_spans():
    spans = parse("a **b** *c* [color=#0f0]d[/color] \\*e\\*")
    assert [(s.text, s.style) for s in spans] == [
        ("a ", PLAIN),
        ("b", SpanStyle(bold=True)),
        (" ", PLAIN),
        ("c", SpanStyle(italic=True)),
        (" ", PLAIN),
        ("d", SpanStyle(color=(0, 255, 0, 255))),
        (" *e*", PLAIN),
    ]


@pytest.mark.parametrize("text", ["5 * 3", "**unclosed", "[color=#fff]open", "a [/color] b"])
def test_unmatched_markup_stays_literal(text):
    assert "".join(s.text for s in parse(text)) == text


def test_parse_color_forms():
    assert parse_color("#abc") == (0xAA, 0xBB, 0xCC, 255)
    assert parse_color("#11223344") == (0x11, 0x22, 0x33, 0x44)
    with pytest.raises(ValueError, match="#12345"):
        parse_color("#12345")


# -- normalising and transforms -------------------------------------------------


def test_normalise_newlines_controls_tabs_and_trailing_newlines():
    assert normalise("a\r\nb\rc\x0bd\u2029e") == "a\nb\nc\nd\ne"
    assert normalise("x\x00y\x1bz") == "xyz"
    assert normalise("ab\tc") == "ab  c"
    assert normalise("title\n\n") == "title"


def test_transforms():
    assert transform("straße", "uppercase") == "STRASSE"
    assert transform("hello wORLD-x 'quoted'", "capitalize") == "Hello WORLD-x 'Quoted'"
    assert transform("MiXeD", "lowercase") == "mixed"
    assert transform("as is", None) == "as is"


# -- bidi ----------------------------------------------------------------------------


def test_paragraph_level_from_first_strong_character():
    assert paragraph_level("123 abc שלום") == 0
    assert paragraph_level("123 שלום abc") == 1
    assert paragraph_level("123") == 0


def test_numbers_in_rtl_text_get_an_even_level():
    text = "מחיר: 1,299.90 ₪"
    lv = levels(text)
    digits = text.index("1,299.90")
    assert set(lv[digits : digits + len("1,299.90")]) == {2}
    assert lv[0] == 1


def test_arabic_digits_after_arabic_letters():
    text = "عدد 123"
    lv = levels(text)
    assert lv[-1] == 2 and lv[0] == 1


def test_visual_order_reverses_rtl_runs():
    assert visual_order([0, 1, 1, 0]) == [0, 2, 1, 3]
    assert visual_order([1, 2, 1]) == [2, 1, 0]
    assert visual_order([1, 2, 2, 1]) == [3, 1, 2, 0]
    assert visual_order([]) == []


# -- segmentation ---------------------------------------------------------------------

SAMPLES = [
    "Plain ASCII words, with punctuation; and (brackets) plus e-mail and a/b paths.",
    "日本語のタイトルと直後の説明。「引用」もあります、ね？",
    "한국어 제목 테스트입니다",
    "اللغة العربية جميلة، أليس كذلك؟",
    "नमस्ते दुनिया क्षत्रिय",
    "Emoji 👩‍👩‍👧 👍🏽 🇩🇪🇫🇷 1️⃣ ❤️ done",
    "Zalgo Z͑̈́à́l̃ğo and ｶﾞｷﾞ half-width",
    "Quote « guillemets » and “curly” ones — dash – en",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_clusters_match_uax29(text):
    assert clusters(text) == list(grapheme_clusters(text))


@pytest.mark.parametrize("text", SAMPLES)
def test_break_units_match_uax14(text):
    assert break_units(text) == list(line_break_units(text))


def test_no_break_before_closing_punctuation_after_a_space():
    assert break_units("CSS ）") == ["CSS ）"]
    assert break_units("x . y") == ["x . ", "y"]
    assert break_units("( a") == ["( a"]


# -- emoji and CJK choice ------------------------------------------------------


@pytest.mark.parametrize(
    ("cluster", "emoji"),
    [
        ("🚀", True),
        ("❤️", True),
        ("❤", False),
        ("❤︎", False),
        ("1️⃣", True),
        ("1", False),
        ("🇩🇪", True),
        ("👍🏽", True),
        ("👩‍👩‍👧", True),
        ("✅", True),
        ("→", False),
    ],
)
def test_emoji_clusters(cluster, emoji):
    assert is_emoji_cluster(cluster) is emoji


@pytest.mark.parametrize(
    ("locale", "text", "region"),
    [
        ("ja_JP", "直", "JP"),
        ("zh-TW", "直", "TC"),
        ("zh_Hant", "直", "TC"),
        ("zh-HK", "直", "HK"),
        ("zh_CN", "直", "SC"),
        ("ko", "直", "KR"),
        (None, "日本語のタイトル", "JP"),
        (None, "한국어", "KR"),
        (None, "你好", "SC"),
        ("de_DE", "你好", "SC"),
    ],
)
def test_cjk_region(locale, text, region):
    assert cjk_region(locale, text) == region
