"""Output folders that are a local path *or* an fsspec URL (``s3://bucket/cards``, ``memory://``).

A batch's ``output_dir`` is recorded as text. A local path keeps the behaviour of
outputs.py (temporary file in the batch folder, ``os.replace`` into place). A URL —
anything that starts with ``<scheme>://`` — goes through fsspec (the ``fsspec`` extra,
plus the protocol's own package, e.g. ``s3fs``), imported only when a URL is used:

- a worker writes the whole image under a hidden temporary key in the batch folder
  (``.pictify-tmp-<batch>-<index>-<pid>.<ext>``) with one ``pipe_file`` call;
- the supervisor moves it to its final key with ``fs.mv``.

Atomicity: on object stores (S3, GCS, Azure) a PUT makes an object appear whole or not
at all, and ``mv`` is a server-side copy then a delete, so a final key never shows a
partial image; for a moment both keys exist, and a temporary left by a crash between
copy and delete is swept (by its prefix) when the batch ends or resumes. ``file://``
moves are ``os.rename``, atomic within one filesystem. ``memory://`` lives in one
process only: it suits in-process tests, not worker processes.

Credentials and options come from fsspec's own configuration (``FSSPEC_S3_KEY``-style
environment variables or its config folder), which must be the same on the client and
on every worker.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from pictify_raster.batch import outputs

logger = logging.getLogger(__name__)

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+://")


def is_url(location: str | os.PathLike[str] | None) -> bool:
    """True for ``s3://…``, ``memory://…``, ``file://…``; False for paths (``C:\\`` included)."""
    return location is not None and bool(_URL.match(os.fspath(location)))


def join(folder: str, name: str) -> str:
    """``folder/name`` for a URL or a path."""
    if is_url(folder):
        return folder.rstrip("/") + "/" + name
    return str(Path(folder) / name)


def filesystem(url: str) -> tuple[Any, str]:
    """fsspec's filesystem for ``url`` and the path within it."""
    try:
        import fsspec
    except ImportError as exc:
        msg = (f"output location {url!r} is a URL, which needs fsspec: "
               "pip install 'pictify-raster[fsspec]'")
        raise ImportError(msg) from exc
    try:
        fs, path = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        msg = f"fsspec cannot open output location {url!r}: {exc}"
        raise type(exc)(msg) from exc
    return fs, path


def prepare_folder(output_dir: str | os.PathLike[str] | None, default_root: str | Path,
                   batch_id: str) -> str:
    """The folder of a new batch, created: ``output_dir`` if given, else ``root/<batch id>``."""
    if output_dir is not None:
        folder = os.fspath(output_dir)
        folder = folder.rstrip("/") if is_url(folder) else str(Path(folder).resolve())
    else:
        root = os.fspath(default_root)
        folder = join(root, batch_id) if is_url(root) else str(Path(root).resolve() / batch_id)
    if is_url(folder):
        fs, path = filesystem(folder)
        fs.makedirs(path, exist_ok=True)
    else:
        _make_folder(Path(folder))
    return folder


def _make_folder(folder: Path) -> None:
    """Create a local output folder, or say in one line, naming it, why it cannot be one."""
    if folder.exists() and not folder.is_dir():
        msg = f"{folder} is a file, not a folder; choose another output folder"
        raise OSError(msg)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        msg = f"cannot create the output folder {folder}: {reason}"
        raise OSError(msg) from exc


def write_bytes(folder: str, name: str, data: bytes) -> str:
    """Write ``data`` as ``folder/name`` in one call; returns where it went (a URL)."""
    location = join(folder, name)
    fs, path = filesystem(location)
    try:
        fs.pipe_file(path, data)
    except FileNotFoundError:  # a local-like filesystem whose folder is not there yet
        fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        fs.pipe_file(path, data)
    return location


def move(temp: str, folder: str, name: str) -> str:
    """Move a worker's temporary file or key to its final name; returns the final location.

    Raises OSError (or the filesystem's own error, for URLs) when it cannot.
    """
    final = join(folder, name)
    if is_url(temp) or is_url(folder):
        fs, source = filesystem(temp)
        _, target = filesystem(final)
        fs.mv(source, target)
    else:
        os.replace(temp, final)
    return final


def remove_quietly(location: str) -> None:
    """Delete a file or key if it is there; log (never raise) when that fails."""
    if not location:
        return
    if not is_url(location):
        outputs.remove_quietly(Path(location))
        return
    try:
        fs, path = filesystem(location)
        fs.rm_file(path)
    except FileNotFoundError:
        pass
    except Exception as exc:
        logger.warning("could not remove %s: %s", location, exc)


def sweep_temporaries(folder: str, batch_id: str) -> int:
    """Delete every temporary of ``batch_id`` in ``folder`` (a path or a URL)."""
    if not is_url(folder):
        return outputs.sweep_temporaries(Path(folder), batch_id)
    prefix = f"{outputs.TEMP_PREFIX}{batch_id}-"
    try:
        fs, path = filesystem(folder)
        names = fs.ls(path, detail=False)
    except FileNotFoundError:
        return 0
    except Exception as exc:
        logger.warning("could not list %s to remove temporaries: %s", folder, exc)
        return 0
    count = 0
    for entry in names:
        if str(entry).rstrip("/").rsplit("/", 1)[-1].startswith(prefix):
            try:
                fs.rm_file(entry)
                count += 1
            except FileNotFoundError:
                pass
            except Exception as exc:
                logger.warning("could not remove %s: %s", entry, exc)
    return count


def item_location(folder: str, name: str, batch_id: str,
                  public_base_url: str | None) -> tuple[str, str]:
    """``(url, path)`` of an item stored under a URL folder.

    ``path`` is the fsspec URL itself; ``url`` is the same, or ``public_base_url`` followed
    by ``<batch id>/<name>`` (just ``<name>`` when the folder is not named after the batch).
    """
    location = join(folder, name)
    if not public_base_url:
        return location, location
    last = folder.rstrip("/").rsplit("/", 1)[-1]
    relative = f"{batch_id}/{name}" if last == batch_id else name
    return outputs.public_url(public_base_url, relative), location
