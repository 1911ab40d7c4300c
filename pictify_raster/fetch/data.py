"""data: URIs (RFC 2397), decoded with the byte cap applied before decoding."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_to_bytes

from pictify_raster.fetch.failures import fail
from pictify_raster.fetch.urls import redact_url


def decode_data_uri(uri: str, max_bytes: int) -> bytes:
    """The bytes a data: URI carries; raises ImageFetchError if malformed or too big."""
    where = redact_url(uri)
    header, sep, payload = uri[5:].partition(",")
    if not sep:
        fail("malformed data URI: no ',' before the data", where)
    is_base64 = header.lower().endswith(";base64")
    # Base64 shrinks by 3/4; checking the estimate first avoids decoding a
    # huge string only to throw it away.
    estimate = len(payload) * 3 // 4 if is_base64 else len(payload) // 3
    if estimate > max_bytes:
        fail(f"too many bytes: data URI exceeds the limit of {max_bytes} bytes", where)
    if is_base64:
        try:
            body = base64.b64decode("".join(payload.split()), validate=True)
        except (binascii.Error, ValueError):
            fail("malformed data URI: invalid base64", where)
    else:
        body = unquote_to_bytes(payload)
    if len(body) > max_bytes:
        fail(f"too many bytes: data URI exceeds the limit of {max_bytes} bytes", where)
    if not body:
        fail("empty body: the data URI carries no data", where)
    return body
