"""Image layers: fitting a picture into its box, masks and effects.

Every function returns a new RGBA image and leaves its input untouched, so
images shared through the loader's caches are never modified in place.

Resizing works on premultiplied alpha ("RGBa"): averaging a transparent
black pixel with an opaque white one must give half-transparent white, not
grey, or every cut-out gets a dark fringe. Large reductions use Pillow's
``reducing_gap``: a fast integer ``reduce`` first, then LANCZOS on the rest,
which is several times faster than LANCZOS alone and looks the same.
"""

from __future__ import annotations

import math
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter

Size = tuple[int, int]
Position = tuple[float, float]
Color = tuple[int, int, int] | tuple[int, int, int, int]

FITS = ("cover", "contain", "fill", "none")
MASKS = ("circle", "rounded")
_SUPERSAMPLE = 4
_CACHED_MASK_PIXELS = 1_000_000
_REDUCING_GAP = 3.0

_KEYWORDS: dict[str, tuple[str, float]] = {
    "left": ("x", 0.0),
    "right": ("x", 1.0),
    "top": ("y", 0.0),
    "bottom": ("y", 1.0),
    "center": ("", 0.5),
    "centre": ("", 0.5),
    "middle": ("", 0.5),
}


def parse_position(position: str | Position | list[float] | None) -> Position:
    """A position as fractions (x, y), 0.5 = centred.

    Accepts (x, y) numbers in 0-1, keywords ("top", "bottom left",
    "center right") or percentages ("30% 70%"). For ``cover`` it is the
    focal point of the image, kept as central as the crop allows; for
    ``contain`` and ``none`` it aligns the image in the box. Keywords mean
    the same either way ("top" keeps the top edge).
    """
    if position is None:
        return (0.5, 0.5)
    if isinstance(position, str):
        return _parse_position_text(position)
    values = tuple(position)
    if len(values) != 2:
        msg = f"position must be two numbers, got {position!r}"
        raise ValueError(msg)
    x, y = (float(value) for value in values)
    if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
        msg = f"position numbers must lie between 0 and 1, got {position!r}"
        raise ValueError(msg)
    return (x, y)


def _parse_position_text(text: str) -> Position:
    words = text.replace(",", " ").lower().split()
    if not 1 <= len(words) <= 2:
        msg = f"unknown position {text!r}: use keywords like 'top left' or '30% 70%'"
        raise ValueError(msg)
    if all(word.endswith("%") for word in words):
        numbers = [_percent(word, text) for word in words]
        return (numbers[0], numbers[-1])
    x = y = 0.5
    for word in words:
        if word not in _KEYWORDS:
            msg = f"unknown position keyword {word!r} in {text!r}"
            raise ValueError(msg)
        axis, value = _KEYWORDS[word]
        if axis == "x":
            x = value
        elif axis == "y":
            y = value
    return (x, y)


def _percent(word: str, text: str) -> float:
    try:
        value = float(word[:-1]) / 100.0
    except ValueError:
        msg = f"bad percentage {word!r} in position {text!r}"
        raise ValueError(msg) from None
    return min(max(value, 0.0), 1.0)


def fit_image(
    image: Image.Image,
    size: Size,
    fit: str = "cover",
    position: str | Position | None = (0.5, 0.5),
) -> Image.Image:
    """``image`` fitted into ``size``, as RGBA of exactly that size.

    - cover: scaled to fill the box, cropped around the focal point ``position``;
    - contain: scaled to fit inside, placed at ``position``, margins transparent;
    - fill: stretched to the box;
    - none: not scaled, placed at ``position`` (cropped if larger).
    """
    width, height = _check_size(size)
    focal = parse_position(position)
    if fit == "fill":
        return _resize(image, (width, height))
    if fit == "cover":
        return _cover(image, (width, height), focal)
    if fit == "contain":
        return _contain(image, (width, height), focal)
    if fit == "none":
        return _place(_as_rgba(image), (width, height), focal)
    msg = f"unknown fit {fit!r}: use one of {', '.join(FITS)}"
    raise ValueError(msg)


def source_size_needed(image_size: Size, size: Size, fit: str) -> Size | None:
    """How many source pixels a fit really uses, for JPEG draft decoding.

    None when the whole image is needed (``none``) or the box is not much
    smaller than the image.
    """
    image_w, image_h = image_size
    box_w, box_h = size
    if fit == "fill":
        needed = (box_w, box_h)
    elif fit in ("cover", "contain"):
        pick = max if fit == "cover" else min
        scale = pick(box_w / image_w, box_h / image_h)
        needed = (math.ceil(image_w * scale), math.ceil(image_h * scale))
    else:
        return None
    if needed[0] * 2 > image_w or needed[1] * 2 > image_h:
        return None  # JPEG can only halve; no saving possible
    return needed


def _check_size(size: Size) -> Size:
    width, height = int(size[0]), int(size[1])
    if width <= 0 or height <= 0:
        msg = f"image box must be at least 1×1 pixels, got {width}×{height}"
        raise ValueError(msg)
    return width, height


def _cover(image: Image.Image, size: Size, focal: Position) -> Image.Image:
    width, height = size
    scale = max(width / image.width, height / image.height)
    # The part of the source that is shown, in source pixels: resizing just
    # that box in one step is exact to the sub-pixel and never scales
    # pixels that are then cropped away.
    crop_w, crop_h = width / scale, height / scale
    left = _centred_on(focal[0] * image.width, crop_w, image.width)
    top = _centred_on(focal[1] * image.height, crop_h, image.height)
    return _resize(image, size, box=(left, top, left + crop_w, top + crop_h))


def _centred_on(point: float, window: float, total: float) -> float:
    """Start of a ``window`` centred on ``point``, kept inside 0..``total``."""
    return max(min(point - window / 2, total - window), 0.0)


def _contain(image: Image.Image, size: Size, focal: Position) -> Image.Image:
    width, height = size
    scale = min(width / image.width, height / image.height)
    scaled = (
        max(1, min(width, round(image.width * scale))),
        max(1, min(height, round(image.height * scale))),
    )
    return _place(_resize(image, scaled), size, focal)


def _place(image: Image.Image, size: Size, focal: Position) -> Image.Image:
    """``image`` on a transparent canvas of ``size``, aligned at ``focal``."""
    if image.size == size:
        return image
    canvas = Image.new("RGBA", size, (0, 0, 0, 0))
    x = round((size[0] - image.width) * focal[0])
    y = round((size[1] - image.height) * focal[1])
    canvas.paste(image, (x, y))
    return canvas


def _resize(
    image: Image.Image,
    size: Size,
    box: tuple[float, float, float, float] | None = None,
) -> Image.Image:
    """High-quality resize to RGBA, premultiplied when there is alpha."""
    if box is None and image.size == size:
        return _as_rgba(image)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")  # keeps a palette's or grey's transparency
    source = image.convert("RGBa") if image.mode == "RGBA" else image
    resized = source.resize(
        size, _filter_for(image, size, box), box=box, reducing_gap=_REDUCING_GAP
    )
    return resized.convert("RGBA")


def _filter_for(
    image: Image.Image, size: Size, box: tuple[float, float, float, float] | None
) -> Image.Resampling:
    """LANCZOS to reduce (sharpest); BICUBIC to enlarge, where LANCZOS rings
    visibly around hard edges such as an icon's cut-out."""
    source_w = box[2] - box[0] if box is not None else image.width
    source_h = box[3] - box[1] if box is not None else image.height
    if size[0] > source_w or size[1] > source_h:
        return Image.Resampling.BICUBIC
    return Image.Resampling.LANCZOS


def _as_rgba(image: Image.Image) -> Image.Image:
    return image.copy() if image.mode == "RGBA" else image.convert("RGBA")


def apply_mask(image: Image.Image, mask: str | None, radius: float = 0) -> Image.Image:
    """``image`` with its corners cut away, as RGBA; the edge is anti-aliased.

    ``circle`` is the largest circle centred in the image (an avatar in a
    non-square box stays round); ``rounded`` rounds the corners by
    ``radius`` pixels, at most half the shorter side.
    """
    result = _as_rgba(image)
    if mask is None or mask == "none":
        return result
    shape = shape_mask(result.size, mask, radius)
    result.putalpha(ImageChops.multiply(result.getchannel("A"), shape))
    return result


def shape_mask(size: Size, mask: str, radius: float = 0, inset: float = 0) -> Image.Image:
    """An "L" coverage mask of a circle or rounded rectangle, supersampled.

    ``inset`` shrinks the shape on every side (for the inner edge of a
    border). Masks up to a megapixel are cached (the same avatar box is
    masked thousands of times); larger ones are made each time and
    supersampled twice, not four times, so a shape the size of a poster costs
    tens of megabytes, not hundreds. The returned image may be shared;
    callers must not modify it.
    """
    if size[0] * size[1] <= _CACHED_MASK_PIXELS:
        return _cached_mask(size, mask, radius, inset)
    return _draw_mask(size, mask, radius, inset, factor=2)


@lru_cache(maxsize=64)
def _cached_mask(size: Size, mask: str, radius: float, inset: float) -> Image.Image:
    return _draw_mask(size, mask, radius, inset, factor=_SUPERSAMPLE)


def _draw_mask(size: Size, mask: str, radius: float, inset: float, *, factor: int) -> Image.Image:
    if mask not in (*MASKS, "ellipse"):
        msg = f"unknown mask {mask!r}: use one of {', '.join(MASKS)}"
        raise ValueError(msg)
    width, height = size
    big = Image.new("L", (width * factor, height * factor), 0)
    draw = ImageDraw.Draw(big)
    if mask == "ellipse":
        # The ellipse shape fills its whole box, unlike an avatar's circle.
        if width - 2 * inset > 0 and height - 2 * inset > 0:
            bounds = (inset, inset, width - inset, height - inset)
            draw.ellipse(_scaled(bounds, factor), fill=255)
    elif mask == "circle":
        diameter = min(width, height) - 2 * inset
        if diameter > 0:
            left = (width - diameter) / 2
            top = (height - diameter) / 2
            bounds = (left, top, left + diameter, top + diameter)
            draw.ellipse(_scaled(bounds, factor), fill=255)
    else:
        inner_w, inner_h = width - 2 * inset, height - 2 * inset
        if inner_w > 0 and inner_h > 0:
            corner = max(0.0, min(radius - inset, inner_w / 2, inner_h / 2))
            bounds = (inset, inset, width - inset, height - inset)
            draw.rounded_rectangle(_scaled(bounds, factor), radius=round(corner * factor), fill=255)
    return big.resize(size, Image.Resampling.BOX)


def _scaled(bounds: tuple[float, float, float, float], factor: int) -> list[float]:
    # ImageDraw includes the end pixel, so the far edges are pulled in by one
    # supersampled pixel to keep the shape exactly ``bounds`` wide.
    left, top, right, bottom = (value * factor for value in bounds)
    return [left, top, right - 1, bottom - 1]


def apply_effects(
    image: Image.Image,
    *,
    opacity: float = 1.0,
    grayscale: bool = False,
    blur: float = 0.0,
    border: tuple[float, Color] | None = None,
    mask: str | None = None,
    radius: float = 0,
) -> Image.Image:
    """Grayscale, blur, a border inside the edge, then opacity; returns RGBA.

    ``mask``/``radius`` are those given to :func:`apply_mask`, so the border
    follows the circle or the rounded corners instead of the square box.
    """
    result = _as_rgba(image)
    if grayscale:
        result = _grayscale(result)
    if blur > 0:
        result = _blur(result, blur)
    if border is not None and border[0] > 0:
        result = _border(result, border[0], border[1], mask, radius)
    if opacity < 1.0:
        result = _fade(result, opacity)
    return result


def _grayscale(image: Image.Image) -> Image.Image:
    grey = image.convert("L")
    return Image.merge("RGBA", (grey, grey, grey, image.getchannel("A")))


def _blur(image: Image.Image, radius: float) -> Image.Image:
    # Blurring premultiplied pixels keeps transparent colour out of the edge.
    return image.convert("RGBa").filter(ImageFilter.GaussianBlur(radius)).convert("RGBA")


def _border(
    image: Image.Image, width: float, color: Color, mask: str | None, radius: float
) -> Image.Image:
    shape = mask if mask in MASKS else "rounded"
    shape_radius = radius if shape == "rounded" else 0
    outer = shape_mask(image.size, shape, shape_radius)
    inner = shape_mask(image.size, shape, shape_radius, inset=width)
    ring = ImageChops.subtract(outer, inner)
    rgba = (*color[:3], color[3] if len(color) == 4 else 255)
    if rgba[3] < 255:
        ring = ring.point(lambda value: value * rgba[3] // 255)
    layer = Image.new("RGBA", image.size, (*rgba[:3], 0))
    layer.putalpha(ring)
    return Image.alpha_composite(image, layer)


def _fade(image: Image.Image, opacity: float) -> Image.Image:
    level = min(max(opacity, 0.0), 1.0)
    alpha = image.getchannel("A").point(lambda value: round(value * level))
    result = image.copy()
    result.putalpha(alpha)
    return result
