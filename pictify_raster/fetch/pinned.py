"""Connections that only open to addresses the guard accepted.

requests resolves a host name again when it connects, so checking a name and
then handing the URL to requests leaves a window in which a DNS answer can
change (DNS rebinding). These urllib3 connection classes resolve, check and
connect in one step, pinning the socket to an address that passed the guard.
TLS still verifies the certificate against the host name, since urllib3 wraps
the socket after ``_new_conn``.
"""

from __future__ import annotations

import socket
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection

from pictify_raster.fetch.guard import checked_addresses


def _open_pinned(conn: HTTPConnection) -> socket.socket:
    """Resolve, check every address, then connect to the first that answers."""
    try:
        addresses = checked_addresses(conn._dns_host, conn.port, allow_private=False)
    except socket.gaierror as exc:
        raise NameResolutionError(conn.host, conn, exc) from exc
    last: OSError | None = None
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
            last = exc
    raise NewConnectionError(conn, f"failed to connect to {conn.host}: {last}")


class _PinnedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _open_pinned(self)


class _PinnedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _open_pinned(self)


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class PinnedAdapter(HTTPAdapter):
    """A requests adapter whose connections pass the address guard."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _PinnedHTTPPool,
            "https": _PinnedHTTPSPool,
        }
