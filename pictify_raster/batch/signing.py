"""Webhook signatures: ``X-Pictify-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The signed message is ``f"{t}.{body}"`` (the raw body bytes), the scheme receivers of
hosted services already verify. The timestamp is signed too, so an old delivery cannot
be replayed once it falls outside the tolerance.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Pictify-Signature"


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def compute_signature(secret: str | bytes, timestamp: int, body: str | bytes) -> str:
    """Hex HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed with ``secret``."""
    message = str(timestamp).encode("ascii") + b"." + _as_bytes(body)
    return hmac.new(_as_bytes(secret), message, hashlib.sha256).hexdigest()


def sign(secret: str | bytes, body: str | bytes, timestamp: int | None = None) -> str:
    """The value of the X-Pictify-Signature header for ``body``, signed now."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={compute_signature(secret, t, body)}"


def _parse_header(header: str) -> tuple[int | None, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    return timestamp, signatures


def verify_signature(
    secret: str | bytes,
    header: str | None,
    body: str | bytes,
    tolerance: float = 300,
    *,
    now: float | None = None,
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and its timestamp is recent.

    Returns False (never raises) for a missing or malformed header, a wrong signature, or
    a timestamp more than ``tolerance`` seconds from now in either direction (replay
    protection); pass ``tolerance=0`` or less to skip the time check. ``body`` must be the
    raw bytes received, before any JSON parsing. Several ``v1=`` values are accepted (any
    may match), which lets a sender rotate secrets. Comparison is constant-time.
    """
    if not header:
        return False
    timestamp, signatures = _parse_header(header)
    if timestamp is None or not signatures:
        return False
    current = time.time() if now is None else now
    if tolerance > 0 and abs(current - timestamp) > tolerance:
        return False
    expected = compute_signature(secret, timestamp, body).encode("ascii")
    # Compare against every candidate without stopping early, so timing says nothing.
    matched = False
    for candidate in signatures:
        matched |= hmac.compare_digest(expected, candidate.encode("utf-8", "replace"))
    return matched
