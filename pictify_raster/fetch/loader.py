"""ImageLoader: one per worker process, turning ``src`` strings into images.

Three caches, from cheapest to dearest to rebuild:

- fitted: (source, size, fit, position, mask, radius) → the finished layer,
  so an avatar used by 10,000 rows is fetched, decoded and resized once;
- decoded: source → the upright RGB/RGBA image, bounded by pixel bytes;
- bytes: HTTP bodies in memory, and on disk when ``cache_dir`` is set
  (honouring Cache-Control and revalidating with ETag/Last-Modified).

A source's cache key includes a file's mtime and size, so an edited file is
read again. HTTP images stay in the memory caches for ``memory_ttl`` seconds
at most, so a long-lived worker sees a changed remote image eventually.
Failures are never cached: the next row asks again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Hashable
from pathlib import Path

from PIL import Image

from pictify_raster.errors import ImageFetchError
from pictify_raster.fetch.data import decode_data_uri
from pictify_raster.fetch.decode import decode, displayed_size, open_checked
from pictify_raster.fetch.failures import fail
from pictify_raster.fetch.files import read_local
from pictify_raster.fetch.memory import LruCache
from pictify_raster.fetch.remote import Fetched, RemoteBodies
from pictify_raster.fetch.settings import FetchSettings
from pictify_raster.fetch.sources import Source, SourceKind, classify

logger = logging.getLogger(__name__)

_DECODED_CACHE_ITEMS = 256


class ImageLoader:
    """Loads images for one worker process; not meant to be shared across forks."""

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings if settings is not None else FetchSettings()
        self._remote = RemoteBodies(self.settings)
        budget = self.settings.decoded_cache_bytes
        self._decoded: LruCache[Image.Image] = LruCache(_DECODED_CACHE_ITEMS, budget)
        self._fitted: LruCache[Image.Image] = LruCache(
            self.settings.fitted_cache_items, budget // 2
        )

    def close(self) -> None:
        """Close pooled connections and drop the memory caches."""
        self._remote.close()
        self._decoded.clear()
        self._fitted.clear()

    def __enter__(self) -> ImageLoader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---------------------------------------------------------------- public

    def load(
        self, src: str, *, base_dir: Path | None = None, field: str | None = None
    ) -> Image.Image:
        """The image ``src`` names, decoded, upright, RGB or RGBA.

        Raises ImageFetchError (``field`` set when given) naming the source.
        The image returned is the caller's own copy.
        """
        with _blame(field):
            source = self._classify(src, base_dir)
            image = self._decoded_image(source, draft_for=None)
            return image.copy()

    def load_fitted(  # noqa: PLR0917 - the renderer's contract is positional
        self,
        src: str,
        size: tuple[int, int],
        fit: str = "cover",
        position: str | tuple[float, float] | None = (0.5, 0.5),
        mask: str | None = None,
        radius: float = 0,
        *,
        base_dir: Path | None = None,
        field: str | None = None,
    ) -> Image.Image:
        """The image fitted into ``size`` and masked: RGBA of exactly ``size``.

        Cached by (source, size, fit, position, mask, radius). Large JPEGs are
        decoded at reduced scale when the box is much smaller.
        """
        # Imported here: draw's package imports fetch, so a module-level
        # import would be circular.
        from pictify_raster.draw.images import (
            apply_mask,
            fit_image,
            parse_position,
            source_size_needed,
        )

        with _blame(field):
            source = self._classify(src, base_dir)
            try:
                focal = parse_position(position)
            except ValueError as exc:
                fail(str(exc), source.label)
            key = (self._key(source), tuple(size), fit, focal, mask, float(radius))
            cached = self._fitted.get(key)
            if cached is not None:
                return cached.copy()
            image = self._decoded_image(
                source, draft_for=lambda full: source_size_needed(full, size, fit)
            )
            try:
                fitted = apply_mask(fit_image(image, size, fit, focal), mask, radius)
            except ValueError as exc:
                fail(str(exc), source.label)
            self._fitted.put(key, fitted, _cost(fitted), ttl=self._ttl(source))
            return fitted.copy()

    # ------------------------------------------------------------- internals

    def _classify(self, src: object, base_dir: Path | None) -> Source:
        if not isinstance(src, str):
            fail(f"image source must be a string, got {type(src).__name__}", "")
        return classify(src, base_dir, self.settings.allowed_roots)

    def _decoded_image(
        self,
        source: Source,
        draft_for: Callable[[tuple[int, int]], tuple[int, int] | None] | None,
    ) -> Image.Image:
        """The decoded image, from the memory cache or fetched and decoded.

        ``draft_for`` maps the full displayed size to the size a reduced JPEG
        decode may go down to; a reduced decode is cached under its own key.
        """
        key = self._key(source)
        full = self._decoded.get((key, None))
        if full is not None:
            return full
        fetched = self._fetch(source)
        header = open_checked(fetched.data, fetched.where, self.settings.max_pixels)
        draft = draft_for(displayed_size(header)) if draft_for is not None else None
        if header.format != "JPEG":
            draft = None
        if draft is not None:
            reduced = self._decoded.get((key, draft))
            if reduced is not None:
                return reduced
        image = decode(header, fetched.where, draft_size=draft)
        if fetched.keep is not None:
            fetched.keep()
        self._decoded.put((key, draft), image, _cost(image), ttl=self._ttl(source))
        return image

    def _key(self, source: Source) -> Hashable:
        if source.kind is SourceKind.FILE:
            assert source.path is not None
            try:
                stat = source.path.stat()
            except OSError:
                return ("file", str(source.path))  # _fetch reports the error
            return ("file", str(source.path), stat.st_mtime_ns, stat.st_size)
        if source.kind is SourceKind.DATA:
            return ("data", hashlib.sha256(source.text.encode("utf-8")).hexdigest())
        return ("http", source.text)

    def _ttl(self, source: Source) -> float | None:
        """HTTP images are looked up again after ``memory_ttl``; files are keyed
        by mtime and data URIs never change, so they stay until evicted."""
        if source.kind is SourceKind.HTTP:
            return self.settings.memory_ttl
        return None

    def _fetch(self, source: Source) -> Fetched:
        if source.kind is SourceKind.DATA:
            return Fetched(decode_data_uri(source.text, self.settings.max_bytes), source.label)
        if source.kind is SourceKind.FILE:
            assert source.path is not None
            data = read_local(source.path, source.roots, self.settings.max_bytes)
            return Fetched(data, source.label)
        return self._remote.fetch(source.text)


def _cost(image: Image.Image) -> int:
    return image.width * image.height * len(image.getbands())


class _blame:  # lower case: used like a function, ``with _blame(field):``
    """Set ``field`` on an ImageFetchError passing through, if not set yet."""

    def __init__(self, field: str | None) -> None:
        self.field = field

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, _tb: object) -> None:
        if isinstance(error, ImageFetchError) and self.field and not error.field:
            error.field = self.field
