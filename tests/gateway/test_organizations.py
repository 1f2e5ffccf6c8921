"""Organisations: platform admins create them; everyone signed in reads the directory."""

from __future__ import annotations

import httpx

from tests.gateway.helpers import admin_headers, create_organization, member


async def test_platform_admin_creates_and_everyone_reads(gateway: httpx.AsyncClient) -> None:
    admin = await admin_headers(gateway)
    answer = await gateway.post(
        "/api/v1/organizations",
        json={
            "name": "Scuola Edile",
            "type": "vet_provider",
            "country": "IT",
            "municipality": "Roma",
        },
        headers=admin,
    )
    assert answer.status_code == 201
    created = answer.json()
    assert answer.headers["location"] == f"/api/v1/organizations/{created['id']}"
    org_admin = await member(gateway, admin, created["id"], ["org_admin"])
    operator = await member(gateway, org_admin.headers, created["id"], ["operator"])
    read = await gateway.get(f"/api/v1/organizations/{created['id']}", headers=operator.headers)
    assert read.status_code == 200
    assert read.json()["type"] == "vet_provider"


async def test_only_platform_admins_create(gateway: httpx.AsyncClient) -> None:
    admin = await admin_headers(gateway)
    organization = await create_organization(gateway, admin)
    org_admin = await member(gateway, admin, organization, ["org_admin"])
    answer = await gateway.post(
        "/api/v1/organizations", json={"name": "Mine", "type": "ngo"}, headers=org_admin.headers
    )
    assert answer.status_code == 403


async def test_invalid_and_duplicate_organisations(gateway: httpx.AsyncClient) -> None:
    admin = await admin_headers(gateway)
    invalid = await gateway.post(
        "/api/v1/organizations",
        json={"name": "", "type": "church", "country": "Italy", "extra": 1},
        headers=admin,
    )
    assert invalid.status_code == 422
    fields = {error["field"] for error in invalid.json()["errors"]}
    assert fields == {"body.name", "body.type", "body.country", "body.extra"}
    await create_organization(gateway, admin, "Twice")
    again = await gateway.post(
        "/api/v1/organizations", json={"name": "Twice", "type": "ngo"}, headers=admin
    )
    assert again.status_code == 409


async def test_cursor_pagination_walks_every_organisation_once(gateway: httpx.AsyncClient) -> None:
    admin = await admin_headers(gateway)
    for index in range(7):
        await create_organization(gateway, admin, f"Org {index:02d}")
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await gateway.get("/api/v1/organizations", params=params, headers=admin)).json()
        seen += [item["name"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3  # 8 organisations (with the platform's own) in pages of 3
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == 8


async def test_bad_cursor_and_limit_are_validation_problems(gateway: httpx.AsyncClient) -> None:
    admin = await admin_headers(gateway)
    cursor = await gateway.get("/api/v1/organizations?cursor=%%%", headers=admin)
    assert cursor.status_code == 422
    assert cursor.json()["errors"][0]["field"] == "query.cursor"
    too_many = await gateway.get("/api/v1/organizations?limit=500", headers=admin)
    assert too_many.status_code == 422


async def test_unknown_organisation_is_404(gateway: httpx.AsyncClient) -> None:
    admin = await admin_headers(gateway)
    answer = await gateway.get(
        "/api/v1/organizations/00000000-0000-4000-8000-000000000000", headers=admin
    )
    assert answer.status_code == 404
    malformed = await gateway.get("/api/v1/organizations/not-a-uuid", headers=admin)
    assert malformed.status_code == 422
