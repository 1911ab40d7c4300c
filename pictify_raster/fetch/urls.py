"""URL helpers: the form of a URL that may appear in messages and logs."""

from __future__ import annotations

import logging
import re
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


# And any whose words include one of these ("access_key", "X-Api-Key", "pass"); as words,
# not substrings, so that "keyword" or "passage" stay readable.
_SECRET_WORDS = frozenset({"key", "pass", "pwd", "auth", "sig", "session"})


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    if lowered in _SECRET_PARAMS or any(part in lowered for part in _SECRET_PARTS):
        return True
    return not _SECRET_WORDS.isdisjoint(re.split(r"[-_.\s\[\]]+", lowered))


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


# A URL inside a message, up to the first space or quote; trailing punctuation of the
# sentence around it ("(see https://h/x?token=1).") is not part of it.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>]+")
_TRAILING = ".,;:!?)]}"
# A query pair anywhere, URL or not: urllib3 logs a request line such as
# ``"POST /hooks?token=abc HTTP/1.1" 200``, with no scheme or host before the path.
_QUERY_PAIR = re.compile(r"([?&;])([^=&;\s\"'#?]+)=([^&;\s\"'#]*)")


def redact_text(text: str) -> str:
    """``text`` with each URL in it redacted and secret-looking query values masked."""
    text = _URL_IN_TEXT.sub(_redact_match, text)
    return _QUERY_PAIR.sub(_mask_pair, text)


def _redact_match(match: re.Match[str]) -> str:
    url = match.group(0)
    kept = url.rstrip(_TRAILING)
    return redact_url(kept) + url[len(kept):]


def _mask_pair(match: re.Match[str]) -> str:
    sep, name, value = match.groups()
    if not _is_secret(name) or value == "***":
        return match.group(0)
    return f"{sep}{name}=***"


class RedactingFilter(logging.Filter):
    """Rewrites log records so that no credential or token of a URL reaches a handler.

    Our own messages redact URLs where they are written; this catches the libraries
    below us, such as urllib3, which logs every request line (query string included)
    at DEBUG level.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed record: leave it to logging's own error report
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


#: The loggers of the HTTP stack our requests go through.
HTTP_LOGGERS = ("urllib3.connectionpool",)


def install_log_redaction() -> None:
    """Attach a RedactingFilter to the HTTP stack's loggers (once per process)."""
    for name in HTTP_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in target.filters):
            target.addFilter(RedactingFilter())
