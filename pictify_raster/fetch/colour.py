"""Any Pillow mode → RGB or RGBA, colour-managed where the file says how.

- CMYK with an embedded ICC profile goes through littleCMS to sRGB (C13);
  without one, Pillow's plain conversion is the documented default. Adobe's
  inverted CMYK is already undone by Pillow's JPEG decoder.
- RGB with an embedded non-sRGB profile (Adobe RGB, Display P3) is converted
  to sRGB too; images with alpha keep their values (littleCMS would drop it).
- Palette and grey images keep their transparency as RGBA.
- 16-bit and 32-bit integer and float greys are scaled to 8 bits by their
  range, not clipped (clipping turns most 16-bit images white).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

from PIL import Image, ImageCms

from pictify_raster.fetch.failures import fail

logger = logging.getLogger(__name__)

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_LAB = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))
_SIXTEEN_BIT = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I;16S"})


def to_rgb_or_rgba(image: Image.Image, where: str) -> Image.Image:
    """``image`` as RGB (opaque) or RGBA (with transparency)."""
    mode = image.mode
    if mode == "RGB" and "transparency" in image.info:
        return image.convert("RGBA")  # a PNG colour key (tRNS) is transparency
    if mode in ("RGB", "RGBA"):
        return _from_profile(image) if mode == "RGB" else image
    if mode == "LAB":
        return _from_lab(image, where)
    if mode == "CMYK":
        return _from_profile(image)
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in image.info or _palette_has_alpha(image)
        return image.convert("RGBA" if has_alpha else "RGB")
    if mode in ("1", "L"):
        if "transparency" in image.info:
            return image.convert("RGBA")
        return image.convert("RGB")
    if mode in ("LA", "La", "RGBa"):
        return image.convert("RGBA")
    if mode in _SIXTEEN_BIT or mode in ("I", "F"):
        return _scale_to_8bit(image).convert("RGB")
    try:
        return image.convert("RGB")
    except (ValueError, OSError) as exc:
        fail(f"unsupported image mode {mode}: {exc}", where)


def _from_lab(image: Image.Image, where: str) -> Image.Image:
    """CIE L*a*b* (TIFF) to sRGB: Pillow's convert() does not know this one."""
    try:
        transform = ImageCms.buildTransform(_LAB, _SRGB, "LAB", "RGB")
        converted = ImageCms.applyTransform(image, transform)
    except (ImageCms.PyCMSError, OSError, ValueError) as exc:
        fail(f"unsupported image mode LAB: {exc}", where)
    if converted is None:
        fail("unsupported image mode LAB", where)
    return converted


def _palette_has_alpha(image: Image.Image) -> bool:
    palette = image.palette
    return palette is not None and palette.mode == "RGBA"


def _from_profile(image: Image.Image) -> Image.Image:
    """Convert through the embedded ICC profile to sRGB, else plainly."""
    icc = image.info.get("icc_profile")
    if icc and not (image.mode == "RGB" and _is_srgb(icc)):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                image,
                source,
                _SRGB,
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                outputMode="RGB",
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError) as exc:
            # A broken profile should not lose the image: fall back.
            logger.debug("ICC conversion failed, plain conversion used: %s", exc)
    return image if image.mode == "RGB" else image.convert("RGB")


def _is_srgb(icc: bytes) -> bool:
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        description = ImageCms.getProfileDescription(profile)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return True  # unreadable: leave the pixels as they are
    return "srgb" in description.lower()


def _scale_to_8bit(image: Image.Image) -> Image.Image:
    """Map a high-bit-depth grey image's value range onto 0-255."""
    if image.mode in _SIXTEEN_BIT:
        # The full 16-bit range, whatever values this image happens to use.
        low, high = 0.0, 65535.0
        image = image.convert("I")
    else:
        low, high = _range_of(image)
    if image.mode == "I" and high <= 255 and low >= 0:
        low, high = 0.0, 255.0
    scale = 255.0 / (high - low) if high > low else 1.0
    floats = image if image.mode == "F" else image.convert("F")
    # F → L conversion truncates, so +0.5 rounds to the nearest level.
    mapping: Callable[[float], float] = lambda value: (value - low) * scale + 0.5  # noqa: E731
    return floats.point(mapping).convert("L")


def _range_of(image: Image.Image) -> tuple[float, float]:
    low, high = image.getextrema()
    low_f, high_f = float(low), float(high)  # type: ignore[arg-type]
    if image.mode == "F" and low_f >= 0.0 and high_f <= 1.0:
        return 0.0, 1.0  # normalised floats
    return low_f, high_f
