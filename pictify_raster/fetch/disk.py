"""On-disk cache of fetched HTTP bodies, shared by all worker processes.

One file per URL (named by the SHA-256 of the URL): a JSON line with the
validators and freshness, then the body. Files are written to a temporary
name and renamed, so a reader never sees half an entry, even with several
processes writing the same URL. Only bodies that decoded as images are
stored (the loader decides); HTML and failed bodies never are.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

_FORMAT = 1


@dataclass(frozen=True)
class CachedBody:
    """A stored body with what is needed to reuse or revalidate it."""

    url: str
    body: bytes
    stored_at: float
    max_age: float
    etag: str = ""
    last_modified: str = ""

    def is_fresh(self, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) < self.stored_at + self.max_age

    def validators(self) -> dict[str, str]:
        """Headers of a conditional request for this entry."""
        headers: dict[str, str] = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class DiskCache:
    """Bodies by URL below ``folder``; errors reading or writing are logged, not raised."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, url: str) -> Path:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.folder / digest[:2] / f"{digest}.entry"

    def get(self, url: str) -> CachedBody | None:
        path = self._path(url)
        try:
            with path.open("rb") as handle:
                meta = json.loads(handle.readline())
                body = handle.read()
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            logger.warning("unreadable cache entry %s ignored: %s", path, exc)
            return None
        if meta.get("format") != _FORMAT:
            return None
        return CachedBody(
            url=url,
            body=body,
            stored_at=float(meta["stored_at"]),
            max_age=float(meta["max_age"]),
            etag=str(meta.get("etag", "")),
            last_modified=str(meta.get("last_modified", "")),
        )

    def put(self, entry: CachedBody) -> None:
        path = self._path(entry.url)
        meta = {
            # The URL itself is not written: it may carry credentials.
            "format": _FORMAT,
            "stored_at": entry.stored_at,
            "max_age": entry.max_age,
            "etag": entry.etag,
            "last_modified": entry.last_modified,
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(json.dumps(meta).encode("utf-8") + b"\n")
                    out.write(entry.body)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            logger.warning("could not write cache entry %s: %s", path, exc)

    def delete(self, url: str) -> None:
        try:
            self._path(url).unlink(missing_ok=True)
        except OSError as exc:
            logger.warning("could not delete cache entry for a URL: %s", exc)
