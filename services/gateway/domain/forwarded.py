"""Which address a request came from, behind the proxies the gateway trusts: what the rate limits
and the failed sign-in throttle count by.

``X-Forwarded-For`` is a list each proxy appends to: the address it received the request from.
Whatever the client sent comes first, so only entries on the right, the ones the trusted
proxies appended, say where the request came from; taking any other (the left-most, say) would
let a caller write a fresh address, and get a fresh budget, into every request. So the list is
read from the right:

* with trusted networks (``PONTE_GATEWAY_TRUSTED_PROXIES``, CIDRs): only when the peer itself is
  in them, skipping entries in them; the first entry outside them is the client (each entry was
  written by the trusted proxy to its right). Robust to a varying number of proxies.
* else, ``PONTE_GATEWAY_TRUSTED_PROXY_HOPS`` proxies (default 1) each appended one entry: the
  client is the hops-th entry from the right (the left-most when there are fewer, all of which a
  proxy then wrote). Only right when every request passes through that many proxies.

Without ``PONTE_GATEWAY_TRUST_FORWARDED_FOR`` the header is ignored and the peer is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_ADDRESS_LENGTH = 64


def parse_address(entry: str) -> Address | None:
    """An ``X-Forwarded-For`` entry as an address: bare, ``[v6]:port`` or ``v4:port``; an IPv4
    address mapped into IPv6 as the IPv4 one. None when it is not an address."""
    text = entry.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class ProxyTrust:
    """How far ``X-Forwarded-For`` is believed (see the module's docstring)."""

    trust_forwarded_for: bool = False
    hops: int = 1
    networks: tuple[Network, ...] = ()

    def _trusted(self, address: Address | None) -> bool:
        return address is not None and any(address in network for network in self.networks)

    def client_address(self, client: Sequence[Any] | None, forwarded_for: str | None) -> str:
        """The caller's address; ``forwarded_for``: the header's lines joined by commas."""
        peer: str = client[0] if client else "unknown"
        if not self.trust_forwarded_for or not forwarded_for:
            return peer
        if self.networks and not self._trusted(parse_address(peer)):
            return peer  # not from a trusted proxy: the header is the caller's own
        entries = [entry.strip() for entry in forwarded_for.split(",")]
        chosen = self._from_networks(entries) if self.networks else self._from_hops(entries)
        if not chosen:
            return peer  # a proxy that appends nothing: its own peer is all we know
        address = parse_address(chosen)
        return str(address) if address is not None else chosen[:MAX_ADDRESS_LENGTH]

    def _from_hops(self, entries: list[str]) -> str:
        return entries[-self.hops] if len(entries) >= self.hops else entries[0]

    def _from_networks(self, entries: list[str]) -> str:
        for entry in reversed(entries):
            if not self._trusted(parse_address(entry)):
                return entry
        return entries[0]  # proxies all the way: the first one's peer
