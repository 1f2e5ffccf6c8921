"""Idempotency-Key on the gateway's own POSTs: organisations, users, clients."""

from __future__ import annotations

import uuid

import httpx

from tests.gateway.helpers import admin_headers, two_organizations


async def test_a_replayed_organisation_is_the_first_answer_not_a_409(
    gateway: httpx.AsyncClient,
) -> None:
    headers = {**await admin_headers(gateway), "Idempotency-Key": "org-1"}
    body = {"name": f"Caritas {uuid.uuid4().hex[:6]}", "type": "ngo"}
    first = await gateway.post("/api/v1/organizations", json=body, headers=headers)
    again = await gateway.post("/api/v1/organizations", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    another_key = {**headers, "Idempotency-Key": "org-2"}  # a new operation, not a retry
    blind = await gateway.post("/api/v1/organizations", json=body, headers=another_key)
    assert blind.status_code == 409


async def test_a_replayed_user_is_created_once(gateway: httpx.AsyncClient) -> None:
    orgs = await two_organizations(gateway)
    body = {
        "email": f"new-{uuid.uuid4().hex[:6]}@example.org",
        "full_name": "New Operator",
        "password": "a-long-enough-password",
        "roles": ["operator"],
    }
    headers = {**orgs.admin_a.headers, "Idempotency-Key": "user-1"}
    answers = [await gateway.post("/api/v1/users", json=body, headers=headers) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[1].content == answers[0].content
    assert answers[1].headers["etag"] == answers[0].headers["etag"]


async def test_a_replayed_client_gives_back_the_same_secret_uncached(
    gateway: httpx.AsyncClient,
) -> None:
    orgs = await two_organizations(gateway)
    headers = {**orgs.admin_a.headers, "Idempotency-Key": "client-1"}
    first = await gateway.post("/api/v1/clients", json={"name": "CRM"}, headers=headers)
    again = await gateway.post("/api/v1/clients", json={"name": "CRM"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["client_secret"] == first.json()["client_secret"]
    assert again.headers["cache-control"] == "no-store"
    listed = (await gateway.get("/api/v1/clients", headers=orgs.admin_a.headers)).json()
    assert len(listed["items"]) == 1
