"""Where the gateway may send a webhook: never into its own network (SSRF).

A target URL is http(s), without credentials, on a host whose every address is public. Loopback
is allowed only by ``PONTE_GATEWAY_WEBHOOK_ALLOW_LOOPBACK`` (tests, a laptop) and private ranges
(RFC 1918, unique-local IPv6, CGNAT) only by ``PONTE_GATEWAY_WEBHOOK_ALLOW_PRIVATE`` (a partner
inside the same network); link-local (cloud metadata at 169.254.169.254), multicast, reserved and
unspecified addresses never. Plain http is accepted only towards such an allowed local address.

An IPv6 address that carries an IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible
``::a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``, Teredo ``2001::/32``) is judged by the
IPv4 address it reaches, since a translator or relay would deliver it there; the local-use NAT64
prefix ``64:ff9b:1::/48`` (RFC 8215, where the IPv4 address may sit anywhere) is never a target,
and deprecated site-local ``fec0::/10`` counts as private.

A host *name* that is refused for where it points gets the same answer as one that does not
resolve: otherwise the refusal would tell a subscriber which internal names exist.

The host is resolved when a subscription is made and again at every delivery, and the delivery
connects to the address that was checked (the host name still goes in ``Host`` and TLS's SNI),
so a DNS answer that changes between the check and the connection cannot redirect it.
Redirects are not followed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
RESOLVE_TIMEOUT_SECONDS = 3.0
# One answer for a name that does not resolve and a name that resolves inside the network.
UNREACHABLE_NAME = "The host name does not resolve to a public address that can receive webhooks."
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_SITE_LOCAL = ipaddress.IPv6Network("fec0::/10")


class TargetRefused(Exception):
    """Why a URL may not receive webhooks; the message is safe to show the subscriber."""


@dataclass(frozen=True)
class AddressPolicy:
    allow_loopback: bool = False
    allow_private: bool = False


@dataclass(frozen=True)
class Target:
    """A checked destination: connect to ``connect_url`` (the address), present ``host``."""

    connect_url: httpx.URL
    host_header: str
    sni_hostname: str | None
    address: str


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
        answers = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(answer[4][0]) for answer in answers))


def embedded_ipv4(address: IPAddress) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries (a relay or translator would reach them), or
    none. Teredo carries two (the server and the client): both must be acceptable."""
    if isinstance(address, ipaddress.IPv4Address):
        return ()
    if address.ipv4_mapped is not None:
        return (address.ipv4_mapped,)
    if address.sixtofour is not None:
        return (address.sixtofour,)
    if address.teredo is not None:
        return address.teredo
    low = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _NAT64:
        return (low,)
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # :: and ::1 are IPv6's own
        return (low,)
    return ()


def refusal(address: IPAddress, policy: AddressPolicy) -> str | None:
    """Why ``address`` may not be a target, or None when it may."""
    embedded = embedded_ipv4(address)
    if embedded:
        return next((r for r in (_refusal(ip, policy) for ip in embedded) if r is not None), None)
    if isinstance(address, ipaddress.IPv6Address):
        if address in _NAT64_LOCAL:
            return "a local-use NAT64 address"
        if address in _SITE_LOCAL:
            return None if policy.allow_private else "a private address"
    return _refusal(address, policy)


def _refusal(address: IPAddress, policy: AddressPolicy) -> str | None:
    if address.is_loopback:
        return None if policy.allow_loopback else "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_global:
        return None
    if address.is_reserved:
        return "a reserved address"
    # RFC 1918, unique-local, shared (CGNAT) and the like: not reachable from the internet.
    return None if policy.allow_private else "a private address"


def parse(url: str) -> httpx.URL:
    """The URL, if its form is acceptable (scheme, host, no credentials)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise TargetRefused("The URL is not valid.") from None
    if parsed.scheme not in ("http", "https"):
        raise TargetRefused("Only http and https URLs can receive webhooks.")
    if not parsed.host:
        raise TargetRefused("The URL has no host.")
    if parsed.userinfo:
        raise TargetRefused("The URL must not contain credentials; verify signatures instead.")
    if parsed.fragment:
        raise TargetRefused("The URL must not contain a fragment.")
    return parsed


async def check(url: str, policy: AddressPolicy, resolver: Resolver = system_resolver) -> Target:
    """Resolve ``url``'s host and refuse it unless every address is allowed; raises
    :class:`TargetRefused` (with a reason fit to show) otherwise."""
    parsed = parse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    literal = _literal(parsed.host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            answers = await resolver(parsed.host, port)
        except (OSError, TimeoutError, UnicodeError):
            raise TargetRefused(UNREACHABLE_NAME) from None
        addresses = [ip for ip in (_literal(answer) for answer in answers) if ip is not None]
        if not addresses:
            raise TargetRefused(UNREACHABLE_NAME)
    for address in addresses:
        reason = refusal(address, policy)
        if reason is not None and literal is None:
            raise TargetRefused(UNREACHABLE_NAME)
        if reason is not None:  # the subscriber wrote the address: saying why tells them nothing
            raise TargetRefused(f"The URL names {reason}, which cannot receive webhooks.")
    if parsed.scheme == "http" and any(_public(address) for address in addresses):
        raise TargetRefused("Use https: plain http is accepted for local test receivers only.")
    chosen = addresses[0]
    return Target(
        connect_url=parsed.copy_with(host=str(chosen)),
        host_header=parsed.netloc.decode("ascii"),
        sni_hostname=parsed.host if parsed.scheme == "https" and literal is None else None,
        address=str(chosen),
    )


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])  # an IPv6 zone id never passes anyway
    except ValueError:
        return None


def _public(address: IPAddress) -> bool:
    return refusal(address, AddressPolicy()) is None
