"""Setting up organisations and people through the gateway, as a client would."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

PASSWORD = "an-e2e-password-123"
# What an admin gives a new user; the user's first sign-in replaces it with their own (PASSWORD).
FIRST_PASSWORD = "an-e2e-first-password-42"


def token(client: httpx.Client, email: str, password: str = PASSWORD) -> str:
    answer = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
    )
    assert answer.status_code == 200, answer.text
    value: str = answer.json()["access_token"]
    return value


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


@dataclass
class Organisation:
    id: str
    admin: dict[str, str]
    operator: dict[str, str]


def organisation(client: httpx.Client, label: str, kind: str = "ngo") -> Organisation:
    """A new organisation with an org admin and an operator, signed in: the platform admin adds
    the organisation and its first org admin, who adds the operator."""
    root = bearer(token(client, ADMIN_EMAIL, ADMIN_PASSWORD))
    suffix = uuid.uuid4().hex[:6]
    created = client.post(
        "/api/v1/organizations", json={"name": f"{label} {suffix}", "type": kind}, headers=root
    )
    assert created.status_code == 201, created.text
    organization_id = created.json()["id"]
    admin = bearer(signed_in_user(client, root, organization_id, "org_admin", label)[2])
    operator = bearer(signed_in_user(client, admin, organization_id, "operator", label)[2])
    return Organisation(organization_id, admin, operator)


def new_user(
    client: httpx.Client, admin: dict[str, str], organization_id: str, role: str, label: str
) -> tuple[str, str]:
    """A user with one role in the organisation, made by ``admin``, who has chosen their own
    password ``PASSWORD`` at a first sign-in: (id, e-mail)."""
    user_id, email, _ = signed_in_user(client, admin, organization_id, role, label)
    return user_id, email


def signed_in_user(
    client: httpx.Client, admin: dict[str, str], organization_id: str, role: str, label: str
) -> tuple[str, str, str]:
    """``new_user``, and the access token of its first sign-in: (id, e-mail, token)."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@e2e.example"
    answer = client.post(
        "/api/v1/users",
        json={
            "email": email,
            "full_name": f"{role} {label}",
            "password": FIRST_PASSWORD,
            "roles": [role],
            "organization_id": organization_id,
        },
        headers=admin,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"]), email, first_sign_in(client, email)


def first_sign_in(client: httpx.Client, email: str) -> str:
    """The holder of an account an admin made replaces the admin's ``FIRST_PASSWORD`` with their
    own ``PASSWORD``: the sign-in's access token."""
    form = {"grant_type": "password", "username": email, "password": FIRST_PASSWORD}
    chosen = client.post("/api/v1/auth/token", data={**form, "new_password": PASSWORD})
    assert chosen.status_code == 200, chosen.text
    value: str = chosen.json()["access_token"]
    return value


def eventually(check: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Poll ``check`` until it returns something truthy (events are delivered asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        time.sleep(0.2)


async def eventually_async(check: Callable[[], Awaitable[Any]], within: float = 15.0) -> Any:
    import asyncio

    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        await asyncio.sleep(0.2)


def open_pathway(client: httpx.Client, headers: dict[str, str], person: str) -> Any:
    """A pathway opened for ``person``, once pathways has heard of them (an event)."""
    return eventually(
        lambda: (
            (
                a := client.post(
                    "/api/v1/pathways", json={"beneficiary_id": person}, headers=headers
                )
            ).status_code
            == 201
            and a.json()
        )
    )


def refer(client: httpx.Client, headers: dict[str, str], person: str, offer: str) -> Any:
    """A referral of ``person`` to ``offer``, once matching has heard of the person's consent
    (an event)."""
    body = {"beneficiary_id": person, "offer_id": offer}
    return eventually(
        lambda: (
            (a := client.post("/api/v1/referrals", json=body, headers=headers)).status_code == 201
            and a.json()
        )
    )


def consent_to_matching(client: httpx.Client, person: str, headers: dict[str, str]) -> None:
    """The person's consent to matching, recorded on paper by the operator of ``headers``."""
    answer = client.post(
        f"/api/v1/beneficiaries/{person}/consents",
        json={
            "purpose": "matching",
            "text_version": "matching-it-2026-01",
            "collection_method": "paper_signed",
        },
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
