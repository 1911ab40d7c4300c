"""Output files: their names, their atomic appearance, and clean-up after a crash.

A worker writes an item's bytes to a hidden temporary name in the batch folder
(``.pictify-tmp-<batch>-<index>-<pid>.<ext>``). The supervisor picks the final name,
records it on the pending item, renames the file there (``os.replace``, atomic within
one folder), then records the item completed. So a visible image is always whole, and
after a crash every stray file can be found: temporaries by their prefix, renamed but
unrecorded files by the path planned on a still-pending item.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

logger = logging.getLogger(__name__)

TEMP_PREFIX = ".pictify-tmp-"
EXTENSIONS = {"png": ".png", "jpeg": ".jpg", "webp": ".webp", "avif": ".avif"}
INDEX_WIDTH = 6
# Leaves room in a 255-byte file name for "-<index>", the extension and the temp prefix.
MAX_STEM_BYTES = 180

_WINDOWS_RESERVED = {
    "CON", "PRN", "AUX", "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')


def extension(fmt: str) -> str:
    return EXTENSIONS.get(fmt, "." + fmt)


def default_stem(index: int) -> str:
    """``000042`` for item 42: sorts in row order in any file browser."""
    return str(index).zfill(INDEX_WIDTH)


def temp_name(batch_id: str, index: int, fmt: str, pid: int | None = None) -> str:
    # The pid keeps a worker orphaned by a killed client from writing into the very file
    # a fresh worker is writing for the same item.
    writer = os.getpid() if pid is None else pid
    return f"{TEMP_PREFIX}{batch_id}-{index}-{writer}{extension(fmt)}"


def _truncate_utf8(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")


def sanitize_stem(name: str | None, fmt: str) -> str | None:
    """A safe file stem from a layout's ``output.filename`` value, or None if nothing is left.

    Path separators become ``_`` (no name leaves the batch folder), control and format
    characters are dropped, characters Windows forbids become ``_``, leading dots are
    removed (no hidden files, no ``..``), reserved device names get a ``_`` prefix, and
    the stem is cut to MAX_STEM_BYTES. An extension matching the output format is
    dropped because the format's own is always added.
    """
    if name is None:
        return None
    text = unicodedata.normalize("NFC", str(name))
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    text = _FORBIDDEN.sub("_", text)
    lowered = text.lower()
    for ext in {extension(fmt), "." + fmt}:
        if lowered.endswith(ext):
            text = text[: -len(ext)]
            break
    text = text.strip().strip(".").strip()
    text = _truncate_utf8(text, MAX_STEM_BYTES).rstrip(". ")
    if not text:
        return None
    if text.split(".")[0].upper() in _WINDOWS_RESERVED:
        text = "_" + text
    return text


def unique_name(stem: str, index: int, fmt: str, taken: set[str]) -> str:
    """``stem.ext``, or ``stem-<index>.ext`` when another item of the batch has that name.

    ``taken`` holds names already claimed (the caller also checks the store). The index
    makes the fallback unique since indexes are.
    """
    name = stem + extension(fmt)
    if name in taken:
        name = f"{stem}-{index}{extension(fmt)}"
    return name


def file_url(path: Path) -> str:
    return path.resolve().as_uri()


def public_url(base: str, relative: str) -> str:
    return base.rstrip("/") + "/" + quote(relative.replace(os.sep, "/"))


def remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        logger.warning("could not remove %s: %s", path, exc)


def sweep_temporaries(folder: Path, batch_id: str) -> int:
    """Delete every temporary file of ``batch_id`` in ``folder``; return how many."""
    if not folder.is_dir():
        return 0
    prefix = f"{TEMP_PREFIX}{batch_id}-"
    count = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(prefix):
                remove_quietly(Path(entry.path))
                count += 1
    return count
