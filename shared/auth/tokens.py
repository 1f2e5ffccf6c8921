"""The only module that touches python-jose, so the JWT library stays swappable.

Every verification pins the algorithms and checks issuer, audience, expiry and not-before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jose import jwk, jwt
from jose.exceptions import JOSEError

SUPPORTED_ALGORITHMS = ("ES256", "RS256")


class TokenError(Exception):
    """The token is not acceptable; the message says why (safe to log, holds no claim values)."""


Key = Any  # a python-jose key object; opaque to callers


def construct_key(jwk_data: Mapping[str, Any], algorithm: str) -> Key:
    if algorithm not in SUPPORTED_ALGORITHMS:
        raise TokenError(f"algorithm {algorithm} is not supported")
    try:
        return jwk.construct(dict(jwk_data), algorithm)
    except JOSEError as error:
        raise TokenError("malformed key") from error


def public_jwk(private_key_pem: str, algorithm: str, kid: str) -> dict[str, Any]:
    """The public half of a signing key, as published in the JWKS."""
    key = jwk.construct(private_key_pem, algorithm)
    public: dict[str, Any] = key.public_key().to_dict()
    public.update({"kid": kid, "alg": algorithm, "use": "sig"})
    return public


def sign(claims: Mapping[str, Any], *, private_key_pem: str, algorithm: str, kid: str) -> str:
    if algorithm not in SUPPORTED_ALGORITHMS:
        raise TokenError(f"algorithm {algorithm} is not supported")
    return jwt.encode(dict(claims), private_key_pem, algorithm=algorithm, headers={"kid": kid})


def unverified_header(token: str) -> dict[str, Any]:
    try:
        header: dict[str, Any] = jwt.get_unverified_header(token)
    except JOSEError as error:
        raise TokenError("malformed token") from error
    return header


def unverified_issuer(token: str) -> str | None:
    try:
        claims = jwt.get_unverified_claims(token)
    except JOSEError as error:
        raise TokenError("malformed token") from error
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) else None


def verify(
    token: str,
    key: Key,
    *,
    algorithms: tuple[str, ...],
    issuer: str,
    audience: str,
    leeway_seconds: int = 10,
) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=list(algorithms),
            audience=audience,
            issuer=issuer,
            options={
                "require_exp": True,
                "require_iat": False,
                "require_nbf": False,
                "leeway": leeway_seconds,
            },
        )
    except JOSEError as error:
        raise TokenError(type(error).__name__) from error
    return claims
