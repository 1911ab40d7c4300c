"""The address guard: which resolved addresses an image URL may reach."""

from __future__ import annotations

import ipaddress

import pytest

from pictify_raster.fetch.guard import BlockedAddressError, address_kind, check_addresses


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-global"),  # carrier-grade NAT
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
    ],
)
def test_non_public_addresses_are_named(address: str, kind: str) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert address_kind(ipaddress.ip_address(address)) is None


def test_a_name_with_any_private_address_is_refused() -> None:
    """Both answers are checked: the connection might use either."""
    with pytest.raises(BlockedAddressError) as caught:
        check_addresses("mixed.example", [(2, "93.184.216.34"), (2, "10.0.0.5")])
    assert (
        str(caught.value) == "blocked address: mixed.example resolves to private address 10.0.0.5"
    )
