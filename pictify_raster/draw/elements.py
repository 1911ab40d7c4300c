"""Drawing one element of a layout onto the canvas.

Elements are drawn straight onto the canvas where that is exact. An element
with opacity or rotation, or a shape (whose fill must blend with what lies
under it, which ImageDraw does not do on RGBA images), is drawn into its own
transparent tile first and composited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from PIL import Image

from pictify_raster.draw.context import RowContext
from pictify_raster.draw.images import apply_effects
from pictify_raster.draw.limits import oversize_message
from pictify_raster.draw.qr import qr_tile
from pictify_raster.draw.shapes import line_bounds, line_tile, shape_tile
from pictify_raster.errors import (
    ExpressionError,
    ImageFetchError,
    ItemError,
    RenderWarning,
    WarningCode,
)
from pictify_raster.layout import Element, resolve_props
from pictify_raster.text import TextBlock, TextStyle, layout_text

logger = logging.getLogger(__name__)

Box = tuple[int, int, int, int]


@dataclass
class Measured:
    """An element resolved for one row and sized, ready to be placed."""

    element: Element
    props: dict[str, Any]
    width: int
    height: int
    block: TextBlock | None = None


def draw_element(ctx: RowContext, canvas: Image.Image, element: Element) -> None:
    """Draw a top-level element at its own box (lines: at their own points)."""
    measured = measure(ctx, element, in_group=False)
    if measured is None:
        return
    if element.kind == "line":
        rotated = measured.props["rotate"] % 360 != 0
        # Unrotated, only the part of a line on the canvas can show.
        left, top, width, height = line_bounds(measured.props, None if rotated else canvas.size)
        problem = oversize_message(width, height, ctx.max_element_pixels)
        if problem is not None:
            field = f"{element.path}.end"
            message = f"{field}: the line's tile {problem}"
            raise ExpressionError(message, field=field)
        tile = line_tile(measured.props, (left, top, width, height))
        _composite(canvas, tile, (left, top), measured.props)
        return
    x, y = _origin(measured.props["_box"])
    place(ctx, canvas, measured, (x, y, measured.width, measured.height))


def measure(ctx: RowContext, element: Element, *, in_group: bool) -> Measured | None:
    """Resolve an element's values for this row and find its size; None if hidden."""
    measured = _measure(ctx, element, in_group=in_group)
    if measured is not None:
        problem = oversize_message(measured.width, measured.height, ctx.max_element_pixels)
        if problem is not None:
            field = f"{element.path}.{'size' if in_group else 'box'}"
            message = f"{field}: {problem}"
            raise ExpressionError(message, field=field)
    return measured


def _measure(ctx: RowContext, element: Element, *, in_group: bool) -> Measured | None:
    if not element.props["visible"].resolve(ctx.scope):  # type: ignore[union-attr]
        return None
    props = resolve_props(element.props, ctx.scope)
    box = element.box.resolve(ctx.scope) if element.box is not None else None
    props["_box"] = box

    if element.kind == "line":
        return Measured(element, props, 0, 0)
    if element.kind == "group":
        from pictify_raster.draw.groups import measure_group

        return measure_group(ctx, element, props, box, in_group=in_group)
    if element.kind == "text" and box is None:
        return _measure_free_text(ctx, element, props)

    assert box is not None
    width, height = (box[0], box[1]) if in_group else (box[2], box[3])
    return Measured(element, props, max(1, round(width)), max(1, round(height)))


def place(ctx: RowContext, canvas: Image.Image, measured: Measured, box: Box) -> None:
    """Draw a measured element into ``box`` on ``canvas``."""
    props = measured.props
    needs_tile = props["opacity"] < 1 or props["rotate"] % 360 != 0
    kind = measured.element.kind

    if kind == "text" and not needs_tile:
        _text_block(ctx, measured, box).draw(canvas, box)
        return
    if kind == "group" and not needs_tile:
        from pictify_raster.draw.groups import draw_group

        draw_group(ctx, canvas, measured, box)
        return

    tile = _tile(ctx, measured, box)
    if tile is not None:
        _composite(canvas, tile, (box[0], box[1]), props)


def _tile(ctx: RowContext, measured: Measured, box: Box) -> Image.Image | None:
    props, kind = measured.props, measured.element.kind
    size = (box[2], box[3])
    if kind in ("rect", "ellipse"):
        return shape_tile(kind, size, props)
    if kind == "image":
        return _image_tile(ctx, measured.element, props, size)
    if kind == "qr":
        return qr_tile(props, size, measured.element.path)

    tile = Image.new("RGBA", size, (0, 0, 0, 0))
    local = (0, 0, size[0], size[1])
    if kind == "text":
        _text_block(ctx, measured, local).draw(tile, local)
    elif kind == "group":
        from pictify_raster.draw.groups import draw_group

        draw_group(ctx, tile, measured, local)
    return tile


def _composite(
    canvas: Image.Image, tile: Image.Image, at: tuple[int, int], props: dict[str, Any]
) -> None:
    """Blend ``tile`` onto ``canvas`` at ``at``, with the element's opacity and rotation."""
    opacity, rotate = props["opacity"], props["rotate"] % 360
    if opacity < 1:
        alpha = tile.getchannel("A").point(lambda value: round(value * opacity))
        tile.putalpha(alpha)
    x, y = at
    if rotate:
        # Rotate about the element's centre, as CSS transforms do.
        centre = (x + tile.width / 2, y + tile.height / 2)
        tile = tile.rotate(-rotate, resample=Image.Resampling.BICUBIC, expand=True)
        x, y = round(centre[0] - tile.width / 2), round(centre[1] - tile.height / 2)
    paste_clipped(canvas, tile, x, y)


def paste_clipped(canvas: Image.Image, tile: Image.Image, x: int, y: int) -> None:
    """alpha_composite refuses negative offsets; crop what lies off the canvas."""
    left, top = max(0, -x), max(0, -y)
    right = min(tile.width, canvas.width - x)
    bottom = min(tile.height, canvas.height - y)
    if right <= left or bottom <= top:
        return
    if (left, top, right, bottom) != (0, 0, tile.width, tile.height):
        tile = tile.crop((left, top, right, bottom))
    blend(canvas, tile, (x + left, y + top))


def blend(canvas: Image.Image, tile: Image.Image, at: tuple[int, int] = (0, 0)) -> None:
    """Blend an RGBA ``tile`` onto an RGBA or an opaque RGB ``canvas``.

    Over an opaque canvas, pasting through the tile's alpha gives the pixels
    alpha compositing would (within rounding), without an alpha channel.
    """
    if canvas.mode == "RGBA":
        canvas.alpha_composite(tile, at)
    else:
        canvas.paste(tile, at, tile)


# -- text --------------------------------------------------------------


def text_style(ctx: RowContext, props: dict[str, Any]) -> TextStyle:
    font, stroke, shadow = props["font"], props["stroke"], props["shadow"]
    return TextStyle(
        family=font["family"],
        weight=font["weight"],
        style=font["style"],
        size=font["size"],
        min_size=min(font["min_size"], font["size"]),
        color=props["color"],
        line_height=props["line_height"],
        letter_spacing=props["letter_spacing"],
        align=props["align"],
        valign=props["valign"],
        max_lines=props["max_lines"],
        overflow=props["overflow"],
        fallbacks=tuple(props["fallbacks"]) + ctx.font_fallbacks,
        strict_glyphs=props["strict_glyphs"],
        transform=props["transform"],
        decoration=props["decoration"],
        stroke_width=stroke["width"] if stroke else 0,
        stroke_color=stroke["color"] if stroke else None,
        shadow=(shadow["dx"], shadow["dy"], shadow["blur"], shadow["color"]) if shadow else None,
        markup=props["markup"],
        locale=ctx.scope.locale,
    )


def _measure_free_text(ctx: RowContext, element: Element, props: dict[str, Any]) -> Measured:
    """Text in a group without a size: as wide as it is (up to max_width)."""
    max_width = props["max_width"]
    block = _layout(ctx, element.path, props, round(max_width) if max_width else None, None)
    return Measured(element, props, max(1, block.width), max(1, block.height), block)


def _text_block(ctx: RowContext, measured: Measured, box: Box) -> TextBlock:
    if measured.block is not None:
        return measured.block
    return _layout(ctx, measured.element.path, measured.props, box[2], box[3])


def _layout(
    ctx: RowContext, path: str, props: dict[str, Any], width: int | None, height: int | None
) -> TextBlock:
    try:
        block = layout_text(props["content"], text_style(ctx, props), width, height, ctx.fonts)
    except ItemError as error:
        error.locate(path, blame=False)
        raise
    for warning in block.warnings:
        ctx.warn(RenderWarning(warning.code, f"{path}: {warning.message}"))
    ctx.text[path] = {
        "fontSize": block.font_size,
        "lines": block.line_count,
        "truncated": block.truncated,
    }
    return block


# -- images ------------------------------------------------------------


def _image_tile(
    ctx: RowContext, element: Element, props: dict[str, Any], size: tuple[int, int]
) -> Image.Image | None:
    try:
        tile = _load_image(ctx, props["src"], props, size, f"{element.path}.src")
    except ImageFetchError as error:
        fallback = props["fallback"]
        if not fallback:
            raise
        reason = error.message  # led by the layer's path
        if fallback == "hide":
            ctx.warn(RenderWarning(WarningCode.IMAGE_FALLBACK, f"{reason}; the layer was hidden"))
            return None
        tile = _load_image(ctx, fallback, props, size, f"{element.path}.fallback")
        ctx.warn(RenderWarning(WarningCode.IMAGE_FALLBACK, f"{reason}; drew the fallback image"))

    border = props["border"]
    return apply_effects(
        tile,
        grayscale=props["grayscale"],
        blur=props["blur"],
        border=(border["width"], border["color"]) if border else None,
        mask=None if props["mask"] == "none" else props["mask"],
        radius=props["radius"],
    )


def _load_image(
    ctx: RowContext, src: str, props: dict[str, Any], size: tuple[int, int], path: str
) -> Image.Image:
    if not src.strip():
        msg = f"{path}: the image source is empty"
        raise ImageFetchError(msg, field=path)
    try:
        return ctx.images.load_fitted(
            src,
            size,
            fit=props["fit"],
            position=props["position"],
            mask=None if props["mask"] == "none" else props["mask"],
            radius=props["radius"],
            base_dir=ctx.base_dir,
        )
    except ImageFetchError as error:
        # The fetch knows the source, not the layer: say which layer it was.
        error.locate(path)
        raise


def _origin(box: tuple[float, ...]) -> tuple[int, int]:
    return round(box[0]), round(box[1])
