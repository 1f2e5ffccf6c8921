"""The only module that touches python-jose, so the JWT library stays swappable.

Every verification pins the algorithms and requires ``iss``, ``aud``, ``exp`` and ``iat`` on every
token, whoever issued it (python-jose checks a claim it is given only when the token has it: a token
without ``aud`` would pass the audience check); ``nbf`` is checked when present. The times must be
numbers, and ``iat`` not in the future: the gateway's revocation list compares it with the time
an account was revoked, so a token dated ahead would outlive the revocation.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any, Final

from jose import jwk, jwt
from jose.exceptions import JOSEError

SUPPORTED_ALGORITHMS = ("ES256", "RS256")
REQUIRED_CLAIMS: Final = ("iss", "aud", "exp", "iat")
_TIME_CLAIMS: Final = ("exp", "iat", "nbf")


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
            # Each claim present is checked; that the required ones are, _check_claims says.
            options={"leeway": leeway_seconds},
        )
    except JOSEError as error:  # python-jose's messages name claims, never their values
        raise TokenError(f"{type(error).__name__}: {error}") from error
    except (TypeError, ValueError, OverflowError) as error:  # python-jose's int() of a time claim
        raise TokenError("malformed time claim") from error
    _check_claims(claims, leeway_seconds)
    return claims


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_claims(claims: Mapping[str, Any], leeway_seconds: int) -> None:
    """The required claims are there, NumericDate claims are JSON numbers (python-jose also takes
    ``"123"`` and ``true``), and the token was not issued in the future."""
    for name in REQUIRED_CLAIMS:
        if name not in claims:
            raise TokenError(f"the token has no {name} claim")
    for name in _TIME_CLAIMS:
        if name in claims and not _is_number(claims[name]):
            raise TokenError(f"the {name} claim is not a number")
    if claims["iat"] > time.time() + leeway_seconds:
        raise TokenError("token issued in the future")
