"""The fast grapheme splitter agrees with uniseg (UAX #29) on any text, and
stays fast on long non-ASCII values."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st
from uniseg.graphemecluster import grapheme_clusters

from pictify_raster.expr import evaluate, graphemes

TRICKY = [
    "a", " ", "\r", "\n", "\t", "\u0301", "\u0308", "\u200d", "\u200c", "👨", "👩", "🏽", "🇩",
    "🇪", "🇫", "\u1100", "\u1161", "\u11a8", "각", "가", "\u0600", "1", "\u0e33", "ก", "न",
    "\u094d", "स", "\ufe0f", "❤", "\U000e0067", "\U0001f3f4", "\uff9e", "ｶ", "\u0d4e", "é",
]  # fmt: skip

texts = st.one_of(
    st.lists(st.sampled_from(TRICKY), max_size=16).map("".join),
    st.text(max_size=24),
)


@settings(max_examples=600, deadline=None)
@given(texts, st.integers(min_value=0, max_value=10))
def test_split_head_last_agree_with_uniseg(text: str, number: int) -> None:
    expected = list(grapheme_clusters(text))
    assert graphemes.split(text) == expected
    assert graphemes.count(text) == len(expected)
    assert graphemes.head(text, number) == ("".join(expected[:number]), len(expected) > number)
    if text:
        assert graphemes.last(text) == expected[-1]


def test_long_non_ascii_values_stay_fast() -> None:
    text = "Zürich 中文 👍🏽 " * 20_000  # 280 000 characters
    start = time.perf_counter()
    assert evaluate("t | length", {"t": text}) == 12 * 20_000
    assert evaluate("t | truncate(8)", {"t": text}) == "Zürich…"
    assert evaluate("t | last", {"t": text}) == " "
    assert time.perf_counter() - start < 3
