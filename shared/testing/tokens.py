"""A token issuer for tests of a single service: its own ES256 key and a verifier that trusts it,
so a service can be tested over ASGI without a gateway process."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fastapi import FastAPI

from shared.auth.keys import StaticKeySource
from shared.auth.principal import Role
from shared.auth.tokens import public_jwk, sign
from shared.auth.verifier import OWN_CLAIMS, IssuerPolicy, TokenVerifier

ISSUER = "http://test-issuer.local"
AUDIENCE = "ponte-api"


def _private_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_pem(jwk: Mapping[str, Any]) -> bytes:
    """An EC JWK's public key as PEM: what an attacker would key an HS256 forgery with."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    def number(name: str) -> int:
        text = str(jwk[name])
        return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")

    key = ec.EllipticCurvePublicNumbers(number("x"), number("y"), ec.SECP256R1()).public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class TestIssuer:
    __test__ = False  # not a test class, despite the name

    def __init__(self, issuer: str = ISSUER, audience: str = AUDIENCE) -> None:
        self.issuer = issuer
        self.audience = audience
        self.kid = "test-" + uuid.uuid4().hex[:8]
        self.private_pem = _private_pem()
        self.jwks = {"keys": [public_jwk(self.private_pem, "ES256", self.kid)]}

    def claims(
        self,
        *,
        roles: Iterable[Role | str] = (Role.OPERATOR,),
        organization_id: uuid.UUID | None = None,
        subject: str | None = None,
        beneficiary_id: uuid.UUID | None = None,
        kind: str = "user",
        lifetime: int = 900,
        **overrides: Any,
    ) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject or str(uuid.uuid4()),
            "kind": kind,
            "org": str(organization_id or uuid.uuid4()),
            "roles": [str(role) for role in roles],
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
        }
        if beneficiary_id is not None:
            claims["bid"] = str(beneficiary_id)
        claims.update(overrides)
        return claims

    def token(self, **kwargs: Any) -> str:
        return sign(
            self.claims(**kwargs), private_key_pem=self.private_pem, algorithm="ES256", kid=self.kid
        )

    def headers(self, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(**kwargs)}"}

    def verifier_factory(self) -> Callable[[FastAPI], TokenVerifier]:
        def build(_app: FastAPI) -> TokenVerifier:
            return TokenVerifier(
                [
                    IssuerPolicy(
                        issuer=self.issuer,
                        audience=self.audience,
                        algorithms=("ES256",),
                        keys=StaticKeySource(self.jwks),
                        claims=OWN_CLAIMS,
                    )
                ]
            )

        return build
