"""Which address a request came from behind trusted proxies (domain.forwarded): the entries the
proxies appended, read from the right, never one the caller wrote."""

from __future__ import annotations

import ipaddress

import pytest

from services.gateway.domain.forwarded import ProxyTrust, parse_address

PEER = ("10.0.0.1", 5000)
ONE_PROXY = ProxyTrust(trust_forwarded_for=True)
TWO_PROXIES = ProxyTrust(trust_forwarded_for=True, hops=2)
CLUSTER = ProxyTrust(
    trust_forwarded_for=True,
    networks=(ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8")),
)


def test_without_trust_the_header_is_ignored() -> None:
    assert ProxyTrust().client_address(PEER, "203.0.113.9") == "10.0.0.1"
    assert ProxyTrust().client_address(None, None) == "unknown"


def test_one_proxy_the_last_entry_is_the_client() -> None:
    assert ONE_PROXY.client_address(PEER, None) == "10.0.0.1"
    assert ONE_PROXY.client_address(PEER, "203.0.113.9, 10.0.0.2") == "10.0.0.2"
    assert ONE_PROXY.client_address(PEER, " , 10.0.0.2") == "10.0.0.2"
    assert ONE_PROXY.client_address(PEER, "203.0.113.9, ") == "10.0.0.1"  # nothing appended
    assert ONE_PROXY.client_address(None, "x" * 100) == "x" * 64


@pytest.mark.parametrize("forged", ["1.1.1.1", "1.1.1.1, 2.2.2.2", "not-an-address", "::1"])
def test_forged_left_most_entries_never_change_the_address(forged: str) -> None:
    assert ONE_PROXY.client_address(PEER, f"{forged}, 203.0.113.9") == "203.0.113.9"
    assert TWO_PROXIES.client_address(PEER, f"{forged}, 203.0.113.9, 10.0.0.7") == "203.0.113.9"
    assert CLUSTER.client_address(PEER, f"{forged}, 203.0.113.9, 10.2.0.7") == "203.0.113.9"


def test_two_proxies_the_second_entry_from_the_right_or_the_only_ones() -> None:
    assert TWO_PROXIES.client_address(PEER, "203.0.113.9, 10.0.0.7") == "203.0.113.9"
    # Fewer entries than proxies: the caller sent none, so the left-most is a proxy's.
    assert TWO_PROXIES.client_address(PEER, "203.0.113.9") == "203.0.113.9"


def test_trusted_networks_skip_every_proxy_of_theirs_from_the_right() -> None:
    assert CLUSTER.client_address(PEER, "203.0.113.9") == "203.0.113.9"
    assert CLUSTER.client_address(PEER, "203.0.113.9, 10.2.0.7, 10.3.0.1") == "203.0.113.9"
    assert CLUSTER.client_address(PEER, "[2001:db8::5]:443, [fd00::7]:80") == "2001:db8::5"
    assert CLUSTER.client_address(PEER, "10.9.9.9, 10.2.0.7") == "10.9.9.9"  # all proxies
    # A trusted network's address written by the caller, left of the client, is not reached.
    assert CLUSTER.client_address(PEER, "10.1.1.1, 198.51.100.4, 10.2.0.7") == "198.51.100.4"


def test_trusted_networks_ignore_the_header_from_a_peer_outside_them() -> None:
    outsider = ("198.51.100.1", 4000)
    assert CLUSTER.client_address(outsider, "203.0.113.9") == "198.51.100.1"


@pytest.mark.parametrize(
    ("entry", "address"),
    [
        ("203.0.113.9", "203.0.113.9"),
        (" 203.0.113.9:8443 ", "203.0.113.9"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("unknown", None),
        ("", None),
    ],
)
def test_entries_are_parsed_with_or_without_ports(entry: str, address: str | None) -> None:
    parsed = parse_address(entry)
    assert (str(parsed) if parsed is not None else None) == address
