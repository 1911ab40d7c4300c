"""Bodies of http(s) images: memory, then the disk cache, then the network.

A fresh disk entry is used as it is; a stale one is revalidated with
If-None-Match / If-Modified-Since and reused on 304. A body is remembered
(in memory, and on disk unless the server said no-store) only through
``Fetched.keep``, which the loader calls once the body decoded as an image:
an HTML page or a broken file is never cached.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pictify_raster.fetch.disk import CachedBody, DiskCache
from pictify_raster.fetch.failures import fail
from pictify_raster.fetch.freshness import freshness
from pictify_raster.fetch.http import HttpClient, HttpResponse
from pictify_raster.fetch.memory import LruCache
from pictify_raster.fetch.settings import FetchSettings
from pictify_raster.fetch.urls import redact_url

logger = logging.getLogger(__name__)

_MEMORY_ITEMS = 256


@dataclass
class Fetched:
    """Encoded bytes, where they came from, and how to keep them once they decode."""

    data: bytes
    where: str
    keep: Callable[[], None] | None = None


class RemoteBodies:
    """Fetches and caches HTTP bodies for one worker process."""

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self.http = HttpClient(settings)
        folder = settings.cache_dir
        self._disk = DiskCache(folder, settings.cache_max_bytes) if folder is not None else None
        self._memory: LruCache[bytes] = LruCache(_MEMORY_ITEMS, settings.decoded_cache_bytes // 4)

    def close(self) -> None:
        self.http.close()
        self._memory.clear()

    def fetch(self, url: str) -> Fetched:
        remembered = self._memory.get(url)
        if remembered is not None:
            return Fetched(remembered, redact_url(url))
        stored = self._disk.get(url) if self._disk is not None else None
        if stored is not None and stored.is_fresh():
            logger.debug("disk cache hit for %s", redact_url(url))
            return Fetched(stored.body, redact_url(url), self._keeper(url, stored.body))
        response = self.http.get(url, stored.validators() if stored is not None else None)
        if response.status == 304 and stored is not None:
            logger.debug("revalidated %s", redact_url(url))
            keep = self._keeper(url, stored.body, response, stored)
            return Fetched(stored.body, redact_url(url), keep)
        if response.status == 304:
            fail("HTTP 304 Not Modified to an unconditional request", redact_url(url))
        keep = self._keeper(url, response.body, response)
        return Fetched(response.body, _describe(url, response), keep)

    def _keeper(
        self,
        url: str,
        body: bytes,
        response: HttpResponse | None = None,
        previous: CachedBody | None = None,
    ) -> Callable[[], None]:
        """What to do once ``body`` decoded: remember it in memory and on disk."""

        def keep() -> None:
            self._memory.put(url, body, len(body), ttl=self.settings.memory_ttl)
            if response is not None and self._disk is not None:
                self._store(url, body, response.headers, previous)

        return keep

    def _store(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        previous: CachedBody | None,
    ) -> None:
        assert self._disk is not None
        fresh = freshness(headers, self.settings.default_max_age)
        if not fresh.store:
            self._disk.delete(url)
            return
        # A 304 need not repeat the validators: keep the ones already stored.
        self._disk.put(
            CachedBody(
                url=url,
                body=body,
                stored_at=time.time(),
                max_age=fresh.max_age,
                etag=_header(headers, "ETag") or (previous.etag if previous else ""),
                last_modified=_header(headers, "Last-Modified")
                or (previous.last_modified if previous else ""),
            )
        )


def _describe(url: str, response: HttpResponse) -> str:
    """Where a body came from: the URL, the final URL after redirects, status, type."""
    parts = [redact_url(url)]
    if response.url != url:
        parts.append(f"final URL {redact_url(response.url)}")
    parts.append(f"HTTP {response.status}")
    parts.append(f"Content-Type {response.content_type or 'not given'}")
    return ", ".join(parts)


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return ""
