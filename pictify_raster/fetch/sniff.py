"""Which format a body is, from its first bytes (never from headers or names)."""

from __future__ import annotations

# Pillow format names of the raster formats decoded; any other is refused
# rather than handed to one of Pillow's rarely used, less hardened decoders.
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "PNG"),
    (b"\xff\xd8\xff", 0, "JPEG"),
    (b"GIF87a", 0, "GIF"),
    (b"GIF89a", 0, "GIF"),
    (b"BM", 0, "BMP"),
    (b"II*\x00", 0, "TIFF"),
    (b"MM\x00*", 0, "TIFF"),
    (b"\x00\x00\x01\x00", 0, "ICO"),
)
_AVIF_BRANDS = (b"avif", b"avis")
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1")
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title", b"<script")


def sniff(data: bytes) -> str:
    """The format of ``data``: a Pillow format name, or "SVG", "HTML", "HEIF",
    "TEXT" or "UNKNOWN" for what is not decoded."""
    for magic, offset, name in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in _AVIF_BRANDS:
            return "AVIF"
        if brand in _HEIF_BRANDS:
            return "HEIF"
    return _sniff_text(data)


def _sniff_text(data: bytes) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head.startswith(b"<"):
        return "TEXT" if _looks_textual(head) else "UNKNOWN"
    if b"<svg" in head:
        return "SVG"
    if any(marker in head for marker in _HTML_MARKERS):
        return "HTML"
    return "TEXT"


def _looks_textual(head: bytes) -> bool:
    if not head:
        return False
    printable = sum(1 for byte in head[:512] if byte >= 32 or byte in (9, 10, 13))
    return printable / min(len(head), 512) > 0.95
