"""Host name resolution bounded by a time-out.

getaddrinfo cannot be interrupted, so a resolver that hangs would hold a
worker past any deadline. The lookup runs in a daemon thread that is waited
for at most ``timeout`` seconds; a lookup that overruns is abandoned (its
thread finishes or dies with the process) and the image fails. A thread per
lookup rather than a pool, because pools do not survive a fork of the worker
process. IP literals are answered without a lookup.
"""

from __future__ import annotations

import ipaddress
import socket
import threading

Address = tuple[int, str]


def resolve(host: str, port: int, timeout: float | None = None) -> list[Address]:
    """The (family, address) pairs ``host`` resolves to, in resolver order.

    Raises socket.gaierror if the name does not resolve and TimeoutError if
    the answer takes longer than ``timeout`` seconds.
    """
    literal = _literal(host)
    if literal is not None:
        return [literal]
    if timeout is None:
        return _lookup(host, port)
    outcome: list[list[Address] | BaseException] = []

    def run() -> None:
        try:
            outcome.append(_lookup(host, port))
        except BaseException as exc:  # handed to the waiting thread
            outcome.append(exc)

    worker = threading.Thread(target=run, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(max(timeout, 0.0))
    if not outcome:
        msg = f"resolving {host} took longer than {timeout:.3g} s"
        raise TimeoutError(msg)
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _literal(host: str) -> Address | None:
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    return (int(family), host.strip("[]"))


def _lookup(host: str, port: int) -> list[Address]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[Address] = []
    for family, _type, _proto, _name, sockaddr in infos:
        pair = (int(family), str(sockaddr[0]))
        if pair not in seen:
            seen.append(pair)
    return seen
