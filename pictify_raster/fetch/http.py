"""HTTP(S) downloads with a total deadline, a byte cap and checked redirects.

requests' ``timeout`` bounds each socket operation, not a whole download, so
a server that sends one byte every few seconds could hold a worker forever
(case C23). Here every read is ``read1`` (one socket receive at most), the
socket time-out is lowered to the time left before each read, and the clock
is checked after each: a download never outlives its deadline by more than
one scheduling slice. Redirects are followed by hand so each hop passes the
scheme check and the address guard before anything is sent to it.

Host name resolution is bounded by the same deadline (see ``resolver.py``).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import ProtocolError, ReadTimeoutError

from pictify_raster.fetch.connections import GuardedAdapter, request_context
from pictify_raster.fetch.failures import fail
from pictify_raster.fetch.guard import BlockedAddressError, checked_addresses
from pictify_raster.fetch.settings import FetchSettings
from pictify_raster.fetch.urls import redact_url

logger = logging.getLogger(__name__)

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


@dataclass
class HttpResponse:
    """A finished download: the body and what the last hop said about it."""

    url: str
    status: int
    content_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class Deadline:
    """The time left for one image, counted from its first request."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def expired(self) -> bool:
        # A time-out set to the time left fires a hair early or late: within
        # 50 ms of the end it is the deadline that stopped the request.
        return self.remaining() <= 0.05

    def describe(self) -> str:
        return f"timed out after {self.seconds:g} s"


class HttpClient:
    """Downloads with one requests.Session per process (connections reused).

    The session is created lazily and again after a fork, since a session's
    pooled sockets must not be shared between processes.
    """

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self._session: requests.Session | None = None
        self._pid = 0

    def session(self) -> requests.Session:
        if self._session is None or self._pid != os.getpid():
            self._session = self._new_session()
            self._pid = os.getpid()
        return self._session

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        # Proxies and .netrc credentials from the environment would bypass the
        # guard or leak credentials to arbitrary image hosts.
        session.trust_env = False
        session.headers["User-Agent"] = self.settings.user_agent
        session.headers["Accept"] = "image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8"
        adapter = GuardedAdapter()
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> HttpResponse:
        """Follow up to ``max_redirects`` redirects and return the final body.

        Raises ImageFetchError for every failure, naming the (redacted) URL.
        A 304 answer to a conditional request is returned with an empty body.
        """
        deadline = Deadline(self.settings.total_timeout)
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            where = _where(url, current)
            self._check_target(current, where, deadline)
            response = self._request(current, headers or {}, deadline, where)
            location = response.headers.get("Location")
            if response.status_code in _REDIRECT_STATUSES and location:
                response.close()
                logger.debug("redirect %s -> %s", redact_url(current), redact_url(location))
                current = urljoin(current, location)
                continue
            with response:
                result = self._finish(current, response, deadline, where)
            logger.debug("fetched %s (%d bytes)", where, len(result.body))
            return result
        fail(
            f"too many redirects (more than {self.settings.max_redirects})",
            f"{redact_url(url)} last went to {redact_url(current)}",
        )

    def _check_target(self, url: str, where: str, deadline: Deadline) -> None:
        """Refuse schemes other than http(s) and hosts the guard blocks."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            fail(f"unsupported URL scheme '{parts.scheme}:' in redirect", where)
        if not parts.hostname:
            fail("URL has no host", where)
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        except ValueError:
            fail("URL has an invalid port", where)
        if self.settings.allow_private_networks:
            return
        try:
            checked_addresses(
                parts.hostname, port, allow_private=False, timeout=deadline.remaining()
            )
        except BlockedAddressError as exc:
            fail(str(exc), where)
        except TimeoutError:
            fail(deadline.describe(), where)
        except OSError as exc:
            fail(f"cannot resolve host '{parts.hostname}': {exc.strerror or exc}", where)

    def _request(
        self, url: str, headers: Mapping[str, str], deadline: Deadline, where: str
    ) -> requests.Response:
        remaining = deadline.remaining()
        if remaining <= 0:
            fail(deadline.describe(), where)
        timeout = (min(self.settings.connect_timeout, remaining), remaining)
        guard = not self.settings.allow_private_networks
        try:
            with request_context(check_addresses=guard, deadline=deadline.end):
                return self.session().get(
                    url, headers=dict(headers), stream=True, allow_redirects=False, timeout=timeout
                )
        except BlockedAddressError as exc:
            fail(str(exc), where)
        except requests.RequestException as exc:
            # The watchdog ends a stalled exchange by shutting the socket, which
            # surfaces as a connection error: the deadline is the real cause.
            if deadline.expired():
                fail(deadline.describe(), where)
            if isinstance(exc, requests.Timeout):
                fail("connection timed out", where)
            fail(f"request failed: {_cause(exc)}", where)

    def _finish(
        self, url: str, response: requests.Response, deadline: Deadline, where: str
    ) -> HttpResponse:
        status = response.status_code
        content_type = response.headers.get("Content-Type", "")
        if status == 304:
            return HttpResponse(url, status, content_type, b"", dict(response.headers))
        if status >= 400:
            fail(f"HTTP {status} {response.reason or ''}".rstrip(), where)
        if status != 200:
            fail(f"unexpected HTTP status {status}", where)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.settings.max_bytes:
            fail(
                f"too many bytes: Content-Length {int(declared)} exceeds the limit of "
                f"{self.settings.max_bytes} bytes",
                where,
            )
        body = self._read_body(response, deadline, where)
        return HttpResponse(url, status, content_type, body, dict(response.headers))

    def _read_body(self, response: requests.Response, deadline: Deadline, where: str) -> bytes:
        """Read the body one receive at a time, against the clock and byte cap."""
        raw = response.raw
        chunks: list[bytes] = []
        size = 0
        while True:
            remaining = deadline.remaining()
            if remaining <= 0:
                fail(deadline.describe(), where)
            _set_socket_timeout(raw, remaining)
            try:
                chunk = raw.read1(_CHUNK, decode_content=True)
            except (TimeoutError, ReadTimeoutError):
                fail(deadline.describe(), where)
            except ProtocolError:
                if deadline.expired():
                    fail(deadline.describe(), where)
                fail(f"truncated response body (connection closed after {size} bytes)", where)
            except (OSError, Urllib3Error) as exc:
                if deadline.expired():
                    fail(deadline.describe(), where)
                fail(f"download failed: {_cause(exc)}", where)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.settings.max_bytes:
                limit = self.settings.max_bytes
                fail(f"too many bytes: body exceeds the limit of {limit} bytes", where)
            chunks.append(chunk)


def _where(first: str, current: str) -> str:
    """The URL for messages, and the hop reached when redirects were followed."""
    if first == current:
        return redact_url(first)
    return f"{redact_url(first)}, final URL {redact_url(current)}"


def _set_socket_timeout(raw: object, seconds: float) -> None:
    """Lower the socket's time-out so one receive cannot pass the deadline."""
    connection = getattr(raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.01))


def _cause(exc: BaseException) -> str:
    """The root cause of a connection error, without the URL in it.

    requests' messages embed the request path (query tokens included), so
    the reason shown is the innermost OS error ("Connection refused") or the
    exception's class name, never its full text.
    """
    current: BaseException | None = exc
    for _depth in range(8):
        if current is None:
            break
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
        if isinstance(current, requests.exceptions.SSLError):
            return "TLS error"
        current = _inner(current)
    return type(exc).__name__


def _inner(exc: BaseException) -> BaseException | None:
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException):
        return reason
    if exc.args and isinstance(exc.args[0], BaseException):
        return exc.args[0]
    return exc.__cause__ or exc.__context__
