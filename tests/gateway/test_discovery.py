"""Discovery: a standard OAuth 2 (RFC 8414) or OpenID Connect client reads the issuer, the token
endpoint and the keys from `/.well-known/...` without a token, gets a token where the document
says, and verifies it with the keys the document names, for the issuer the document gives."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlsplit

import httpx

from services.gateway.app import create_app
from shared.auth.tokens import construct_key, verify
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, gateway_settings
from tests.support import serve

PATHS = ("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration")


async def test_a_client_finds_the_token_endpoint_and_the_keys_and_verifies_a_token(
    gateway: httpx.AsyncClient,
) -> None:
    documents = [await gateway.get(path) for path in PATHS]  # no Authorization header
    for answer in documents:
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "public, max-age=3600"
    metadata = documents[0].json()
    assert documents[1].json() == metadata
    assert metadata["issuer"] == "http://gateway.test"
    assert metadata["grant_types_supported"] == ["password", "client_credentials", "refresh_token"]
    assert "client_secret_basic" in metadata["token_endpoint_auth_methods_supported"]
    assert metadata["response_types_supported"] == []  # no authorization endpoint
    assert metadata["id_token_signing_alg_values_supported"] == ["ES256"]

    endpoint = urlsplit(metadata["token_endpoint"])
    assert f"{endpoint.scheme}://{endpoint.netloc}" == metadata["issuer"]
    answer = await gateway.post(
        endpoint.path,
        data={"grant_type": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
    )
    assert answer.status_code == 200, answer.text
    access = answer.json()["access_token"]
    keys = (await gateway.get(urlsplit(metadata["jwks_uri"]).path)).json()["keys"]
    algorithm = metadata["id_token_signing_alg_values_supported"][0]
    verified = [
        verify(
            access,
            construct_key(key, algorithm),
            algorithms=(algorithm,),
            issuer=metadata["issuer"],
            audience="ponte-api",
        )
        for key in keys
        if key["kid"] == access_kid(access)
    ]
    assert len(verified) == 1
    assert verified[0]["iss"] == metadata["issuer"]


def access_kid(access: str) -> str:
    header = access.split(".")[0]
    decoded: dict[str, str] = json.loads(
        base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
    )
    return decoded["kid"]


async def test_the_urls_follow_the_configured_issuer(gateway_database: str) -> None:
    settings = gateway_settings(gateway_database, auth_issuer="https://ponte.example.org/")
    async with serve(create_app(settings)) as client:
        metadata = (await client.get(PATHS[1])).json()
    assert metadata["issuer"] == "https://ponte.example.org/"  # the tokens' `iss`, as configured
    assert metadata["token_endpoint"] == "https://ponte.example.org/api/v1/auth/token"
    assert metadata["jwks_uri"] == "https://ponte.example.org/.well-known/jwks.json"
