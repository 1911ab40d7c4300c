"""Image loading: local files, data: URIs and http(s) URLs, checked and cached.

``ImageLoader(FetchSettings(...)).load(src, base_dir=...)`` returns an
upright RGB or RGBA image or raises ``errors.ImageFetchError``.
"""

from pictify_raster.fetch.loader import ImageLoader
from pictify_raster.fetch.settings import FetchSettings

__all__ = ["FetchSettings", "ImageLoader"]
