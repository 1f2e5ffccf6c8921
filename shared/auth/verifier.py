"""Token verification: from a bearer token to a :class:`Principal`.

Our own issuer's tokens carry Ponte's claims; an external OpenID Connect issuer's claims are mapped
by configuration (``PONTE_AUTH_TRUSTED_ISSUERS``). Verified tokens are cached until they expire:
the signature check is the most expensive step of an authenticated request. What can end a token
before its expiry is asked on every call, cache hit or not: the ``revoked`` predicate (the gateway's
revocation list, ``services.gateway.service.revocation``: an account deactivated, erased or
changed, a client revoked), and key removal, which short lifetimes bound.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.auth.keys import KeySource
from shared.auth.principal import Principal, PrincipalKind, Role
from shared.auth.tokens import TokenError, unverified_header, unverified_issuer, verify

OWN_CLAIMS = {
    "subject": "sub",
    "organization_id": "org",
    "roles": "roles",
    "beneficiary_id": "bid",
    "kind": "kind",
}


@dataclass(frozen=True)
class IssuerPolicy:
    issuer: str
    audience: str
    algorithms: tuple[str, ...]
    keys: KeySource
    claims: Mapping[str, str]


class TokenVerifier:
    def __init__(
        self,
        policies: list[IssuerPolicy],
        *,
        cache_size: int = 10_000,
        revoked: Callable[[Principal], bool] | None = None,
    ) -> None:
        if not policies:
            raise ValueError("at least one issuer must be trusted")
        self._policies = {policy.issuer: policy for policy in policies}
        self._cache: OrderedDict[str, Principal] = OrderedDict()
        self._cache_size = cache_size
        self._revoked = revoked

    async def verify(self, token: str) -> Principal:
        principal = self._cache.get(token)
        if principal is None or principal.expires_at <= time.time():
            self._cache.pop(token, None)
            principal = await self._verify(token)
        if self._revoked is not None and self._revoked(principal):
            raise TokenError("token revoked")
        return principal

    async def _verify(self, token: str) -> Principal:
        header = unverified_header(token)
        kid, algorithm = header.get("kid"), header.get("alg")
        if not isinstance(kid, str) or not isinstance(algorithm, str):
            raise TokenError("token header lacks kid or alg")
        policy = self._policies.get(unverified_issuer(token) or "")
        if policy is None:
            raise TokenError("untrusted issuer")
        if algorithm not in policy.algorithms:
            raise TokenError("algorithm not allowed")
        key = await policy.keys.key_for(kid, algorithm)
        if key is None:
            raise TokenError("unknown key id")
        claims = verify(
            token,
            key,
            algorithms=policy.algorithms,
            issuer=policy.issuer,
            audience=policy.audience,
        )
        principal = _principal(claims, policy)
        self._remember(token, principal)
        return principal

    def _remember(self, token: str, principal: Principal) -> None:
        self._cache[token] = principal
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError as error:
        raise TokenError("malformed id claim") from error


def _principal(claims: Mapping[str, Any], policy: IssuerPolicy) -> Principal:
    mapping = policy.claims
    subject = _claim(claims, mapping.get("subject", "sub"))
    if not isinstance(subject, str) or not subject:
        raise TokenError("token has no subject")
    raw_roles = _claim(claims, mapping.get("roles", "roles")) or []
    if isinstance(raw_roles, str):
        raw_roles = raw_roles.split()
    if not isinstance(raw_roles, list):
        raise TokenError("roles claim is not a list")
    known = {role.value for role in Role}
    roles = frozenset(Role(role) for role in raw_roles if role in known)
    kind_claim = _claim(claims, mapping["kind"]) if "kind" in mapping else None
    kind = PrincipalKind.CLIENT if kind_claim == PrincipalKind.CLIENT else PrincipalKind.USER
    scope = claims.get("scope")
    return Principal(
        subject=subject,
        kind=kind,
        organization_id=_uuid_or_none(_claim(claims, mapping.get("organization_id", "org"))),
        roles=roles,
        beneficiary_id=_uuid_or_none(_claim(claims, mapping.get("beneficiary_id", "bid"))),
        issuer=policy.issuer,
        expires_at=int(claims["exp"]),
        issued_at=float(claims["iat"]),
        token_id=claims.get("jti") if isinstance(claims.get("jti"), str) else None,
        scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
    )
