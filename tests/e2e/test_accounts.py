"""End to end through the gateway: accounts and roles.

* An org admin cannot take over a person's app account (set its password and sign in as them,
  give it staff roles), nor record a consent "given in the app" for them.
* The platform admin (the bootstrap admin) administers the platform: it cannot register a person,
  read one, create a client in an organisation, nor get a client of its own making at home.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack
from tests.e2e.helpers import Organisation, bearer, eventually, organisation, token

pytestmark = pytest.mark.e2e

APP_PASSWORD = "a-person-chooses-a-long-phrase"
PERSON = {
    "given_name": "Efua",
    "family_name": "Owusu",
    "birth_date": "1994-02-11",
    "sex": "female",
    "nationality": "GH",
    "municipality": "Latina",
}


def ok(answer: httpx.Response) -> Any:
    assert answer.is_success, (answer.request.method, answer.request.url, answer.text)
    return answer.json() if answer.content else None


@pytest.fixture(scope="module")
def setting(stack: Stack) -> Iterator[tuple[httpx.Client, Organisation, dict[str, str]]]:
    with stack.client() as client:
        yield (
            client,
            organisation(client, "Accounts NGO"),
            bearer(token(client, ADMIN_EMAIL, ADMIN_PASSWORD)),
        )


def _activated(client: httpx.Client, org: Organisation) -> tuple[str, dict[str, Any]]:
    """A person registered by ``org`` who activated the app with a password of their own."""
    person = ok(client.post("/api/v1/beneficiaries", json=PERSON, headers=org.operator))
    url = f"/api/v1/beneficiaries/{person['id']}/invitations"
    code = ok(client.post(url, headers=org.operator))["code"]
    activated = ok(
        client.post("/api/v1/auth/activate", json={"code": code, "password": APP_PASSWORD})
    )
    return person["id"], activated


def test_an_org_admin_cannot_take_over_a_persons_app_account(
    setting: tuple[httpx.Client, Organisation, dict[str, str]],
) -> None:
    client, org, _ = setting
    person_id, activated = _activated(client, org)
    app = bearer(activated["access_token"])
    account_id = ok(client.get("/api/v1/auth/me", headers=app))["subject"]
    url = f"/api/v1/users/{account_id}"
    admin = {**org.admin, "If-Match": "*"}
    password = client.patch(url, json={"password": "the-admin-chose-this-one"}, headers=admin)
    assert password.status_code == 403
    taken = client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "password",
            "username": activated["username"],
            "password": "the-admin-chose-this-one",
        },
    )
    assert taken.status_code == 400
    for roles in (["operator"], ["org_admin"], ["beneficiary", "operator"]):
        assert client.patch(url, json={"roles": roles}, headers=admin).status_code == 403
    me = ok(client.get("/api/v1/auth/me", headers=app))
    assert me["roles"] == ["beneficiary"]
    # The person still signs in with their own password, and is still only the person.
    again = client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "password",
            "username": activated["username"],
            "password": APP_PASSWORD,
        },
    )
    assert again.status_code == 200
    refreshed = ok(client.get("/api/v1/auth/me", headers=bearer(again.json()["access_token"])))
    assert refreshed["roles"] == ["beneficiary"]
    assert refreshed["beneficiary_id"] == person_id


def test_a_consent_given_in_the_app_is_the_persons_own(
    setting: tuple[httpx.Client, Organisation, dict[str, str]],
) -> None:
    client, org, _ = setting
    person_id, activated = _activated(client, org)
    body = {"purpose": "matching", "text_version": "v1", "collection_method": "mobile_app"}
    url = f"/api/v1/beneficiaries/{person_id}/consents"
    for headers in (org.operator, org.admin):
        refused = client.post(url, json=body, headers=headers)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "body.collection_method"
    assert ok(client.get(url, headers=org.operator))["items"] == []
    own = {key: value for key, value in body.items() if key != "collection_method"}
    given = ok(
        client.post("/api/v1/me/consents", json=own, headers=bearer(activated["access_token"]))
    )
    assert given["collection_method"] == "mobile_app"


def test_the_platform_admin_works_on_no_ones_data(
    setting: tuple[httpx.Client, Organisation, dict[str, str]],
) -> None:
    client, org, root = setting
    me = ok(client.get("/api/v1/auth/me", headers=root))
    assert me["roles"] == ["platform_admin"]
    registered = client.post("/api/v1/beneficiaries", json=PERSON, headers=root)
    assert registered.status_code == 403
    person = ok(client.post("/api/v1/beneficiaries", json=PERSON, headers=org.operator))
    read = client.get(f"/api/v1/beneficiaries/{person['id']}", headers=root)
    assert read.status_code == 404
    listed = ok(client.get("/api/v1/beneficiaries", headers=root))
    assert person["id"] not in str(listed)
    # No credentials inside the organisation, nor at home (a client would read people).
    for body in ({"name": "back door", "organization_id": org.id}, {"name": "home"}):
        assert client.post("/api/v1/clients", json=body, headers=root).status_code == 403
    # Nor staff of its own making there: no operator, no second org admin.
    for roles in (["operator"], ["org_admin"]):
        made = client.post(
            "/api/v1/users",
            json={
                "email": f"{roles[0]}-made-by-root@e2e.example",
                "full_name": "Made by root",
                "password": "a-first-password-of-roots",
                "roles": roles,
                "organization_id": org.id,
            },
            headers=root,
        )
        assert made.status_code in (403, 409), roles
    # The organisation's own admin makes its clients; the platform admin may only revoke them.
    created = ok(client.post("/api/v1/clients", json={"name": "case system"}, headers=org.admin))
    assert client.delete(f"/api/v1/clients/{created['id']}", headers=root).status_code == 204
    form = {
        "grant_type": "client_credentials",
        "client_id": created["client_id"],
        "client_secret": created["client_secret"],
    }
    assert client.post("/api/v1/auth/token", data=form).status_code == 401

    def pathways_know_the_person() -> bool:
        answer = client.post(
            "/api/v1/pathways", json={"beneficiary_id": person["id"]}, headers=org.operator
        )
        return answer.status_code == 201

    eventually(pathways_know_the_person)
    opened = client.post("/api/v1/pathways", json={"beneficiary_id": person["id"]}, headers=root)
    assert opened.status_code == 403
