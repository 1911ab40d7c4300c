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
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from pictify_raster.errors import ImageFetchError
from pictify_raster.fetch.data import decode_data_uri
from pictify_raster.fetch.decode import decode, displayed_size, open_checked
from pictify_raster.fetch.disk import CachedBody, DiskCache
from pictify_raster.fetch.failures import fail
from pictify_raster.fetch.files import read_local
from pictify_raster.fetch.freshness import freshness
from pictify_raster.fetch.http import HttpClient, HttpResponse
from pictify_raster.fetch.memory import LruCache
from pictify_raster.fetch.settings import FetchSettings
from pictify_raster.fetch.sources import Source, SourceKind, classify
from pictify_raster.fetch.urls import redact_url

logger = logging.getLogger(__name__)

_BYTES_CACHE_ITEMS = 256
_DECODED_CACHE_ITEMS = 256


@dataclass
class _Fetched:
    """Encoded bytes, where they came from, and how to keep them once they decode."""

    data: bytes
    where: str
    keep: Callable[[], None] | None = None


@dataclass
class _Timed:
    """A cached value and the monotonic time after which it is stale."""

    value: Image.Image | bytes
    expires: float


class ImageLoader:
    """Loads images for one worker process; not meant to be shared across forks."""

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings if settings is not None else FetchSettings()
        self._http = HttpClient(self.settings)
        folder = self.settings.cache_dir
        self._disk = (
            DiskCache(Path(folder), self.settings.cache_max_bytes) if folder is not None else None
        )
        budget = self.settings.decoded_cache_bytes
        self._bytes: LruCache[_Timed] = LruCache(_BYTES_CACHE_ITEMS, budget // 4)
        self._decoded: LruCache[_Timed] = LruCache(_DECODED_CACHE_ITEMS, budget)
        self._fitted: LruCache[_Timed] = LruCache(self.settings.fitted_cache_items, budget // 2)

    def close(self) -> None:
        """Close pooled connections and drop the memory caches."""
        self._http.close()
        for cache in (self._bytes, self._decoded, self._fitted):
            cache.clear()

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
            cached = self._cached(self._fitted, key)
            if isinstance(cached, Image.Image):
                return cached.copy()
            image = self._decoded_image(
                source, draft_for=lambda full: source_size_needed(full, size, fit)
            )
            try:
                fitted = apply_mask(fit_image(image, size, fit, focal), mask, radius)
            except ValueError as exc:
                fail(str(exc), source.label)
            self._fitted.put(key, _Timed(fitted, self._expiry(source)), _cost(fitted))
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
        full = self._cached(self._decoded, (key, None))
        if isinstance(full, Image.Image):
            return full
        fetched = self._fetch(source, key)
        header = open_checked(fetched.data, fetched.where, self.settings.max_pixels)
        draft = draft_for(displayed_size(header)) if draft_for is not None else None
        if header.format != "JPEG":
            draft = None
        if draft is not None:
            reduced = self._cached(self._decoded, (key, draft))
            if isinstance(reduced, Image.Image):
                return reduced
        image = decode(header, fetched.where, draft_size=draft)
        if fetched.keep is not None:
            fetched.keep()
        self._decoded.put((key, draft), _Timed(image, self._expiry(source)), _cost(image))
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

    def _expiry(self, source: Source) -> float:
        if source.kind is SourceKind.HTTP:
            return time.monotonic() + self.settings.memory_ttl
        return float("inf")  # files are keyed by mtime; data URIs never change

    @staticmethod
    def _cached(cache: LruCache[_Timed], key: Hashable) -> Image.Image | bytes | None:
        entry = cache.get(key)
        if entry is None or entry.expires < time.monotonic():
            return None
        return entry.value

    def _fetch(self, source: Source, key: Hashable) -> _Fetched:
        if source.kind is SourceKind.DATA:
            return _Fetched(decode_data_uri(source.text, self.settings.max_bytes), source.label)
        if source.kind is SourceKind.FILE:
            assert source.path is not None
            data = read_local(source.path, source.roots, self.settings.max_bytes)
            return _Fetched(data, source.label)
        return self._fetch_http(source.text, key)

    def _fetch_http(self, url: str, key: Hashable) -> _Fetched:
        cached = self._cached(self._bytes, key)
        if isinstance(cached, bytes):
            return _Fetched(cached, redact_url(url))
        stored = self._disk.get(url) if self._disk is not None else None
        if stored is not None and stored.is_fresh():
            logger.debug("disk cache hit for %s", redact_url(url))
            return _Fetched(stored.body, redact_url(url), self._keeper(url, key, stored.body))
        response = self._http.get(url, stored.validators() if stored is not None else None)
        if response.status == 304 and stored is not None:
            logger.debug("revalidated %s", redact_url(url))
            keep = self._keeper(url, key, stored.body, response)
            return _Fetched(stored.body, redact_url(url), keep)
        if response.status == 304:
            fail("HTTP 304 Not Modified to an unconditional request", redact_url(url))
        keep = self._keeper(url, key, response.body, response)
        return _Fetched(response.body, _describe(url, response), keep)

    def _keeper(
        self, url: str, key: Hashable, body: bytes, response: HttpResponse | None = None
    ) -> Callable[[], None]:
        """What to do once ``body`` decoded: remember it in memory and on disk."""

        def keep() -> None:
            expires = time.monotonic() + self.settings.memory_ttl
            self._bytes.put(key, _Timed(body, expires), len(body))
            if response is None or self._disk is None:
                return
            fresh = freshness(response.headers, self.settings.default_max_age)
            if not fresh.store:
                self._disk.delete(url)
                return
            self._disk.put(
                CachedBody(
                    url=url,
                    body=body,
                    stored_at=time.time(),
                    max_age=fresh.max_age,
                    etag=_header(response, "ETag"),
                    last_modified=_header(response, "Last-Modified"),
                )
            )

        return keep


def _describe(url: str, response: HttpResponse) -> str:
    """Where a body came from: the URL, the final URL after redirects, status, type."""
    parts = [redact_url(url)]
    if response.url != url:
        parts.append(f"final URL {redact_url(response.url)}")
    parts.append(f"HTTP {response.status}")
    parts.append(f"Content-Type {response.content_type or 'not given'}")
    return ", ".join(parts)


def _header(response: HttpResponse, name: str) -> str:
    for key, value in response.headers.items():
        if key.lower() == name.lower():
            return value
    return ""


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
