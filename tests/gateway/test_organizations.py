"""Organisations: platform admins create them; everyone signed in reads the directory."""

from __future__ import annotations

import uuid

import httpx

from services.gateway.app import create_app
from services.gateway.db.models import metadata
from tests.conftest import gateway_settings
from tests.gateway.helpers import admin_headers, bearer, create_organization, create_user, member
from tests.support import serve, truncate


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


async def test_only_platform_admins_entitle_organisations_to_break_the_glass(
    gateway: httpx.AsyncClient,
) -> None:
    admin = await admin_headers(gateway)
    created = await gateway.post(
        "/api/v1/organizations",
        json={
            "name": "Anti-trafficking helpline",
            "type": "ngo",
            "emergency_reasons": ["trafficking_protection", "missing_person", "missing_person"],
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["emergency_reasons"] == ["missing_person", "trafficking_protection"]
    url = f"/api/v1/organizations/{created.json()['id']}"
    org_admin = await member(gateway, admin, created.json()["id"], ["org_admin"])
    read = await gateway.get(url, headers=org_admin.headers)
    assert read.json()["emergency_reasons"] == ["missing_person", "trafficking_protection"]
    etag = read.headers["etag"]

    body = {"emergency_reasons": ["medical_emergency"]}
    random_url = "/api/v1/organizations/00000000-0000-4000-8000-000000000000"
    for target in (url, random_url):  # refused before the lookup: the same answer for both
        refused = await gateway.patch(
            target, json=body, headers={**org_admin.headers, "If-Match": etag}
        )
        assert refused.status_code == 403
    assert (await gateway.patch(url, json=body, headers=admin)).status_code == 428
    changed = await gateway.patch(url, json=body, headers={**admin, "If-Match": etag})
    assert changed.status_code == 200, changed.text
    assert changed.json()["emergency_reasons"] == ["medical_emergency"]
    assert changed.headers["etag"] != etag
    stale = await gateway.patch(
        url, json={"emergency_reasons": []}, headers={**admin, "If-Match": etag}
    )
    assert stale.status_code == 412
    withdrawn = await gateway.patch(
        url, json={"emergency_reasons": []}, headers={**admin, "If-Match": changed.headers["etag"]}
    )
    assert withdrawn.json()["emergency_reasons"] == []
    assert (
        await gateway.patch(random_url, json=body, headers={**admin, "If-Match": "*"})
    ).status_code == 404


async def test_invalid_organisation_changes_are_refused(gateway: httpx.AsyncClient) -> None:
    admin = await admin_headers(gateway)
    url = f"/api/v1/organizations/{await create_organization(gateway, admin, 'Changing')}"
    await create_organization(gateway, admin, "Taken")
    headers = {**admin, "If-Match": "*"}
    for body in (
        {"emergency_reasons": ["legacy_unspecified"]},
        {"emergency_reasons": ["because"]},
        {"emergency_reasons": None},
        {"name": None},
        {"type": "church"},
        {"unknown": 1},
    ):
        assert (await gateway.patch(url, json=body, headers=headers)).status_code == 422, body
    assert (await gateway.patch(url, json={"name": "Taken"}, headers=headers)).status_code == 409
    renamed = await gateway.patch(
        url, json={"name": "Changed", "municipality": "Bari"}, headers=headers
    )
    assert (renamed.json()["name"], renamed.json()["municipality"]) == ("Changed", "Bari")
    assert renamed.json()["emergency_reasons"] == []


async def test_intake_learns_the_entitlement_over_the_internal_api(gateway_database: str) -> None:
    await truncate(gateway_database, metadata)
    settings = gateway_settings(gateway_database, internal_token="internal-secret")
    async with serve(create_app(settings)) as gateway:
        admin = await admin_headers(gateway)
        created = await gateway.post(
            "/api/v1/organizations",
            json={"name": "Hospital", "type": "other", "emergency_reasons": ["medical_emergency"]},
            headers=admin,
        )
        organization_id = created.json()["id"]
        url = f"/internal/organizations/{organization_id}/emergency-entitlement"
        internal = {"Authorization": "Bearer internal-secret"}
        answer = await gateway.get(url, headers=internal)
        assert answer.status_code == 200
        assert answer.json() == {
            "organization_id": organization_id,
            "reason_codes": ["medical_emergency"],
        }
        for headers in ({}, admin, {"Authorization": "Bearer not-the-secret"}):
            assert (await gateway.get(url, headers=headers)).status_code == 401
        unknown = f"/internal/organizations/{uuid.uuid4()}/emergency-entitlement"
        assert (await gateway.get(unknown, headers=internal)).status_code == 404


async def test_pathways_learns_who_a_user_is_over_the_internal_api(
    gateway_database: str,
) -> None:
    """A pathway's assignee, an appointment's operator and a task's assignee are checked against
    the organisation's users: roles and state for its own users, 404 for another organisation's
    and for no user alike (pathways decides who may take the work: domain/assignment.py)."""
    await truncate(gateway_database, metadata)
    settings = gateway_settings(gateway_database, internal_token="internal-secret")
    async with serve(create_app(settings)) as gateway:
        root = await admin_headers(gateway)
        ngo, other = (
            await create_organization(gateway, root),
            await create_organization(gateway, root),
        )
        admin = await create_user(gateway, root, ngo, ["org_admin"])
        by_admin = bearer(str(admin["access_token"]))
        operator = await create_user(gateway, by_admin, ngo, ["operator"])
        provider = await create_user(gateway, by_admin, ngo, ["provider"])
        leaver = await create_user(gateway, by_admin, ngo, ["operator"])
        stranger = await create_user(gateway, root, other, ["org_admin"])
        deactivated = await gateway.patch(
            f"/api/v1/users/{leaver['id']}",
            json={"is_active": False},
            headers={**by_admin, "If-Match": "*"},
        )
        assert deactivated.status_code == 200, deactivated.text
        internal = {"Authorization": "Bearer internal-secret"}

        def url(user_id: object) -> str:
            return f"/internal/organizations/{ngo}/users/{user_id}"

        for user, roles, active in (
            (admin, ["org_admin"], True),
            (operator, ["operator"], True),
            (provider, ["provider"], True),
            (leaver, ["operator"], False),
        ):
            answer = await gateway.get(url(user["id"]), headers=internal)
            assert answer.status_code == 200, (user, answer.text)
            assert answer.json() == {
                "user_id": user["id"],
                "organization_id": ngo,
                "roles": roles,
                "is_active": active,
            }
        for user_id in (stranger["id"], uuid.uuid4()):
            answer = await gateway.get(url(user_id), headers=internal)
            assert answer.status_code == 404, answer.text
        assert (await gateway.get(url(operator["id"]), headers=by_admin)).status_code == 401
