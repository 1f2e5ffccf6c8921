"""How every reader of ``Authorization`` reads it: the gateway's proxy and rate limiter, the
gateway's and the services' route dependencies, the internal endpoints, the token endpoint.

A request carries at most one ``Authorization`` header: ``shared.middleware`` refuses one with more
(in front of the gateway and of every service), so that the gateway cannot check one credential
while a service acts on another. What is left to agree on is how the one header is parsed, here.
"""

from __future__ import annotations

from typing import Final

AUTHORIZATION: Final = b"authorization"


def credentials(header: str | bytes | None, scheme: str) -> str | None:
    """The credentials of an ``Authorization`` value that uses ``scheme`` (case-insensitive,
    lower-case ``scheme`` expected), without surrounding blanks; None when there is no header, it
    names another scheme, or carries nothing after the scheme."""
    if not header:
        return None
    if isinstance(header, bytes):
        header = header.decode("latin-1")
    given, _, value = header.partition(" ")
    if given.lower() != scheme:
        return None
    return value.strip() or None


def bearer(header: str | bytes | None) -> str | None:
    """The token of a ``Bearer`` value (RFC 6750), else None."""
    return credentials(header, "bearer")
