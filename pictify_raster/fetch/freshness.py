"""How long an HTTP response may be reused, from Cache-Control and Expires."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class Freshness:
    """``store`` False means no-store; ``max_age`` 0 means revalidate each time."""

    store: bool
    max_age: float


def freshness(headers: Mapping[str, str], default_max_age: float) -> Freshness:
    """Read Cache-Control (no-store, no-cache, max-age) and Expires.

    This is a private cache, so ``private`` responses are stored and
    ``s-maxage`` is ignored. Without any freshness information
    ``default_max_age`` applies (a heuristic, as browsers use).
    """
    directives = _directives(_get(headers, "Cache-Control"))
    if "no-store" in directives:
        return Freshness(store=False, max_age=0.0)
    if "no-cache" in directives:
        return Freshness(store=True, max_age=0.0)
    if "max-age" in directives:
        try:
            return Freshness(store=True, max_age=max(float(int(directives["max-age"])), 0.0))
        except ValueError:
            return Freshness(store=True, max_age=0.0)
    expires = _get(headers, "Expires")
    if expires:
        return Freshness(store=True, max_age=_seconds_until(expires))
    return Freshness(store=True, max_age=default_max_age)


def _get(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return ""


def _directives(value: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in value.split(","):
        name, _sep, argument = part.strip().partition("=")
        if name:
            found[name.lower()] = argument.strip().strip('"')
    return found


def _seconds_until(http_date: str) -> float:
    try:
        when = parsedate_to_datetime(http_date).timestamp()
    except (TypeError, ValueError):
        return 0.0  # an invalid Expires means "already expired" (RFC 9111)
    return max(when - time.time(), 0.0)
