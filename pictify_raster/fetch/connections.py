"""urllib3 connections that pass the address guard and obey the deadline.

Two holes that requests leaves open are closed at the socket:

- requests resolves a host name again when it connects, so checking a name
  and then handing the URL over leaves a window in which the DNS answer can
  change (DNS rebinding). Here the connection resolves, checks and connects in
  one step: the socket is pinned to an address that passed the guard. TLS
  still verifies the certificate against the host name, since urllib3 wraps
  the socket after ``_new_conn``.
- requests' time-outs bound each socket receive, so a server that sends its
  status line and headers one byte at a time is never timed out. A watchdog
  timer shuts the socket down when the image's deadline passes, from the
  TLS handshake until the headers are read (the body has its own checks).

The guard and the deadline come from ``request_context`` for the calling
thread; without one, addresses are checked (the safe default) and there is
no watchdog.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.response import HTTPResponse
from urllib3.util import connection

from pictify_raster.fetch.guard import checked_addresses


@dataclass(frozen=True)
class _Context:
    check_addresses: bool = True
    deadline: float | None = None  # time.monotonic() value


_local = threading.local()


@contextmanager
def request_context(*, check_addresses: bool, deadline: float | None) -> Iterator[None]:
    """Guard and deadline for connections used by this thread inside the block."""
    previous = getattr(_local, "context", None)
    _local.context = _Context(check_addresses, deadline)
    try:
        yield
    finally:
        _local.context = previous


def _current() -> _Context:
    context = getattr(_local, "context", None)
    return context if isinstance(context, _Context) else _Context()


def _open_socket(conn: HTTPConnection) -> socket.socket:
    """Resolve, check every address, then connect to the first that answers."""
    context = _current()
    timeout = None if context.deadline is None else context.deadline - time.monotonic()
    try:
        addresses = checked_addresses(
            conn._dns_host, conn.port, allow_private=not context.check_addresses, timeout=timeout
        )
    except socket.gaierror as exc:
        raise NameResolutionError(conn.host, conn, exc) from exc
    except TimeoutError as exc:
        raise ConnectTimeoutError(conn, str(exc)) from exc
    failure: OSError | None = None
    for _family, address in addresses:
        try:
            return connection.create_connection(
                (address, conn.port),
                conn.timeout,
                source_address=conn.source_address,
                socket_options=conn.socket_options,
            )
        except TimeoutError as exc:
            raise ConnectTimeoutError(conn, f"connection to {conn.host} timed out") from exc
        except OSError as exc:
            failure = exc
    raise NewConnectionError(conn, f"failed to connect to {conn.host}: {failure}")


class _Watchdog:
    """Shuts a socket down at the deadline, unless cancelled first."""

    def __init__(self) -> None:
        self._timer: threading.Timer | None = None

    def arm(self, sock: socket.socket | None) -> None:
        deadline = _current().deadline
        if deadline is None or sock is None or self._timer is not None:
            return
        timer = threading.Timer(max(deadline - time.monotonic(), 0.0), _shutdown, (sock,))
        timer.daemon = True
        timer.start()
        self._timer = timer

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _shutdown(sock: socket.socket) -> None:
    # shutdown(), unlike close(), wakes a thread blocked in recv() on Linux.
    # OSError: the socket is already closed, so nothing is waiting on it.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class GuardedHTTPConnection(HTTPConnection):
    """HTTP connection pinned to a checked address, with a deadline watchdog.

    The HTTPS connection below shares these methods: urllib3's HTTPS class
    derives from its HTTP one, and only the connect and response steps change.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._watchdog = _Watchdog()

    def _new_conn(self) -> socket.socket:
        sock = _open_socket(self)
        self._watchdog.arm(sock)
        return sock

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]
        self._watchdog.arm(self.sock)
        try:
            return super().getresponse()
        finally:
            self._watchdog.disarm()

    def close(self) -> None:
        self._watchdog.disarm()
        super().close()


class GuardedHTTPSConnection(GuardedHTTPConnection, HTTPSConnection):
    """HTTPS connection pinned to a checked address, with a deadline watchdog."""


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose connections are guarded and watched."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }
