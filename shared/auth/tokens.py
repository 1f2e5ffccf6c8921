"""The only module that touches the JWT library (PyJWT), so it stays swappable.

Every verification pins the algorithms, and a key verifies only the algorithm it was built for
(an EC key never checks an RS256 or HS256 signature, whatever the header says). ``iss``, ``aud``,
``exp`` and ``iat`` are required on every token, whoever issued it; ``nbf`` is checked when
present. The times must be numbers, and ``iat`` not in the future: the gateway's revocation list
compares it with the time an account was revoked, so a token dated ahead would outlive the
revocation. A token that names a critical header extension (``crit``, RFC 7515 §4.1.11) or an
unencoded payload (``b64``, RFC 7797) is refused: Ponte understands none.

The library's messages stay inside: a :class:`TokenError` says why in words of its own, which name
claims, never their values.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

SUPPORTED_ALGORITHMS = ("ES256", "RS256")
REQUIRED_CLAIMS: Final = ("iss", "aud", "exp", "iat")
_TIME_CLAIMS: Final = ("exp", "iat", "nbf")
_REFUSED_HEADERS: Final = ("crit", "b64")
_MIN_RSA_BITS: Final = 2048

# Why a token was refused, by the library's exception (most specific first).
_REASONS: Final[tuple[tuple[type[Exception], str], ...]] = (
    (jwt.ExpiredSignatureError, "token expired"),
    (jwt.ImmatureSignatureError, "token not yet valid"),
    (jwt.InvalidAudienceError, "wrong audience"),
    (jwt.InvalidIssuerError, "wrong issuer"),
    (jwt.InvalidSignatureError, "bad signature"),
    (jwt.InvalidAlgorithmError, "algorithm not allowed"),
    (jwt.DecodeError, "malformed token"),
)


class TokenError(Exception):
    """The token is not acceptable; the message says why (safe to log, holds no claim values)."""


@dataclass(frozen=True)
class _VerificationKey:
    """A public key and the one algorithm it may verify."""

    algorithm: str
    public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey


Key = Any  # a _VerificationKey; opaque to callers


def construct_key(jwk_data: Mapping[str, Any], algorithm: str) -> Key:
    """A verification key from a JWK; refused unless its type fits ``algorithm`` (ES256: an EC
    key on P-256; RS256: an RSA key of at least 2048 bits). A private JWK yields its public half."""
    if algorithm not in SUPPORTED_ALGORITHMS:
        raise TokenError(f"algorithm {algorithm} is not supported")
    try:
        if algorithm == "ES256":
            key: Any = ECAlgorithm.from_jwk(dict(jwk_data))
        else:
            key = RSAAlgorithm.from_jwk(dict(jwk_data))
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as error:
        raise TokenError("malformed key") from error
    if isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        key = key.public_key()
    if algorithm == "ES256" and not (
        isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)
    ):
        raise TokenError("malformed key")
    if algorithm == "RS256" and not (
        isinstance(key, rsa.RSAPublicKey) and key.key_size >= _MIN_RSA_BITS
    ):
        raise TokenError("malformed key")
    return _VerificationKey(algorithm, key)


def public_jwk(private_key_pem: str, algorithm: str, kid: str) -> dict[str, Any]:
    """The public half of a signing key, as published in the JWKS."""
    private = load_pem_private_key(private_key_pem.encode(), password=None)
    public: dict[str, Any]
    if algorithm == "ES256" and isinstance(private, ec.EllipticCurvePrivateKey):
        public = dict(ECAlgorithm.to_jwk(private.public_key(), as_dict=True))
    elif algorithm == "RS256" and isinstance(private, rsa.RSAPrivateKey):
        public = dict(RSAAlgorithm.to_jwk(private.public_key(), as_dict=True))
        public.pop("key_ops", None)  # "use" says it, as before
    else:
        raise TokenError(f"the key does not fit algorithm {algorithm}")
    public.update({"kid": kid, "alg": algorithm, "use": "sig"})
    return public


def sign(claims: Mapping[str, Any], *, private_key_pem: str, algorithm: str, kid: str) -> str:
    if algorithm not in SUPPORTED_ALGORITHMS:
        raise TokenError(f"algorithm {algorithm} is not supported")
    return jwt.encode(
        dict(claims), private_key_pem, algorithm=algorithm, headers={"kid": kid, "typ": "JWT"}
    )


def unverified_header(token: str) -> dict[str, Any]:
    try:
        header: dict[str, Any] = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise TokenError("malformed token") from error
    return header


def unverified_issuer(token: str) -> str | None:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
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
    if not isinstance(key, _VerificationKey) or key.algorithm not in algorithms:
        raise TokenError("algorithm not allowed")
    header = unverified_header(token)
    for name in _REFUSED_HEADERS:
        if name in header:
            raise TokenError(f"unsupported header parameter {name}")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.public_key,
            algorithms=[key.algorithm],  # the key's own, never the header's choice
            audience=audience,
            issuer=issuer,
            leeway=leeway_seconds,
            # iat is checked below, as a number and not in the future (the library takes "0").
            options={"require": list(REQUIRED_CLAIMS), "verify_iat": False, "strict_aud": False},
        )
    except jwt.MissingRequiredClaimError as error:
        raise TokenError(f"the token has no {error.claim} claim") from error
    except jwt.PyJWTError as error:
        raise TokenError(_reason(error)) from error
    _check_claims(claims, leeway_seconds)
    return claims


def _reason(error: Exception) -> str:
    for kind, reason in _REASONS:
        if isinstance(error, kind):
            return reason
    return f"invalid token ({type(error).__name__})"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_claims(claims: Mapping[str, Any], leeway_seconds: int) -> None:
    """The required claims are there, NumericDate claims are JSON numbers (the library also takes
    ``"123"`` and ``true``), and the token was not issued in the future."""
    for name in REQUIRED_CLAIMS:
        if name not in claims:
            raise TokenError(f"the token has no {name} claim")
    for name in _TIME_CLAIMS:
        if name in claims and not _is_number(claims[name]):
            raise TokenError(f"the {name} claim is not a number")
    if claims["iat"] > time.time() + leeway_seconds:
        raise TokenError("token issued in the future")
