"""URL helpers: the form of a URL that may appear in messages and logs."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that commonly carry secrets (signed URLs, API keys).
_SECRET_PARAMS = frozenset(
    {
        "token",
        "access_token",
        "auth",
        "key",
        "api_key",
        "apikey",
        "password",
        "secret",
        "signature",
        "sig",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "x-goog-signature",
        "x-goog-credential",
    }
)
# Any parameter whose name contains one of these is masked too
# ("upload_token", "X-Amz-Signature", "client_secret").
_SECRET_PARTS = ("token", "secret", "password", "passwd", "signature", "credential", "apikey")
_MAX_SHOWN = 300


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return lowered in _SECRET_PARAMS or any(part in lowered for part in _SECRET_PARTS)


def redact_url(url: str) -> str:
    """The URL without ``user:pass@`` and with secret query values masked.

    data: URIs are shortened to their media type, since their payload is
    useless in a message and may be megabytes long.
    """
    if url[:5].lower() == "data:":
        head = url.split(",", 1)[0]
        return head[:80] + ",…"
    try:
        parts = urlsplit(url)
    except ValueError:
        return url[:_MAX_SHOWN]
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if _is_secret(k) else v) for k, v in pairs], safe="*/:")
    shown = urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    if len(shown) > _MAX_SHOWN:
        shown = shown[:_MAX_SHOWN] + "…"
    return shown
