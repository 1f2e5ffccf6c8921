"""Idempotency-Key end to end through the gateway: a registration retried, reused with another
body, raced five times at once, and retried by a partner system with a fresh token."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import bearer, organisation
from tests.support import sql

pytestmark = pytest.mark.e2e

PERSON = {
    "given_name": "Mariam",
    "family_name": "Diallo",
    "birth_date": "1999-02-11",
    "sex": "female",
    "nationality": "GN",
    "arrival_date": "2025-09-14",
    "municipality": "Latina",
    "languages": [{"code": "fr", "native": True}, {"code": "it", "level": "A1"}],
    "needs": ["language", "employment"],
}


async def people_of(stack: Stack, organization_id: str) -> int:
    rows = await sql(
        stack.databases["intake"],
        "SELECT count(*) AS n FROM beneficiary WHERE organization_id = $1",
        uuid.UUID(organization_id),
    )
    return int(rows[0]["n"])


async def test_a_replayed_registration_creates_one_person(stack: Stack) -> None:
    with stack.client() as client:
        org = organisation(client, "Idempotent NGO")
        headers = {**org.operator, "Idempotency-Key": str(uuid.uuid4())}
        first = client.post("/api/v1/beneficiaries", json=PERSON, headers=headers)
        again = client.post("/api/v1/beneficiaries", json=PERSON, headers=headers)
        assert first.status_code == again.status_code == 201, first.text
        assert again.content == first.content
        assert again.headers["location"] == first.headers["location"]
        assert again.headers["idempotent-replayed"] == "true"
        other = client.post(
            "/api/v1/beneficiaries", json={**PERSON, "given_name": "Aminata"}, headers=headers
        )
        assert other.status_code == 422
        assert other.headers["content-type"] == "application/problem+json"
        assert other.json()["errors"][0]["field"] == "header.idempotency-key"
        assert await people_of(stack, org.id) == 1


async def test_five_racing_retries_create_one_person(stack: Stack) -> None:
    with stack.client() as client:
        org = organisation(client, "Racing NGO")
    headers = {**org.operator, "Idempotency-Key": f"flaky-{uuid.uuid4()}"}
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30.0) as client:
        answers = await asyncio.gather(
            *(client.post("/api/v1/beneficiaries", json=PERSON, headers=headers) for _ in range(5))
        )
    assert [answer.status_code for answer in answers] == [201] * 5, [a.text for a in answers]
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert sum("idempotent-replayed" in answer.headers for answer in answers) == 4
    assert await people_of(stack, org.id) == 1


async def test_a_partner_system_retrying_with_a_new_token_gets_the_first_answer(
    stack: Stack,
) -> None:
    with stack.client() as client:
        org = organisation(client, "Partner NGO")
        credentials = client.post(
            "/api/v1/clients", json={"name": "Case system"}, headers=org.admin
        ).json()

        def client_token() -> dict[str, str]:
            answer = client.post(
                "/api/v1/auth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": credentials["client_id"],
                    "client_secret": credentials["client_secret"],
                },
            )
            assert answer.status_code == 200, answer.text
            return bearer(answer.json()["access_token"])

        key = {"Idempotency-Key": "partner-import-00017"}
        first = client.post("/api/v1/beneficiaries", json=PERSON, headers={**client_token(), **key})
        # The partner timed out, its token expired meanwhile; it takes a new one and retries.
        again = client.post("/api/v1/beneficiaries", json=PERSON, headers={**client_token(), **key})
        assert first.status_code == again.status_code == 201, first.text
        assert again.json()["id"] == first.json()["id"]
        assert await people_of(stack, org.id) == 1
