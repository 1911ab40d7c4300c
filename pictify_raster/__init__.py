"""pictify_raster: render images from YAML layouts in bulk, without a browser.

import pictify_raster as px

layout = px.load_layout("layouts/blog_card.yaml")
image = px.render(layout, {"title": "Hello", "author": "Ada"})

with px.Pictify(home="pictify-data") as client:
    uid = client.templates.register("layouts/blog_card.yaml")
    batch = client.templates.batch_render(uid, variable_sets=rows)
    client.batches.wait(batch.id, progress=True)
"""

from pictify_raster.api import render, render_bytes
from pictify_raster.batch import (
    Batch,
    BatchItem,
    BatchResults,
    DaskExecutor,
    ItemFailure,
    Pictify,
    verify_signature,
)
from pictify_raster.errors import (
    ErrorCode,
    ExpressionError,
    ImageFetchError,
    ItemError,
    LayoutError,
    PictifyError,
    RenderWarning,
    TextOverflowError,
    VariableError,
)
from pictify_raster.expr import evaluate
from pictify_raster.layout import Layout, load_layout

__version__ = "0.1.0"

__all__ = [
    "Batch",
    "BatchItem",
    "BatchResults",
    "DaskExecutor",
    "ErrorCode",
    "ExpressionError",
    "ImageFetchError",
    "ItemError",
    "ItemFailure",
    "Layout",
    "LayoutError",
    "Pictify",
    "PictifyError",
    "RenderWarning",
    "TextOverflowError",
    "VariableError",
    "evaluate",
    "load_layout",
    "render",
    "render_bytes",
    "verify_signature",
]
