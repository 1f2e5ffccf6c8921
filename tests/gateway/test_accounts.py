"""Who may change which account: a person's app account is the person's; the platform admin
administers the platform, not an organisation's staff, clients or people; roles that are held
alone (platform_admin, beneficiary) stay alone."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from services.gateway.service.activation import Invitation, account_for
from shared.db import create_engine, session_factory
from tests.gateway.helpers import (
    FIRST_PASSWORD,
    PASSWORD,
    TwoOrganizations,
    bearer,
    create_organization,
    create_user,
    member,
    two_organizations,
)

APP_PASSWORD = "a-person-chooses-a-long-phrase"


async def person_account(gateway_database: str, organization_id: str) -> tuple[str, str]:
    """A person's app account, made as the activation of an invitation makes it: (id, handle)."""
    engine = create_engine(gateway_database, pool_size=1, max_overflow=0)
    try:
        async with session_factory(engine)() as session, session.begin():
            invitation = Invitation(uuid.uuid4(), uuid.UUID(organization_id))
            user = await account_for(session, invitation, APP_PASSWORD)
            return str(user.id), user.email
    finally:
        await engine.dispose()


def user_body(roles: list[str], organization_id: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {
        "email": f"user-{uuid.uuid4().hex[:8]}@example.org",
        "full_name": "New User",
        "password": FIRST_PASSWORD,
        "roles": roles,
    }
    if organization_id:
        body["organization_id"] = organization_id
    return body


async def patch(
    client: httpx.AsyncClient, user_id: str, body: Mapping[str, object], headers: dict[str, str]
) -> httpx.Response:
    return await client.patch(
        f"/api/v1/users/{user_id}", json=body, headers={**headers, "If-Match": "*"}
    )


async def test_nobody_but_the_person_changes_their_app_account_save_its_deactivation(
    gateway: httpx.AsyncClient, gateway_database: str
) -> None:
    orgs = await two_organizations(gateway)
    person_id, handle = await person_account(gateway_database, orgs.a)
    admin = orgs.admin_a.headers
    for change in (
        {"password": "an-admin-chosen-password"},
        {"roles": ["operator"]},
        {"roles": ["beneficiary", "org_admin"]},
        {"full_name": "Renamed"},
        {"is_active": False, "full_name": "Renamed"},
    ):
        refused = await patch(gateway, person_id, change, admin)
        assert refused.status_code == 403, change
    unchanged = (await gateway.get(f"/api/v1/users/{person_id}", headers=admin)).json()
    assert unchanged["roles"] == ["beneficiary"]
    assert unchanged["is_active"] is True
    # The person's own password still works: nobody replaced it.
    signed_in = await gateway.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": handle, "password": APP_PASSWORD},
    )
    assert signed_in.status_code == 200
    # Not another organisation's admin, not the platform admin (they do not even see it).
    assert (
        await patch(gateway, person_id, {"is_active": False}, orgs.admin_b.headers)
    ).status_code == 404
    assert (await patch(gateway, person_id, {"is_active": False}, orgs.admin)).status_code == 404
    listed = (await gateway.get("/api/v1/users", headers=orgs.admin)).json()["items"]
    assert person_id not in {user["id"] for user in listed}
    # The person's organisation's org admin cuts a lost phone off.
    deactivated = await patch(gateway, person_id, {"is_active": False}, admin)
    assert deactivated.status_code == 200
    refused = await gateway.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": handle, "password": APP_PASSWORD},
    )
    assert refused.status_code == 400


async def test_staff_never_get_the_beneficiary_role(gateway: httpx.AsyncClient) -> None:
    orgs = await two_organizations(gateway)
    created = await gateway.post(
        "/api/v1/users", json=user_body(["beneficiary"]), headers=orgs.admin_a.headers
    )
    assert created.status_code == 403
    combined = await gateway.post(
        "/api/v1/users", json=user_body(["operator", "beneficiary"]), headers=orgs.admin_a.headers
    )
    assert combined.status_code == 403
    changed = await patch(
        gateway, orgs.operator_a.id, {"roles": ["operator", "beneficiary"]}, orgs.admin_a.headers
    )
    assert changed.status_code == 403
    read = await gateway.get(f"/api/v1/users/{orgs.operator_a.id}", headers=orgs.admin_a.headers)
    assert read.json()["roles"] == ["operator"]


async def test_the_database_refuses_combined_exclusive_roles(
    gateway: httpx.AsyncClient, gateway_database: str
) -> None:
    orgs = await two_organizations(gateway)
    engine = create_engine(gateway_database, pool_size=1, max_overflow=0)
    try:
        for roles in (["platform_admin", "org_admin"], ["operator", "beneficiary"]):
            with pytest.raises(IntegrityError):
                async with engine.begin() as connection:
                    await connection.execute(
                        text("UPDATE user_account SET roles = :roles WHERE id = :id"),
                        {"roles": roles, "id": uuid.UUID(orgs.operator_a.id)},
                    )
    finally:
        await engine.dispose()


async def test_the_platform_admin_adds_first_org_admins_and_its_own_colleagues_only(
    gateway: httpx.AsyncClient,
) -> None:
    orgs = await two_organizations(gateway)
    root = orgs.admin
    for roles in (["operator"], ["provider"], ["platform_admin"]):
        refused = await gateway.post("/api/v1/users", json=user_body(roles, orgs.a), headers=root)
        assert refused.status_code == 403, roles
    # A already has an org admin: further ones are A's own admins' to add.
    second = await gateway.post(
        "/api/v1/users", json=user_body(["org_admin"], orgs.a), headers=root
    )
    assert second.status_code == 409
    combined = await gateway.post(
        "/api/v1/users", json=user_body(["platform_admin", "org_admin"]), headers=root
    )
    assert combined.status_code == 422
    assert combined.json()["errors"][0]["field"] == "body.roles"
    colleague = await gateway.post(
        "/api/v1/users", json=user_body(["platform_admin"]), headers=root
    )
    assert colleague.status_code == 201
    assert colleague.json()["roles"] == ["platform_admin"]
    fresh = await create_organization(gateway, root)
    first = await gateway.post("/api/v1/users", json=user_body(["org_admin"], fresh), headers=root)
    assert first.status_code == 201
    assert first.json()["must_change_password"] is True
    # An org admin adds more org admins to its own organisation.
    more = await gateway.post(
        "/api/v1/users", json=user_body(["org_admin", "operator"]), headers=orgs.admin_a.headers
    )
    assert more.status_code == 201


async def test_in_another_organisation_the_platform_admin_only_deactivates(
    gateway: httpx.AsyncClient,
) -> None:
    orgs = await two_organizations(gateway)
    root, target = orgs.admin, orgs.operator_a
    for change in (
        {"password": "an-admin-chosen-password"},
        {"roles": ["org_admin"]},
        {"full_name": "Renamed"},
    ):
        assert (await patch(gateway, target.id, change, root)).status_code == 403, change
    signed_in = await gateway.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": target.email, "password": PASSWORD},
    )
    assert signed_in.status_code == 200  # the password is still the operator's own
    assert (await patch(gateway, target.id, {"is_active": False}, root)).status_code == 200
    # Bringing them back is their organisation's act.
    assert (await patch(gateway, target.id, {"is_active": True}, root)).status_code == 403
    back = await patch(gateway, target.id, {"is_active": True}, orgs.admin_a.headers)
    assert back.status_code == 200


async def test_only_platform_admins_change_a_platform_admins_account(
    gateway: httpx.AsyncClient,
) -> None:
    """An org admin of the platform's own organisation cannot take the platform admin over."""
    admin = await two_organizations(gateway)
    root = admin.admin
    me = (await gateway.get("/api/v1/auth/me", headers=root)).json()
    home_admin = await member(gateway, root, me["organization"]["id"], ["org_admin"])
    for change in ({"password": "an-admin-chosen-password"}, {"is_active": False}):
        refused = await patch(gateway, me["subject"], change, home_admin.headers)
        assert refused.status_code == 403, change


async def test_roles_are_never_changed_by_their_holder(gateway: httpx.AsyncClient) -> None:
    orgs = await two_organizations(gateway)
    own = await patch(gateway, orgs.admin_a.id, {"roles": ["operator"]}, orgs.admin_a.headers)
    assert own.status_code == 403


async def test_clients_are_created_by_the_organisations_admins_only(
    gateway: httpx.AsyncClient,
) -> None:
    orgs: TwoOrganizations = await two_organizations(gateway)
    for body in ({"name": "x", "organization_id": orgs.a}, {"name": "own"}):
        refused = await gateway.post("/api/v1/clients", json=body, headers=orgs.admin)
        assert refused.status_code == 403, body
    created = await gateway.post(
        "/api/v1/clients", json={"name": "A's case system"}, headers=orgs.admin_a.headers
    )
    assert created.status_code == 201
    client = created.json()
    # The platform admin lists and revokes (safety), never creates.
    listed = (await gateway.get("/api/v1/clients", headers=orgs.admin)).json()["items"]
    assert client["id"] in {item["id"] for item in listed}
    revoked = await gateway.delete(f"/api/v1/clients/{client['id']}", headers=orgs.admin)
    assert revoked.status_code == 204


async def test_changing_your_own_password_needs_the_current_one(
    gateway: httpx.AsyncClient,
) -> None:
    orgs = await two_organizations(gateway)
    me = orgs.operator_a
    new = {"password": "another-long-password"}
    missing = await patch(gateway, me.id, new, me.headers)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "body.current_password"
    wrong = await patch(gateway, me.id, {**new, "current_password": "not-my-password"}, me.headers)
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["code"] == "wrong_password"
    same = await patch(
        gateway, me.id, {"password": PASSWORD, "current_password": PASSWORD}, me.headers
    )
    assert same.status_code == 422
    old_sign_in = await gateway.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": me.email, "password": PASSWORD},
    )
    assert old_sign_in.status_code == 200  # nothing changed so far
    changed = await patch(gateway, me.id, {**new, "current_password": PASSWORD}, me.headers)
    assert changed.status_code == 200
    assert changed.json()["must_change_password"] is False


async def test_a_wrong_current_password_counts_as_a_failed_sign_in(
    gateway: httpx.AsyncClient,
) -> None:
    orgs = await two_organizations(gateway)
    me = orgs.operator_a
    # Five free failures per account by default: guessing through PATCH is throttled alike.
    for _ in range(5):
        wrong = await patch(
            gateway,
            me.id,
            {"password": "x-long-password-9", "current_password": "guess-1234"},
            me.headers,
        )
        assert wrong.status_code == 422
    blocked = await patch(
        gateway, me.id, {"password": "x-long-password-9", "current_password": PASSWORD}, me.headers
    )
    assert blocked.status_code == 429
    sign_in = await gateway.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": me.email, "password": PASSWORD},
    )
    assert sign_in.status_code == 429


async def test_a_password_an_admin_sets_only_lets_its_holder_choose_their_own(
    gateway: httpx.AsyncClient,
) -> None:
    orgs = await two_organizations(gateway)
    target = orgs.operator_a
    reset = await patch(gateway, target.id, {"password": FIRST_PASSWORD}, orgs.admin_a.headers)
    assert reset.status_code == 200
    assert reset.json()["must_change_password"] is True
    form = {"grant_type": "password", "username": target.email, "password": FIRST_PASSWORD}
    held = await gateway.post("/api/v1/auth/token", data=form)
    assert held.status_code == 400
    assert held.json()["password_change_required"] is True
    assert "access_token" not in held.json()
    same = await gateway.post("/api/v1/auth/token", data={**form, "new_password": FIRST_PASSWORD})
    assert same.status_code == 400  # the token endpoint answers in OAuth's form (RFC 6749 §5.2)
    assert same.json()["error"] == "invalid_request"
    assert same.json()["errors"][0]["field"] == "body.new_password"
    weak = await gateway.post("/api/v1/auth/token", data={**form, "new_password": "Password1234"})
    assert weak.status_code == 400
    assert weak.json()["error"] == "invalid_request"
    chosen = await gateway.post("/api/v1/auth/token", data={**form, "new_password": PASSWORD})
    assert chosen.status_code == 200
    assert (await gateway.post("/api/v1/auth/token", data=form)).status_code == 400
    again = await gateway.post("/api/v1/auth/token", data={**form, "password": PASSWORD})
    assert again.status_code == 200
    read = await gateway.get(f"/api/v1/users/{target.id}", headers=orgs.admin_a.headers)
    assert read.json()["must_change_password"] is False


async def test_new_passwords_are_checked_everywhere(gateway: httpx.AsyncClient) -> None:
    orgs = await two_organizations(gateway)
    for password in ("Password1234", "iloveyou1234", "my-ponte-account-1"):
        body = {**user_body(["operator"]), "password": password}
        created = await gateway.post("/api/v1/users", json=body, headers=orgs.admin_a.headers)
        assert created.status_code == 422, password
        assert created.json()["errors"][0]["field"] == "body.password"
        activation = await gateway.post(
            "/api/v1/auth/activate", json={"code": "AAAAA-BBBBB", "password": password}
        )
        assert activation.status_code == 422, password
    named = {**user_body(["operator"]), "email": "nadia.karimi@example.org"}
    named["password"] = "Nadia.Karimi-is-my-name"
    refused = await gateway.post("/api/v1/users", json=named, headers=orgs.admin_a.headers)
    assert refused.status_code == 422


async def test_the_first_sign_in_of_an_account_made_by_the_platform_admin(
    gateway: httpx.AsyncClient,
) -> None:
    """The platform admin knows the password it gave a first org admin only until the org admin
    signs in: the org admin must replace it, and after that it opens nothing."""
    root = (await two_organizations(gateway)).admin
    organization = await create_organization(gateway, root)
    user = await create_user(gateway, root, organization, ["org_admin"])
    form = {"grant_type": "password", "username": str(user["email"]), "password": FIRST_PASSWORD}
    assert (await gateway.post("/api/v1/auth/token", data=form)).status_code == 400
    me = await gateway.get("/api/v1/auth/me", headers=bearer(str(user["access_token"])))
    assert me.json()["roles"] == ["org_admin"]
