"""The address guard: which hosts an image URL may reach.

A URL from a data row must not make a worker talk to the machine itself, the
private network behind it, or a cloud metadata service (169.254.169.254).
The host is resolved and every address it resolves to is checked before any
byte is sent; ``connections.py`` then connects only to an address that passed, so
a DNS answer that changes between check and connect cannot slip through.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from pictify_raster.fetch.resolver import resolve

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddressError(Exception):
    """The host resolves to an address the settings do not allow."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        self.host = host
        self.address = address
        self.kind = kind
        super().__init__(f"blocked address: {host} resolves to {kind} address {address}")


def address_kind(address: IPAddress) -> str | None:
    """Why ``address`` is not public ("loopback", "private", …), or None."""
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 (mapped) and 2002::/16 (6to4) addresses reach IPv4
        # hosts, so the IPv4 address inside decides.
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return address_kind(mapped)
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-global", not address.is_global),
    )
    for kind, hit in checks:
        if hit:
            return kind
    return None


def check_addresses(host: str, addresses: Sequence[tuple[int, str]]) -> None:
    """Refuse the host if any of its addresses is not public.

    All addresses are checked, not only the first: a name that resolves to
    both a public and a private address is refused, since the connection
    might use either.
    """
    for _family, text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        kind = address_kind(address)
        if kind is not None:
            raise BlockedAddressError(host, text, kind)


def checked_addresses(
    host: str, port: int, allow_private: bool, timeout: float | None = None
) -> list[tuple[int, str]]:
    """Resolve ``host`` (within ``timeout`` seconds) and return its addresses
    once they pass the guard."""
    addresses = resolve(host, port, timeout)
    if not allow_private:
        check_addresses(host, addresses)
    return addresses
