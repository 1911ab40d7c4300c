"""Rendering a layout for one row: the Renderer a batch worker holds.

A Renderer is built once per layout and per process. It checks what can be
checked without a row (fonts, for one), and splits the layers in three: the
leading layers that never change are drawn once into a base image, the
trailing ones into an overlay, and only the layers in between are drawn for
each row.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from pictify_raster.draw.context import RowContext
from pictify_raster.draw.elements import blend, draw_element
from pictify_raster.draw.encode import encode_image
from pictify_raster.draw.limits import max_element_pixels, oversize_message
from pictify_raster.draw.paint import paint_image
from pictify_raster.draw.qr import check_static_qr
from pictify_raster.errors import ItemError, RenderWarning
from pictify_raster.expr import to_text
from pictify_raster.fetch import FetchSettings, ImageLoader
from pictify_raster.layout import (
    RGBA,
    Element,
    Layout,
    LinearGradient,
    Scope,
    Value,
    locate_error,
    prepare_row,
)
from pictify_raster.text import FontRegistry, default_registry

logger = logging.getLogger(__name__)


@dataclass
class RenderResult:
    """One rendered row: the image, what was substituted, and how text was fitted."""

    image: Image.Image
    warnings: list[RenderWarning] = field(default_factory=list)
    filename: str | None = None
    text: dict[str, dict[str, Any]] = field(default_factory=dict)


class Renderer:
    """Draws rows of one layout; keep one per process and reuse it."""

    def __init__(
        self,
        layout: Layout,
        *,
        fetch_settings: FetchSettings | None = None,
        fonts: FontRegistry | None = None,
        images: ImageLoader | None = None,
    ) -> None:
        self.layout = layout
        base_fonts = fonts or default_registry()
        self.fonts = base_fonts.with_files(layout.fonts) if layout.fonts else base_fonts
        self.images = images or ImageLoader(fetch_settings or FetchSettings())
        self._check_fonts()
        check_static_qr(layout)
        self._max_element_pixels = max_element_pixels(layout.size)
        self._check_static_sizes()
        self._below, self._rows, self._above = _split_static(layout.layers)
        self._base: Image.Image | None = None
        self._overlay: Image.Image | None = None
        # Everything is composited over the background, so an opaque background
        # makes every canvas opaque; the encoder then need not look.
        self._opaque = _is_opaque(layout.background)

    @property
    def background(self) -> RGBA | None:
        """The layout's solid background colour, if it has one (for JPEG)."""
        paint = self.layout.background.constant if self.layout.background.is_static else None
        return paint if isinstance(paint, tuple) else None

    def render(self, row: Mapping[str, Any]) -> RenderResult:
        """Draw the layout for ``row``; raises ItemError for a fault of the row."""
        variables = prepare_row(self.layout, row)
        ctx = self._context(variables)

        canvas = self._canvas(ctx)
        for element in self._rows:
            draw_element(ctx, canvas, element)
        if self._above:
            blend(canvas, self._static_overlay(ctx))
        return RenderResult(
            image=canvas,
            warnings=ctx.warnings,
            filename=self._filename(ctx),
            text=ctx.text,
        )

    def encode(self, image: Image.Image, format: str = "png", quality: int = 90) -> bytes:
        return encode_image(image, format, quality, self.background, opaque=self._opaque)

    # -- the parts that do not change --------------------------------

    def _canvas(self, ctx: RowContext) -> Image.Image:
        if self.layout.background.is_static:
            if self._base is None:
                base = self._draw_static(ctx, self.layout.background.constant, self._below)
                # An opaque card is drawn in RGB: a quarter less memory to copy
                # per row, and JPEG and PNG encode it without a conversion.
                self._base = base.convert("RGB") if self._opaque else base
            return self._base.copy()

        background = self.layout.background.resolve(ctx.scope)
        canvas = self._paint(background)
        if self._below:
            if self._base is None:
                self._base = self._draw_static(ctx, None, self._below)
            canvas.alpha_composite(self._base)
        return canvas

    def _static_overlay(self, ctx: RowContext) -> Image.Image:
        if self._overlay is None:
            self._overlay = self._draw_static(ctx, None, self._above)
        return self._overlay

    def _draw_static(
        self, ctx: RowContext, background: Any, layers: tuple[Element, ...]
    ) -> Image.Image:
        # Static layers see no variables; warnings they raise belong to every row.
        canvas = self._paint(background)
        static_ctx = self._context({})
        for element in layers:
            draw_element(static_ctx, canvas, element)
        for warning in static_ctx.warnings:
            ctx.warn(warning)
        return canvas

    def _paint(self, background: RGBA | LinearGradient | None) -> Image.Image:
        if background is None:
            return Image.new("RGBA", self.layout.size, (0, 0, 0, 0))
        return paint_image(background, self.layout.size)

    # -- per row -------------------------------------------------------

    def _context(self, variables: Mapping[str, Any]) -> RowContext:
        return RowContext(
            scope=Scope(variables, self.layout.locale),
            fonts=self.fonts,
            images=self.images,
            base_dir=self.layout.base_dir,
            font_fallbacks=self.layout.font_fallbacks,
            max_element_pixels=self._max_element_pixels,
        )

    def _filename(self, ctx: RowContext) -> str | None:
        template = self.layout.output_filename
        if template is None:
            return None
        try:
            return to_text(template.evaluate(ctx.scope.variables, locale=ctx.scope.locale))
        except ItemError as error:
            locate_error(error, "output.filename")
            raise

    def _check_static_sizes(self) -> None:
        """A literal box too large to draw is a fault of the layout, not of every row."""
        top_level = {id(layer) for layer in self.layout.layers}
        for element in self.layout.elements():
            box = element.box
            if element.kind == "line" or box is None or not box.is_static:
                continue
            # A top-level box is [x, y, w, h] (or [x, y]); a group's child gives size: [w, h].
            in_group = id(element) not in top_level
            if not in_group and len(box.constant) != 4:
                continue
            width, height = box.constant[:2] if in_group else box.constant[2:4]
            problem = oversize_message(round(width), round(height), self._max_element_pixels)
            if problem is not None:
                raise self.layout.error(problem, f"{element.path}.{'size' if in_group else 'box'}")

    def _check_fonts(self) -> None:
        """A font family that does not exist is a fault of the layout, not of a row."""
        for element in self.layout.elements():
            if element.kind != "text":
                continue
            font = element.props["font"]
            assert isinstance(font, dict)
            family, weight, style = (font[key] for key in ("family", "weight", "style"))
            assert (
                isinstance(family, Value) and isinstance(weight, Value) and isinstance(style, Value)
            )
            if not (family.is_static and weight.is_static and style.is_static):
                continue
            try:
                self.fonts.resolve(family.constant, weight.constant, style.constant)
            except LookupError as error:
                raise self.layout.error(
                    str(error.args[0] if error.args else error), f"{element.path}.font.family"
                ) from None


def _is_opaque(background: Value) -> bool | None:
    """True when the static background covers every pixel; None when unknown."""
    if not background.is_static or background.constant is None:
        return None
    paint = background.constant
    if isinstance(paint, LinearGradient):
        return all(stop[3] == 255 for stop in paint.stops)
    return bool(paint[3] == 255)


def _split_static(
    layers: tuple[Element, ...],
) -> tuple[tuple[Element, ...], tuple[Element, ...], tuple[Element, ...]]:
    """Leading static layers, the rest up to the last dynamic one, trailing static ones."""
    dynamic = [index for index, layer in enumerate(layers) if not layer.is_static]
    if not dynamic:
        return layers, (), ()
    first, last = dynamic[0], dynamic[-1]
    return layers[:first], layers[first : last + 1], layers[last + 1 :]
