"""``shared.auth.tokens`` against forged tokens, whatever JWT library is behind it: no signature,
HMAC keyed with the public key, a key of another type or curve, a critical header extension, an
unencoded payload, a wrong key, a tampered payload; and keys of the wrong kind are refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from shared.auth.tokens import TokenError, construct_key, public_jwk, sign, verify
from shared.testing.tokens import TestIssuer, public_pem


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _json(data: dict[str, Any]) -> str:
    return _b64(json.dumps(data).encode())


def _pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _verify(issuer: TestIssuer, token: str, jwk: dict[str, Any] | None = None) -> dict[str, Any]:
    key = construct_key(jwk or issuer.jwks["keys"][0], "ES256")
    return verify(token, key, algorithms=("ES256",), issuer=issuer.issuer, audience=issuer.audience)


def _signed(issuer: TestIssuer, claims: dict[str, Any], by: TestIssuer | None = None) -> str:
    pem = (by or issuer).private_pem
    return sign(claims, private_key_pem=pem, algorithm="ES256", kid=issuer.kid)


def _resigned(issuer: TestIssuer, header: dict[str, Any], claims: dict[str, Any]) -> str:
    """A token with ``header`` as given, genuinely signed by the issuer (ES256: raw r || s)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    private = serialization.load_pem_private_key(issuer.private_pem.encode(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    signing_input = f"{_json(header)}.{_json(claims)}"
    r, s = decode_dss_signature(private.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def test_a_genuine_token_verifies_and_a_resigned_one_too() -> None:
    issuer = TestIssuer()
    claims = issuer.claims()
    assert _verify(issuer, _signed(issuer, claims))["sub"] == claims["sub"]
    header = {"alg": "ES256", "typ": "JWT", "kid": issuer.kid}
    assert _verify(issuer, _resigned(issuer, header, claims))["sub"] == claims["sub"]


@pytest.mark.parametrize(
    "extra_header",
    [{"crit": ["exp"]}, {"crit": ["b64"], "b64": False}, {"crit": ["b64"]}, {"b64": True}],
)
def test_critical_extensions_and_unencoded_payloads_are_refused(
    extra_header: dict[str, Any],
) -> None:
    issuer = TestIssuer()
    header = {"alg": "ES256", "typ": "JWT", "kid": issuer.kid, **extra_header}
    # The library may refuse it as malformed before our own check names the parameter.
    with pytest.raises(TokenError, match=r"unsupported header parameter|malformed token"):
        _verify(issuer, _resigned(issuer, header, issuer.claims()))


def test_alg_none_and_hmac_with_the_public_key_are_refused() -> None:
    issuer = TestIssuer()
    claims = _json(issuer.claims())
    unsigned = f"{_json({'alg': 'none', 'typ': 'JWT', 'kid': issuer.kid})}.{claims}."
    hs_input = f"{_json({'alg': 'HS256', 'typ': 'JWT', 'kid': issuer.kid})}.{claims}"
    secret = public_pem(issuer.jwks["keys"][0])
    hs256 = f"{hs_input}.{_b64(hmac.new(secret, hs_input.encode(), hashlib.sha256).digest())}"
    for forged in (unsigned, hs256):
        with pytest.raises(TokenError, match="algorithm not allowed"):
            _verify(issuer, forged)


def test_a_key_verifies_only_its_own_algorithm() -> None:
    """Key confusion: a policy that allows RS256 and ES256 still checks an ES256 key only
    against ES256, whatever the token's header says."""
    issuer = TestIssuer()
    rsa_pem = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    rs256 = sign(issuer.claims(), private_key_pem=rsa_pem, algorithm="RS256", kid=issuer.kid)
    es_key = construct_key(issuer.jwks["keys"][0], "ES256")
    with pytest.raises(TokenError, match="algorithm not allowed"):
        verify(
            rs256,
            es_key,
            algorithms=("RS256", "ES256"),
            issuer=issuer.issuer,
            audience=issuer.audience,
        )
    with pytest.raises(TokenError, match="algorithm not allowed"):
        verify(rs256, es_key, algorithms=("RS256",), issuer=issuer.issuer, audience=issuer.audience)
    rsa_jwk = public_jwk(rsa_pem, "RS256", "rsa")
    rs_key = construct_key(rsa_jwk, "RS256")
    claims = verify(
        rs256, rs_key, algorithms=("RS256",), issuer=issuer.issuer, audience=issuer.audience
    )
    assert claims["iss"] == issuer.issuer


def test_a_wrong_key_and_a_tampered_payload_are_refused() -> None:
    issuer, stranger = TestIssuer(), TestIssuer()
    token = _signed(issuer, issuer.claims(), by=stranger)
    with pytest.raises(TokenError, match="bad signature"):
        _verify(issuer, token)
    genuine = _signed(issuer, issuer.claims())
    head, _payload, signature = genuine.split(".")
    tampered = f"{head}.{_json(issuer.claims(roles=['platform_admin']))}.{signature}"
    with pytest.raises(TokenError, match="bad signature"):
        _verify(issuer, tampered)


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "oct", "k": _b64(b"secret" * 8)},
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
        "p384",
        "rsa1024",
        {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
    ],
)
def test_keys_of_the_wrong_kind_are_refused(jwk: dict[str, Any] | str) -> None:
    if jwk == "p384":
        jwk = public_jwk(_pem(ec.generate_private_key(ec.SECP384R1())), "ES256", "k")
    elif jwk == "rsa1024":
        small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - refused, that is the point
        jwk = public_jwk(_pem(small), "RS256", "k")
    assert isinstance(jwk, dict)
    with pytest.raises(TokenError, match="malformed key"):
        construct_key(jwk, "RS256" if jwk.get("kty") == "RSA" else "ES256")


def test_a_private_jwk_yields_only_its_public_half() -> None:
    issuer = TestIssuer()
    private = serialization.load_pem_private_key(issuer.private_pem.encode(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    numbers = private.private_numbers()
    jwk = {**issuer.jwks["keys"][0], "d": _b64(numbers.private_value.to_bytes(32, "big"))}
    token = _signed(issuer, issuer.claims())
    assert _verify(issuer, token, jwk)["iss"] == issuer.issuer
    published = issuer.jwks["keys"][0]
    assert "d" not in published
    assert {published["kty"], published["crv"], published["alg"]} == {"EC", "P-256", "ES256"}
