"""Random text through layout and drawing: nothing crashes, nothing leaves the box."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from pictify_raster.errors import TextOverflowError
from pictify_raster.text import TextStyle, default_registry, layout_text

PIECES = [
    "word",
    "Wide",
    "ii",
    " ",
    "  ",
    "\n",
    "\t",
    "-",
    "/",
    "…",
    "(",
    ")",
    "«",
    "»",
    "1,299.90",
    "שלום",
    "مرحبا",
    "العربية",
    "नमस्ते",
    "สวัสดี",
    "日本語",
    "한국어",
    "你好，",
    "🚀",
    "👩‍👩‍👧",
    "🇩🇪",
    "1️⃣",
    "❤️",
    "Z͑̈́",
    "ǅ",
    "\u200d",
    "\u200b",
    "\ufe0f",
    "\U0010fffd",
    "**",
    "*",
    "[color=#f00]",
    "[/color]",
    "\\",
    "\u00ad",
    "ß",
    "ﬁ",
]

texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
styles = st.builds(
    TextStyle,
    size=st.sampled_from([9.0, 17.0, 32.0, 61.0]),
    align=st.sampled_from(["left", "center", "right", "justify", "start", "end"]),
    valign=st.sampled_from(["top", "middle", "bottom"]),
    max_lines=st.sampled_from([None, 1, 2, 4]),
    overflow=st.sampled_from(["ellipsis", "shrink", "clip", "error"]),
    letter_spacing=st.sampled_from([0.0, 3.0]),
    markup=st.booleans(),
    transform=st.sampled_from([None, "uppercase", "capitalize"]),
    decoration=st.sampled_from([None, "underline", "line-through"]),
    min_size=st.just(8.0),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=texts,
    style=styles,
    width=st.sampled_from([40, 150, 400]),
    height=st.sampled_from([None, 30, 120]),
)
def test_random_text_lays_out_and_stays_in_the_box(text, style, width, height):
    registry = default_registry()
    try:
        block = layout_text(text, style, width, height, registry)
    except TextOverflowError as error:
        assert style.overflow == "error" and " line" in error.message
        return
    assert block.line_count >= 1 or not text.strip()
    assert all(w.code in ("MISSING_GLYPHS",) for w in block.warnings)
    canvas = Image.new("RGBA", (width + 200, 400), (0, 0, 0, 0))
    box = (100, 100, width, height or block.height)
    block.draw(canvas, box)
    ink = canvas.getchannel("A").getbbox()
    if ink is not None:
        assert ink[0] >= 100 and ink[2] <= 100 + width
        if style.overflow == "clip":
            assert ink[1] >= 100 and ink[3] <= 100 + box[3]
