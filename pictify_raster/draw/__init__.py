"""Drawing layouts with Pillow: shapes, text, images, groups, encoding."""

from pictify_raster.draw.encode import FORMATS, encode_image, flatten
from pictify_raster.draw.render import Renderer, RenderResult

__all__ = ["FORMATS", "RenderResult", "Renderer", "encode_image", "flatten"]
