"""Reading a local image file that ``sources`` allowed, safely.

The path was resolved and checked, but a symlink could be swapped in between
the check and the read. On Linux the opened descriptor's real path is
checked again (``/proc/self/fd``), so what is read is what was allowed. The
file is opened non-blocking and must be a regular file: a FIFO or a device
in an allowed folder cannot block a worker or stream forever.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pictify_raster.fetch.failures import fail
from pictify_raster.fetch.sources import is_inside


def read_local(path: Path, roots: tuple[Path, ...], max_bytes: int) -> bytes:
    """The bytes of an allowed local file, at most ``max_bytes``."""
    where = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        fail("file not found", where)
    except IsADirectoryError:
        fail("is a directory, not an image file", where)
    except OSError as exc:
        fail(f"cannot read file: {exc.strerror or exc}", where)
    # Opening a folder read-only succeeds on Linux; check what it is before
    # wrapping the descriptor, which would refuse a folder with a bare errno.
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        fail("is a directory, not an image file" if stat.S_ISDIR(info.st_mode)
             else "not a regular file", where)
    with os.fdopen(fd, "rb") as handle:
        _check_still_inside(fd, roots, where)
        if info.st_size > max_bytes:
            fail(f"too many bytes: file is {info.st_size} bytes, the limit is {max_bytes}", where)
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            fail(f"cannot read file: {exc.strerror or exc}", where)
    if len(data) > max_bytes:
        fail(f"too many bytes: file exceeds the limit of {max_bytes}", where)
    if not data:
        fail("empty file", where)
    return data


def _check_still_inside(fd: int, roots: tuple[Path, ...], where: str) -> None:
    """Refuse if the opened file is no longer inside the allowed folders."""
    link = Path(f"/proc/self/fd/{fd}")
    try:
        real = Path(os.readlink(link))
    except OSError:
        return  # no /proc (not Linux): the check before opening stands alone
    if roots and not is_inside(real, roots):
        fail(f"path not allowed: the file opened is {real}, outside the allowed folders", where)
