"""How fetch failures are raised: one error type, a message naming the source."""

from __future__ import annotations

from typing import NoReturn

from pictify_raster.errors import ImageFetchError


def fail(reason: str, where: str, *, field: str | None = None) -> NoReturn:
    """Raise ImageFetchError "<reason> (<where>)"; ``where`` is already redacted."""
    message = f"{reason} ({where})" if where else reason
    raise ImageFetchError(message, field=field)
