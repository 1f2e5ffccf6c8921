"""Driving the gateway's identity API in tests, the way a client would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

PASSWORD = "a-long-enough-password"
# What an admin gives a new user; the user's first sign-in replaces it with their own (PASSWORD).
FIRST_PASSWORD = "a-first-password-from-an-admin"


async def token(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    answer = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
    )
    assert answer.status_code == 200, answer.text
    value: str = answer.json()["access_token"]
    return value


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


async def admin_headers(client: httpx.AsyncClient) -> dict[str, str]:
    return bearer(await token(client, ADMIN_EMAIL, ADMIN_PASSWORD))


async def create_organization(
    client: httpx.AsyncClient, headers: dict[str, str], name: str | None = None, kind: str = "ngo"
) -> str:
    answer = await client.post(
        "/api/v1/organizations",
        json={"name": name or f"Org {uuid.uuid4().hex[:6]}", "type": kind},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    organization_id: str = answer.json()["id"]
    return organization_id


async def first_sign_in(
    client: httpx.AsyncClient, email: str, first: str = FIRST_PASSWORD, own: str = PASSWORD
) -> httpx.Response:
    """The holder of an account an admin made replaces the admin's password with their own."""
    return await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": first, "new_password": own},
    )


async def create_user(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    organization_id: str | None,
    roles: list[str],
    email: str | None = None,
) -> dict[str, object]:
    """A user made by the admin of ``headers``, who has already chosen their own password
    (``PASSWORD``) at a first sign-in; the answer's ``access_token`` is that sign-in's."""
    body: dict[str, object] = {
        "email": email or f"user-{uuid.uuid4().hex[:8]}@example.org",
        "full_name": "Test User",
        "password": FIRST_PASSWORD,
        "roles": roles,
    }
    if organization_id:
        body["organization_id"] = organization_id
    answer = await client.post("/api/v1/users", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    user: dict[str, object] = answer.json()
    chosen = await first_sign_in(client, str(user["email"]))
    assert chosen.status_code == 200, chosen.text
    return {**user, "access_token": chosen.json()["access_token"]}


@dataclass
class Member:
    id: str
    email: str
    organization_id: str
    headers: dict[str, str]


@dataclass
class TwoOrganizations:
    """Organisations A and B, each with an org admin and an operator."""

    admin: dict[str, str]
    a: str
    b: str
    admin_a: Member
    operator_a: Member
    admin_b: Member
    operator_b: Member


async def member(
    client: httpx.AsyncClient, headers: dict[str, str], organization_id: str, roles: list[str]
) -> Member:
    user = await create_user(client, headers, organization_id, roles)
    return Member(
        id=str(user["id"]),
        email=str(user["email"]),
        organization_id=organization_id,
        headers=bearer(str(user["access_token"])),
    )


async def two_organizations(client: httpx.AsyncClient) -> TwoOrganizations:
    """The platform admin adds the organisations and their first org admins; those add their
    operators."""
    admin = await admin_headers(client)
    a = await create_organization(client, admin, "Organisation A")
    b = await create_organization(client, admin, "Organisation B", kind="employment_service")
    admin_a = await member(client, admin, a, ["org_admin"])
    admin_b = await member(client, admin, b, ["org_admin"])
    return TwoOrganizations(
        admin=admin,
        a=a,
        b=b,
        admin_a=admin_a,
        operator_a=await member(client, admin_a.headers, a, ["operator"]),
        admin_b=admin_b,
        operator_b=await member(client, admin_b.headers, b, ["operator"]),
    )
