"""Users: org admins manage their own organisation only; other organisations' users are 404."""

from __future__ import annotations

import httpx

from tests.gateway.helpers import (
    FIRST_PASSWORD,
    PASSWORD,
    TwoOrganizations,
    bearer,
    create_user,
    first_sign_in,
    token,
    two_organizations,
)


async def _two(gateway: httpx.AsyncClient) -> TwoOrganizations:
    return await two_organizations(gateway)


async def test_org_admin_adds_an_operator_to_their_own_organisation(
    gateway: httpx.AsyncClient,
) -> None:
    orgs = await _two(gateway)
    answer = await gateway.post(
        "/api/v1/users",
        json={
            "email": "New.Operator@Example.org",
            "full_name": "Nadia Karimi",
            "password": FIRST_PASSWORD,
            "roles": ["operator"],
        },
        headers=orgs.admin_a.headers,
    )
    assert answer.status_code == 201
    user = answer.json()
    assert answer.headers["location"] == f"/api/v1/users/{user['id']}"
    assert answer.headers["etag"] == '"1"'
    assert user["organization_id"] == orgs.a
    assert user["email"] == "new.operator@example.org"
    assert user["must_change_password"] is True
    assert FIRST_PASSWORD not in answer.text
    assert "hash" not in answer.text
    assert (await first_sign_in(gateway, "new.operator@example.org")).status_code == 200
    assert (await token(gateway, "new.operator@example.org")).count(".") == 2


async def test_org_admin_cannot_add_users_elsewhere_or_grant_platform_admin(
    gateway: httpx.AsyncClient,
) -> None:
    orgs = await _two(gateway)
    elsewhere = await gateway.post(
        "/api/v1/users",
        json={
            "email": "x@example.org",
            "full_name": "X",
            "password": PASSWORD,
            "roles": ["operator"],
            "organization_id": orgs.b,
        },
        headers=orgs.admin_a.headers,
    )
    assert elsewhere.status_code == 403
    escalate = await gateway.post(
        "/api/v1/users",
        json={
            "email": "y@example.org",
            "full_name": "Y",
            "password": PASSWORD,
            "roles": ["platform_admin"],
        },
        headers=orgs.admin_a.headers,
    )
    assert escalate.status_code == 403
    operator = await gateway.post(
        "/api/v1/users",
        json={
            "email": "z@example.org",
            "full_name": "Z",
            "password": PASSWORD,
            "roles": ["operator"],
        },
        headers=orgs.operator_a.headers,
    )
    assert operator.status_code == 403
    listed = (await gateway.get("/api/v1/users", headers=orgs.admin)).json()
    assert not {"x@example.org", "y@example.org", "z@example.org"} & {
        u["email"] for u in listed["items"]
    }


async def test_users_of_another_organisation_are_not_found(gateway: httpx.AsyncClient) -> None:
    orgs = await _two(gateway)
    for caller in (orgs.operator_a, orgs.admin_a):
        answer = await gateway.get(f"/api/v1/users/{orgs.operator_b.id}", headers=caller.headers)
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"
        colleague = await gateway.get(f"/api/v1/users/{orgs.operator_a.id}", headers=caller.headers)
        assert colleague.status_code == 200
    listed = (await gateway.get("/api/v1/users", headers=orgs.operator_a.headers)).json()
    assert {user["organization_id"] for user in listed["items"]} == {orgs.a}
    assert {user["id"] for user in listed["items"]} == {orgs.admin_a.id, orgs.operator_a.id}
    everyone = (await gateway.get("/api/v1/users", headers=orgs.admin)).json()
    assert len(everyone["items"]) == 5  # the bootstrap admin and four members


async def test_patch_needs_if_match_and_refuses_stale_versions(gateway: httpx.AsyncClient) -> None:
    orgs = await _two(gateway)
    url = f"/api/v1/users/{orgs.operator_a.id}"
    missing = await gateway.patch(url, json={"full_name": "Renamed"}, headers=orgs.admin_a.headers)
    assert missing.status_code == 428
    etag = (await gateway.get(url, headers=orgs.admin_a.headers)).headers["etag"]
    first = await gateway.patch(
        url, json={"full_name": "Renamed"}, headers={**orgs.admin_a.headers, "If-Match": etag}
    )
    assert first.status_code == 200
    assert first.json()["full_name"] == "Renamed"
    assert first.headers["etag"] != etag
    stale = await gateway.patch(
        url, json={"full_name": "Again"}, headers={**orgs.admin_a.headers, "If-Match": etag}
    )
    assert stale.status_code == 412
    assert (await gateway.get(url, headers=orgs.admin_a.headers)).json()["full_name"] == "Renamed"


async def test_admin_of_another_organisation_cannot_patch(gateway: httpx.AsyncClient) -> None:
    orgs = await _two(gateway)
    answer = await gateway.patch(
        f"/api/v1/users/{orgs.operator_a.id}",
        json={"roles": ["org_admin"]},
        headers={**orgs.admin_b.headers, "If-Match": '"1"'},
    )
    assert answer.status_code == 404


async def test_users_edit_their_own_name_and_password_but_not_their_roles(
    gateway: httpx.AsyncClient,
) -> None:
    orgs = await _two(gateway)
    url = f"/api/v1/users/{orgs.operator_a.id}"
    own = {**orgs.operator_a.headers, "If-Match": "*"}
    roles = await gateway.patch(url, json={"roles": ["org_admin"]}, headers=own)
    assert roles.status_code == 403
    renamed = await gateway.patch(
        url,
        json={
            "full_name": "My Name",
            "password": "another-long-password",
            "current_password": PASSWORD,
        },
        headers=own,
    )
    assert renamed.status_code == 200
    assert (await token(gateway, orgs.operator_a.email, "another-long-password")).count(".") == 2


async def test_weak_passwords_and_duplicate_emails_are_refused(gateway: httpx.AsyncClient) -> None:
    orgs = await _two(gateway)
    weak = await gateway.post(
        "/api/v1/users",
        json={
            "email": "w@example.org",
            "full_name": "W",
            "password": "short",
            "roles": ["operator"],
        },
        headers=orgs.admin_a.headers,
    )
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "body.password"
    assert "short" not in weak.text
    duplicate = await gateway.post(
        "/api/v1/users",
        json={
            "email": orgs.operator_b.email.upper(),
            "full_name": "D",
            "password": PASSWORD,
            "roles": ["operator"],
        },
        headers=orgs.admin_a.headers,
    )
    assert duplicate.status_code == 409


async def test_password_change_ends_existing_sessions(gateway: httpx.AsyncClient) -> None:
    orgs = await _two(gateway)
    user = await create_user(gateway, orgs.admin_a.headers, orgs.a, ["operator"])
    session = (
        await gateway.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": user["email"], "password": PASSWORD},
        )
    ).json()
    change = await gateway.patch(
        f"/api/v1/users/{user['id']}",
        json={"password": "a-brand-new-password"},
        headers={**orgs.admin_a.headers, "If-Match": "*"},
    )
    assert change.status_code == 200
    refresh = await gateway.post(
        "/api/v1/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": session["refresh_token"]},
    )
    assert refresh.status_code == 400


async def test_admins_cannot_deactivate_themselves(gateway: httpx.AsyncClient) -> None:
    orgs = await _two(gateway)
    answer = await gateway.patch(
        f"/api/v1/users/{orgs.admin_a.id}",
        json={"is_active": False},
        headers={**orgs.admin_a.headers, "If-Match": "*"},
    )
    assert answer.status_code == 422
    me = await gateway.get(
        "/api/v1/auth/me", headers=bearer(orgs.admin_a.headers["Authorization"][7:])
    )
    assert me.status_code == 200
