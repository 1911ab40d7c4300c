"""A disk cache of system font scans.

Scanning a face costs about a millisecond; a desktop with thousands of fonts
would pay seconds in every new worker process. Scans of system fonts are kept
in a JSON file keyed by path, modification time and size, so a process that
finds nothing changed reads names and metrics from the cache.

The file lives in ``$PICTIFY_FONT_CACHE`` if set (an empty value turns the
cache off), else ``$XDG_CACHE_HOME/pictify_raster`` or ``~/.cache/pictify_raster``.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from .fontfiles import FaceFile

logger = logging.getLogger(__name__)

VERSION = 1
_FIELDS = {f.name for f in fields(FaceFile)}


def cache_file() -> Path | None:
    override = os.environ.get("PICTIFY_FONT_CACHE")
    if override is not None:
        return Path(override) if override else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pictify_raster" / f"font-scan-v{VERSION}.json"


class ScanCache:
    """Face records by ``path|mtime_ns|size``; unreadable or stale files are ignored."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, list[dict[str, Any]]] = {}
        self.dirty = False
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("version") == VERSION:
                    self.entries = data["faces"]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                logger.debug("ignoring font scan cache %s: %s", path, exc)

    @staticmethod
    def key(path: Path, stat: os.stat_result) -> str:
        return f"{path}|{stat.st_mtime_ns}|{stat.st_size}"

    def get(self, key: str) -> list[FaceFile] | None:
        records = self.entries.get(key)
        if records is None:
            return None
        try:
            faces = [_face_from(r) for r in records]
        except (TypeError, ValueError) as exc:
            logger.debug("stale font scan cache entry %s: %s", key, exc)
            return None
        # A decompressed WOFF copy may have been cleaned from the temp folder.
        return faces if all(Path(f.path).is_file() for f in faces) else None

    def put(self, key: str, faces: list[FaceFile]) -> None:
        self.entries[key] = [asdict(f) for f in faces]
        self.dirty = True

    def save(self) -> None:
        if not self.dirty or self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.part")
            partial.write_text(
                json.dumps({"version": VERSION, "faces": self.entries}), encoding="utf-8"
            )
            partial.replace(self.path)  # atomic: concurrent workers never read half a file
            self.dirty = False
        except OSError as exc:
            logger.debug("cannot write font scan cache %s: %s", self.path, exc)


def _face_from(record: dict[str, Any]) -> FaceFile:
    if set(record) != _FIELDS:
        msg = "fields differ from FaceFile"
        raise ValueError(msg)
    values = dict(record)
    values["aliases"] = tuple(values["aliases"])
    if values["weight_range"] is not None:
        values["weight_range"] = tuple(values["weight_range"])
    return FaceFile(**values)
