"""Bidirectional levels of a paragraph (a compact Unicode Bidi Algorithm).

Needed because a line drawn from several fonts is shaped run by run: raqm
orders the characters inside one run, but the runs themselves must be put in
visual order here. Implements paragraph level (P2-P3), weak types (W1-W7),
neutrals (N1-N2), implicit levels (I1-I2), trailing whitespace (L1) and
reordering (L2). Explicit embedding and isolate controls are treated as
neutral boundaries rather than nested; they are rare in data rows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_STRONG_RTL = {"R", "AL"}
_NUMBERS = {"EN", "AN"}
_NEUTRALS = {
    "B",
    "S",
    "WS",
    "ON",
    "BN",
    "LRE",
    "LRO",
    "RLE",
    "RLO",
    "PDF",
    "LRI",
    "RLI",
    "FSI",
    "PDI",
}


@lru_cache(maxsize=8192)
def _type(ch: str) -> str:
    return unicodedata.bidirectional(ch) or "L"


def needs_bidi(text: str) -> bool:
    """Whether any character is right-to-left (else every level is 0)."""
    return any(_type(ch) in _STRONG_RTL or _type(ch) == "AN" for ch in text if ord(ch) >= 0x590)


def paragraph_level(text: str) -> int:
    """0 for left-to-right, 1 for right-to-left: the first strong character decides."""
    for ch in text:
        kind = _type(ch)
        if kind == "L":
            return 0
        if kind in _STRONG_RTL:
            return 1
    return 0


def levels(text: str, base: int | None = None) -> list[int]:
    """The embedding level of each character of one paragraph."""
    if base is None:
        base = paragraph_level(text)
    if not needs_bidi(text) and base == 0:
        return [0] * len(text)
    types = _resolve_weak([_type(ch) for ch in text], base)
    _resolve_neutrals(types, base)
    result = []
    for kind in types:
        if base % 2 == 0:
            result.append(base + (1 if kind == "R" else 2 if kind in _NUMBERS else 0))
        else:
            result.append(base + (1 if kind in ("L", "EN", "AN") else 0))
    _reset_trailing_whitespace(text, result, base)
    return result


def _resolve_weak(types: list[str], base: int) -> list[str]:
    sos = "R" if base % 2 else "L"
    # W1: marks take the type of what they follow.
    prev = sos
    for i, kind in enumerate(types):
        if kind == "NSM":
            types[i] = prev if prev not in _NEUTRALS - {"ON"} else "ON"
        prev = types[i]
    # W2/W3: European digits after Arabic letters are Arabic numbers; AL is R.
    last_strong = sos
    for i, kind in enumerate(types):
        if kind == "EN" and last_strong == "AL":
            types[i] = "AN"
        if kind in ("L", "R", "AL"):
            last_strong = kind
    types[:] = ["R" if k == "AL" else k for k in types]
    # W4: one separator between two numbers of the same kind joins them.
    for i in range(1, len(types) - 1):
        kind, before, after = types[i], types[i - 1], types[i + 1]
        if kind == "ES" and before == after == "EN":
            types[i] = "EN"
        elif kind == "CS" and before == after and before in _NUMBERS:
            types[i] = before
    # W5: terminators (%, currency) next to European digits become digits.
    _spread_terminators(types)
    # W6: remaining separators and terminators are neutral.
    types[:] = ["ON" if k in ("ES", "ET", "CS") else k for k in types]
    # W7: European digits in a left-to-right context count as L.
    last_strong = sos
    for i, kind in enumerate(types):
        if kind in ("L", "R"):
            last_strong = kind
        elif kind == "EN" and last_strong == "L":
            types[i] = "L"
    return types


def _spread_terminators(types: list[str]) -> None:
    n = len(types)
    i = 0
    while i < n:
        if types[i] != "ET":
            i += 1
            continue
        j = i
        while j < n and types[j] == "ET":
            j += 1
        touches_digit = (i > 0 and types[i - 1] == "EN") or (j < n and types[j] == "EN")
        if touches_digit:
            types[i:j] = ["EN"] * (j - i)
        i = j


def _resolve_neutrals(types: list[str], base: int) -> None:
    embedding = "R" if base % 2 else "L"
    n = len(types)
    i = 0
    while i < n:
        if types[i] not in _NEUTRALS and types[i] != "ON":
            i += 1
            continue
        j = i
        while j < n and (types[j] in _NEUTRALS or types[j] == "ON"):
            j += 1
        before = _strong_of(types[i - 1]) if i > 0 else embedding
        after = _strong_of(types[j]) if j < n else embedding
        # N1: neutrals between the same direction take it; N2: else the paragraph's.
        resolved = before if before == after else embedding
        types[i:j] = [resolved] * (j - i)
        i = j


def _strong_of(kind: str) -> str:
    return "R" if kind in ("R", "EN", "AN") else "L"


def _reset_trailing_whitespace(text: str, result: list[int], base: int) -> None:
    # L1: whitespace at the end of the paragraph goes back to the base level.
    i = len(text) - 1
    while i >= 0 and _type(text[i]) in ("WS", "B", "S", "BN"):
        result[i] = base
        i -= 1


def visual_order(run_levels: Sequence[int]) -> list[int]:
    """L2: indices of runs in display order, given each run's level."""
    order = list(range(len(run_levels)))
    if not run_levels:
        return order
    highest = max(run_levels)
    lowest_odd = min((lv for lv in run_levels if lv % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if run_levels[order[i]] >= level:
                j = i
                while j < len(order) and run_levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order
