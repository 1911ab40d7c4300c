"""What an image ``src`` names: an http(s) URL, a data: URI or a local file.

Local paths resolve against the layout's folder (always allowed); the result,
symlinks followed, must lie below that folder or one of ``allowed_roots``.
The check runs on the resolved path, so neither ``..`` nor a symlink that
points outside can escape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from pictify_raster.fetch.failures import fail
from pictify_raster.fetch.urls import redact_url

# A scheme is letters then letters, digits, "+", "-" or "."; one letter alone
# is a Windows drive ("C:\photos"), not a scheme.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+):")


class SourceKind(Enum):
    HTTP = "http"
    DATA = "data"
    FILE = "file"


@dataclass(frozen=True)
class Source:
    """A classified source; for local files ``path`` is resolved and
    ``roots`` are the resolved folders it was allowed by."""

    kind: SourceKind
    text: str
    path: Path | None = None
    roots: tuple[Path, ...] = ()

    @property
    def label(self) -> str:
        """How the source is named in messages and logs (no secrets)."""
        if self.path is not None:
            return str(self.path)
        return redact_url(self.text)


def classify(src: str, base_dir: Path | None, allowed_roots: tuple[Path, ...]) -> Source:
    """Sort ``src`` into a kind, refusing schemes other than http, https and data."""
    text = src.strip()
    if not text:
        fail("empty image source", "")
    match = _SCHEME.match(text)
    if match is not None:
        scheme = match.group(1).lower()
        if scheme in ("http", "https"):
            return Source(SourceKind.HTTP, text)
        if scheme == "data":
            return Source(SourceKind.DATA, text)
        fail(
            f"unsupported URL scheme '{scheme}:' (only http, https, data and local paths)",
            redact_url(text),
        )
    roots = permitted_roots(base_dir, allowed_roots)
    return Source(SourceKind.FILE, text, resolve_local(text, base_dir, roots), roots)


def permitted_roots(base_dir: Path | None, allowed_roots: tuple[Path, ...]) -> tuple[Path, ...]:
    """The resolved folders local images may come from: the layout's, then the configured."""
    roots = [root.resolve() for root in allowed_roots]
    if base_dir is not None:
        roots.insert(0, base_dir.resolve())
    return tuple(roots)


def is_inside(path: Path, roots: tuple[Path, ...]) -> bool:
    """Whether the resolved ``path`` lies below one of the resolved ``roots``."""
    return any(path.is_relative_to(root) for root in roots)


def resolve_local(text: str, base_dir: Path | None, roots: tuple[Path, ...]) -> Path:
    """The resolved path of a local image, if it lies inside an allowed folder."""
    if "\x00" in text:
        fail("path contains a NUL character", repr(text[:80]))
    given = Path(text)
    anchor = base_dir if base_dir is not None else Path.cwd()
    resolved = (given if given.is_absolute() else anchor / given).resolve()
    if not is_inside(resolved, roots):
        shown = ", ".join(str(root) for root in roots) or "none configured"
        fail(
            f"path not allowed: {text} resolves to {resolved}, outside the layout "
            f"folder and allowed_roots ({shown})",
            "",
        )
    return resolved
