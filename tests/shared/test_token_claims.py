"""Required claims: every token, from our issuer or a trusted external one, carries ``iss``,
``aud``, ``exp`` and ``iat`` as numbers where they are times, was not issued in the future, and is
not used before its ``nbf``; otherwise it is refused, whatever its signature."""

from __future__ import annotations

import time
from typing import Any

import pytest

from shared.auth.keys import StaticKeySource
from shared.auth.tokens import TokenError, construct_key, sign, verify
from shared.auth.verifier import OWN_CLAIMS, IssuerPolicy, TokenVerifier
from shared.testing.tokens import TestIssuer

KEYCLOAK_CLAIMS = {"subject": "preferred_username", "roles": "realm_access.roles"}


def _issuers() -> dict[str, TestIssuer]:
    return {
        "ours": TestIssuer(),
        "external": TestIssuer(issuer="https://id.example.org/realms/ponte", audience="ponte"),
    }


def _claims(issuer: TestIssuer, **changes: Any) -> dict[str, Any]:
    claims = issuer.claims(preferred_username="mrossi", realm_access={"roles": ["operator"]})
    claims.update(changes)
    return claims


def _signed(issuer: TestIssuer, claims: dict[str, Any]) -> str:
    return sign(claims, private_key_pem=issuer.private_pem, algorithm="ES256", kid=issuer.kid)


def _verifier(issuers: dict[str, TestIssuer]) -> TokenVerifier:
    return TokenVerifier(
        [
            IssuerPolicy(
                issuer=issuer.issuer,
                audience=issuer.audience,
                algorithms=("ES256",),
                keys=StaticKeySource(issuer.jwks),
                claims=OWN_CLAIMS if name == "ours" else KEYCLOAK_CLAIMS,
            )
            for name, issuer in issuers.items()
        ]
    )


def _verify_directly(issuer: TestIssuer, token: str) -> dict[str, Any]:
    """``tokens.verify`` as the verifier calls it, once the issuer's policy is chosen."""
    key = construct_key(issuer.jwks["keys"][0], "ES256")
    return verify(token, key, algorithms=("ES256",), issuer=issuer.issuer, audience=issuer.audience)


@pytest.mark.parametrize("which", ["ours", "external"])
async def test_a_complete_token_of_either_issuer_is_accepted(which: str) -> None:
    issuers = _issuers()
    issuer = issuers[which]
    principal = await _verifier(issuers).verify(_signed(issuer, _claims(issuer)))
    assert principal.issuer == issuer.issuer
    assert principal.issued_at == pytest.approx(time.time(), abs=5)


@pytest.mark.parametrize("claim", ["iss", "aud", "exp", "iat"])
@pytest.mark.parametrize("which", ["ours", "external"])
async def test_a_token_without_a_required_claim_is_refused(which: str, claim: str) -> None:
    issuers = _issuers()
    issuer = issuers[which]
    claims = _claims(issuer)
    del claims[claim]
    token = _signed(issuer, claims)
    with pytest.raises(TokenError):
        await _verifier(issuers).verify(token)
    with pytest.raises(TokenError, match=f"no {claim} claim"):
        _verify_directly(issuer, token)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"aud": "another-api"}, "wrong audience"),
        ({"aud": []}, "no aud claim"),
        ({"iss": "https://elsewhere.example"}, "wrong issuer"),
        ({"exp": int(time.time()) - 60}, "token expired"),
        ({"exp": "99999999999"}, "exp claim is not a number"),
        ({"exp": True}, "token expired|exp claim is not a number"),  # the library's int(True)
        ({"exp": [1]}, "malformed token|exp claim is not a number"),
        ({"iat": "0"}, "iat claim is not a number"),
        ({"iat": int(time.time()) + 3600}, "issued in the future"),
        ({"nbf": int(time.time()) + 3600}, "not yet valid"),
        ({"nbf": "0"}, "nbf claim is not a number"),
    ],
)
@pytest.mark.parametrize("which", ["ours", "external"])
async def test_wrong_claims_are_refused(which: str, changes: dict[str, Any], reason: str) -> None:
    issuers = _issuers()
    issuer = issuers[which]
    token = _signed(issuer, _claims(issuer, **changes))
    with pytest.raises(TokenError, match=reason):
        _verify_directly(issuer, token)
    with pytest.raises(TokenError):
        await _verifier(issuers).verify(token)


async def test_small_clock_differences_are_tolerated() -> None:
    issuer = TestIssuer()
    now = int(time.time())
    token = _signed(issuer, _claims(issuer, iat=now + 5, nbf=now + 5))
    assert (await _verifier({"ours": issuer}).verify(token)).issued_at == now + 5
