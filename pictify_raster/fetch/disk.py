"""On-disk cache of fetched HTTP bodies, shared by all worker processes.

One file per URL (named by the SHA-256 of the URL): a JSON line with the
validators and freshness, then the body. Files are written to a temporary
name and renamed, so a reader never sees half an entry, even with several
processes writing the same URL. Only bodies that decoded as images are
stored (the loader decides); HTML and failed bodies never are.

The folder is kept under ``max_bytes``: a hit refreshes the entry's mtime,
and once a process has written a tenth of the budget the least recently
used entries are deleted. Several processes pruning at once is harmless (a
file deleted twice is simply gone).
"""

from __future__ import annotations

import contextlib
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

    def __init__(self, folder: Path, max_bytes: int = 512 * 1024 * 1024) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        # Start as if a tenth was written, so the first put measures the folder.
        self._written = max_bytes // 10

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
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: pruned last
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
            return
        self._written += len(entry.body)
        if self._written >= self.max_bytes // 10:
            self.prune()

    def prune(self) -> None:
        """Delete least recently used entries until the folder fits ``max_bytes``."""
        self._written = 0
        entries: list[tuple[float, int, Path]] = []
        for path in self.folder.glob("*/*.entry"):
            try:
                stat = path.stat()
            except OSError:
                continue  # removed by another process meanwhile
            entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _mtime, size, _path in entries)
        for _mtime, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
            total -= size

    def delete(self, url: str) -> None:
        try:
            self._path(url).unlink(missing_ok=True)
        except OSError as exc:
            logger.warning("could not delete cache entry for a URL: %s", exc)
