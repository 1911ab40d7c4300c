"""One-shot rendering for scripts and design work (DESIGN section 1)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import Image

from pictify_raster.draw import Renderer
from pictify_raster.layout import Layout, load_layout

# Renderers hold compiled fonts, static base images and image caches; a
# script that renders one layout many times should not rebuild them per call.
_RENDERERS: dict[int, tuple[Layout, Renderer]] = {}
_MAX_RENDERERS = 8


def render(layout: Layout | str | Path, variables: Mapping[str, Any] | None = None) -> Image.Image:
    """Render one image of ``layout`` for ``variables``.

    Raises LayoutError for a bad layout and an ItemError subclass (with
    ``code``) for a fault of the variables.
    """
    renderer = _renderer(layout)
    return renderer.render(variables or {}).image


def render_bytes(
    layout: Layout | str | Path,
    variables: Mapping[str, Any] | None = None,
    format: str | None = None,
    quality: int | None = None,
) -> bytes:
    """Render one image and encode it (png, jpeg, webp or avif)."""
    renderer = _renderer(layout)
    chosen_format = format or renderer.layout.output_format or "png"
    chosen_quality = quality or renderer.layout.output_quality
    image = renderer.render(variables or {}).image
    return renderer.encode(image, chosen_format, chosen_quality)


def _renderer(layout: Layout | str | Path) -> Renderer:
    if not isinstance(layout, Layout):
        layout = load_layout(layout)
    cached = _RENDERERS.get(id(layout))
    if cached is not None and cached[0] is layout:
        return cached[1]
    if len(_RENDERERS) >= _MAX_RENDERERS:
        _RENDERERS.pop(next(iter(_RENDERERS)))
    renderer = Renderer(layout)
    _RENDERERS[id(layout)] = (layout, renderer)
    return renderer
