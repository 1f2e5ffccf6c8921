"""The shared token verifier: pinned algorithms, issuer policies, claim mapping, caching, JWKS."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest

from shared.auth.keys import JwksKeySource, JwksUnavailable, StaticKeySource
from shared.auth.principal import PrincipalKind, Role
from shared.auth.tokens import TokenError, sign
from shared.auth.verifier import OWN_CLAIMS, IssuerPolicy, TokenVerifier
from shared.testing.tokens import TestIssuer


def _verifier(*issuers: TestIssuer, claims: dict[str, str] | None = None) -> TokenVerifier:
    return TokenVerifier(
        [
            IssuerPolicy(
                issuer=issuer.issuer,
                audience=issuer.audience,
                algorithms=("ES256",),
                keys=StaticKeySource(issuer.jwks),
                claims=claims or OWN_CLAIMS,
            )
            for issuer in issuers
        ]
    )


async def test_principal_carries_the_claims() -> None:
    issuer = TestIssuer()
    organization, beneficiary = uuid.uuid4(), uuid.uuid4()
    principal = await _verifier(issuer).verify(
        issuer.token(
            roles=["beneficiary", "no_such_role"],
            organization_id=organization,
            beneficiary_id=beneficiary,
            subject="user-1",
        )
    )
    assert principal.subject == "user-1"
    assert principal.kind is PrincipalKind.USER
    assert principal.roles == frozenset({Role.BENEFICIARY})
    assert principal.organization_id == organization
    assert principal.beneficiary_id == beneficiary


async def test_the_cache_never_outlives_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    issuer = TestIssuer()
    keys = StaticKeySource(issuer.jwks)
    verifier = TokenVerifier(
        [IssuerPolicy(issuer.issuer, issuer.audience, ("ES256",), keys, OWN_CLAIMS)]
    )
    token = issuer.token(lifetime=60)
    principal = await verifier.verify(token)
    keys._keys.clear()  # from now on only a cache hit can succeed
    assert await verifier.verify(token) is principal
    monkeypatch.setattr("shared.auth.verifier.time.time", lambda: principal.expires_at + 1)
    with pytest.raises(TokenError, match="unknown key id"):
        await verifier.verify(token)


async def test_untrusted_issuer_and_disallowed_algorithm_are_refused() -> None:
    trusted, stranger = TestIssuer(), TestIssuer(issuer="http://stranger.example")
    with pytest.raises(TokenError):
        await _verifier(trusted).verify(stranger.token())
    rs_only = TokenVerifier(
        [
            IssuerPolicy(
                trusted.issuer,
                trusted.audience,
                ("RS256",),
                StaticKeySource(trusted.jwks),
                OWN_CLAIMS,
            )
        ]
    )
    with pytest.raises(TokenError, match="algorithm not allowed"):
        await rs_only.verify(trusted.token())


async def test_external_issuer_claims_are_mapped_by_configuration() -> None:
    keycloak = TestIssuer(issuer="https://id.example.org/realms/cluster", audience="ponte")
    organization = uuid.uuid4()
    mapping = {
        "subject": "preferred_username",
        "roles": "realm_access.roles",
        "organization_id": "ponte_org",
    }
    token = sign(
        {
            "iss": keycloak.issuer,
            "aud": "ponte",
            "sub": "abc",
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "preferred_username": "mrossi",
            "realm_access": {"roles": ["operator", "offline"]},
            "ponte_org": str(organization),
        },
        private_key_pem=keycloak.private_pem,
        algorithm="ES256",
        kid=keycloak.kid,
    )
    principal = await _verifier(TestIssuer(), keycloak, claims=mapping).verify(token)
    assert principal.subject == "mrossi"
    assert principal.roles == frozenset({Role.OPERATOR})
    assert principal.organization_id == organization


async def test_malformed_id_claims_are_refused() -> None:
    issuer = TestIssuer()
    with pytest.raises(TokenError):
        await _verifier(issuer).verify(issuer.token(org="not-a-uuid"))


async def test_jwks_source_refetches_on_unknown_kid_but_not_too_often() -> None:
    first, second = TestIssuer(), TestIssuer()
    served: dict[str, object] = {"document": first.jwks}
    fetches: list[float] = []

    def handler(_request: httpx.Request) -> httpx.Response:
        fetches.append(time.monotonic())
        return httpx.Response(200, json=served["document"])

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        clock = [100.0]
        source = JwksKeySource(
            "http://issuer/jwks", client, min_refetch_seconds=0.2, monotonic=lambda: clock[0]
        )
        assert await source.key_for(first.kid, "ES256") is not None
        served["document"] = {"keys": first.jwks["keys"] + second.jwks["keys"]}
        clock[0] += 0.1
        assert await source.key_for(second.kid, "ES256") is None  # refetch throttled
        clock[0] += 0.15
        assert await source.key_for(second.kid, "ES256") is not None  # rotation picked up
        for _ in range(5):
            await source.key_for("random-kid", "ES256")
        assert len(fetches) <= 3


async def test_jwks_unreachable_before_any_fetch_is_unavailable() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        source = JwksKeySource("http://issuer/jwks", client)
        with pytest.raises(JwksUnavailable):
            await source.key_for("kid", "ES256")


async def test_concurrent_first_requests_wait_for_the_one_fetch() -> None:
    issuer = TestIssuer()
    fetches: list[int] = []

    async def slow_jwks(_request: httpx.Request) -> httpx.Response:
        fetches.append(1)
        await asyncio.sleep(0.05)
        return httpx.Response(200, json=issuer.jwks)

    async with httpx.AsyncClient(transport=httpx.MockTransport(slow_jwks)) as client:
        source = JwksKeySource("http://issuer/jwks", client)
        keys = await asyncio.gather(*(source.key_for(issuer.kid, "ES256") for _ in range(5)))
    assert all(key is not None for key in keys)
    assert len(fetches) == 1


async def test_the_revocation_check_runs_on_cache_hits_too() -> None:
    issuer = TestIssuer()
    revoked: set[str] = set()
    verifier = TokenVerifier(
        [
            IssuerPolicy(
                issuer.issuer, issuer.audience, ("ES256",), StaticKeySource(issuer.jwks), OWN_CLAIMS
            )
        ],
        revoked=lambda principal: principal.subject in revoked,
    )
    token = issuer.token(subject="user-1")
    assert (await verifier.verify(token)).subject == "user-1"  # now cached
    revoked.add("user-1")
    with pytest.raises(TokenError, match="revoked"):
        await verifier.verify(token)
