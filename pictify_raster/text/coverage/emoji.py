"""Telling emoji clusters apart, so they go to a colour emoji font.

A cluster is drawn as emoji when it asks for emoji presentation: it contains
U+FE0F, a ZWJ between pictographs, a skin-tone modifier, a keycap, a
regional-indicator pair, or starts with a character whose default
presentation is emoji. U+FE0E (text presentation) keeps it out.
"""

from __future__ import annotations

from functools import lru_cache

VS15_TEXT = "\ufe0e"
VS16_EMOJI = "\ufe0f"
ZWJ = "\u200d"
KEYCAP = "\u20e3"

# BMP characters whose default presentation is emoji (Unicode emoji-data,
# Emoji_Presentation=Yes below U+1F000), as inclusive ranges.
# fmt: off
_BMP_EMOJI_PRESENTATION = (
    (0x231A, 0x231B), (0x23E9, 0x23EC), (0x23F0, 0x23F0), (0x23F3, 0x23F3),
    (0x25FD, 0x25FE), (0x2614, 0x2615), (0x2648, 0x2653), (0x267F, 0x267F),
    (0x2693, 0x2693), (0x26A1, 0x26A1), (0x26AA, 0x26AB), (0x26BD, 0x26BE),
    (0x26C4, 0x26C5), (0x26CE, 0x26CE), (0x26D4, 0x26D4), (0x26EA, 0x26EA),
    (0x26F2, 0x26F3), (0x26F5, 0x26F5), (0x26FA, 0x26FA), (0x26FD, 0x26FD),
    (0x2705, 0x2705), (0x270A, 0x270B), (0x2728, 0x2728), (0x274C, 0x274C),
    (0x274E, 0x274E), (0x2753, 0x2755), (0x2757, 0x2757), (0x2795, 0x2797),
    (0x27B0, 0x27B0), (0x27BF, 0x27BF), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50),
    (0x2B55, 0x2B55),
)
# fmt: on
# Supplementary-plane blocks that are emoji by default (pictographs,
# emoticons, transport, supplemental symbols, flags' regional indicators).
# fmt: off
_SMP_EMOJI_RANGES = (
    (0x1F004, 0x1F004), (0x1F0CF, 0x1F0CF), (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A),
    (0x1F1E6, 0x1F1FF), (0x1F201, 0x1F201), (0x1F21A, 0x1F21A), (0x1F22F, 0x1F22F),
    (0x1F232, 0x1F236), (0x1F238, 0x1F23A), (0x1F250, 0x1F251), (0x1F300, 0x1F320),
    (0x1F32D, 0x1F335), (0x1F337, 0x1F37C), (0x1F37E, 0x1F393), (0x1F3A0, 0x1F3CA),
    (0x1F3CF, 0x1F3D3), (0x1F3E0, 0x1F3F0), (0x1F3F4, 0x1F3F4), (0x1F3F8, 0x1F43E),
    (0x1F440, 0x1F440), (0x1F442, 0x1F4FC), (0x1F4FF, 0x1F53D), (0x1F54B, 0x1F54E),
    (0x1F550, 0x1F567), (0x1F57A, 0x1F57A), (0x1F595, 0x1F596), (0x1F5A4, 0x1F5A4),
    (0x1F5FB, 0x1F64F), (0x1F680, 0x1F6C5), (0x1F6CC, 0x1F6CC), (0x1F6D0, 0x1F6D2),
    (0x1F6D5, 0x1F6D7), (0x1F6DC, 0x1F6DF), (0x1F6EB, 0x1F6EC), (0x1F6F4, 0x1F6FC),
    (0x1F7E0, 0x1F7EB), (0x1F7F0, 0x1F7F0), (0x1F90C, 0x1F93A), (0x1F93C, 0x1F945),
    (0x1F947, 0x1F9FF), (0x1FA70, 0x1FAFF),
)
# fmt: on


def _in(ranges: tuple[tuple[int, int], ...], cp: int) -> bool:
    return any(low <= cp <= high for low, high in ranges)


def default_emoji(cp: int) -> bool:
    """Whether the character shows as emoji without a variation selector."""
    if cp < 0x231A:
        return False
    if cp < 0x10000:
        return _in(_BMP_EMOJI_PRESENTATION, cp)
    return _in(_SMP_EMOJI_RANGES, cp)


@lru_cache(maxsize=4096)
def is_emoji_cluster(cluster: str) -> bool:
    """Whether a grapheme cluster should be drawn from a colour emoji font."""
    if not cluster or VS15_TEXT in cluster:
        return False
    if VS16_EMOJI in cluster or KEYCAP in cluster:
        return True
    first = ord(cluster[0])
    if default_emoji(first):
        return True
    # A ZWJ sequence or a skin-tone modifier after a pictograph.
    has_modifier = any(0x1F3FB <= ord(ch) <= 0x1F3FF for ch in cluster)
    return (ZWJ in cluster or has_modifier) and first >= 0x2000 and len(cluster) > 1


def may_contain_emoji(text: str) -> bool:
    """A fast pre-check: False when no character could start an emoji cluster."""
    return any(ord(ch) >= 0x2000 for ch in text)
