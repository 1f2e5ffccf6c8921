"""POST /api/v1/auth/token: the three grants, refresh rotation with reuse detection, throttling."""

from __future__ import annotations

import asyncio
import base64
import uuid

import httpx
import pytest

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.gateway.helpers import (
    PASSWORD,
    admin_headers,
    bearer,
    create_organization,
    create_user,
)
from tests.support import connect, sql


async def _grant(client: httpx.AsyncClient, **form: str) -> httpx.Response:
    return await client.post("/api/v1/auth/token", data=form)


async def test_password_grant_returns_bearer_and_refresh_tokens(gateway: httpx.AsyncClient) -> None:
    answer = await _grant(
        gateway, grant_type="password", username=ADMIN_EMAIL, password=ADMIN_PASSWORD
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["access_token"].count(".") == 2
    assert len(body["refresh_token"]) >= 40
    assert answer.headers["cache-control"] == "no-store"


async def test_username_is_case_insensitive(gateway: httpx.AsyncClient) -> None:
    answer = await _grant(
        gateway, grant_type="password", username=ADMIN_EMAIL.upper(), password=ADMIN_PASSWORD
    )
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("username", "password"),
    [(ADMIN_EMAIL, "wrong-password-123"), ("nobody@ponte.test", "wrong-password-123")],
)
async def test_wrong_credentials_get_the_same_oauth_problem(
    gateway: httpx.AsyncClient, username: str, password: str
) -> None:
    answer = await _grant(gateway, grant_type="password", username=username, password=password)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/json"  # RFC 6749 §5.2
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["error"] == "invalid_grant"
    assert body["error_description"] == body["detail"]
    assert body["detail"] == "The e-mail address or the password is wrong."
    assert password not in answer.text


def _assert_oauth_error(answer: httpx.Response, status: int, error: str) -> dict[str, object]:
    """RFC 6749 §5.2: JSON with `error` and `error_description`, never stored."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["pragma"] == "no-cache"
    body: dict[str, object] = answer.json()
    assert body["error"] == error
    assert isinstance(body["error_description"], str)
    assert body["error_description"]
    assert "access_token" not in body
    return body


async def test_an_unknown_grant_type_is_unsupported_grant_type(gateway: httpx.AsyncClient) -> None:
    answer = await _grant(gateway, grant_type="implicit")
    body = _assert_oauth_error(answer, 400, "unsupported_grant_type")
    assert body["errors"][0]["field"] == "body.grant_type"  # type: ignore[index]


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD},  # no grant_type
        {"grant_type": "password", "username": "x" * 5000, "password": "p"},  # too long
        {"grant_type": "password", "username": "a\x00b", "password": "p"},  # NUL
    ],
)
async def test_a_malformed_token_request_is_invalid_request(
    gateway: httpx.AsyncClient, form: dict[str, str]
) -> None:
    _assert_oauth_error(await _grant(gateway, **form), 400, "invalid_request")


async def test_a_repeated_parameter_is_invalid_request(gateway: httpx.AsyncClient) -> None:
    answer = await gateway.post(
        "/api/v1/auth/token",
        content=f"grant_type=password&username={ADMIN_EMAIL}&password=a&password=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    body = _assert_oauth_error(answer, 400, "invalid_request")
    assert "password" in str(body["error_description"])


async def test_an_unknown_query_parameter_is_invalid_request(gateway: httpx.AsyncClient) -> None:
    answer = await gateway.post(
        "/api/v1/auth/token?debug=1",
        data={"grant_type": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
    )
    _assert_oauth_error(answer, 400, "invalid_request")


async def test_wrong_basic_credentials_are_401_with_a_basic_challenge(
    gateway: httpx.AsyncClient,
) -> None:
    wrong = base64.b64encode(b"pc_nobody:nope").decode()
    answer = await gateway.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {wrong}"},
    )
    _assert_oauth_error(answer, 401, "invalid_client")
    assert answer.headers["www-authenticate"].startswith("Basic ")
    malformed = await gateway.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic %%%"},
    )
    _assert_oauth_error(malformed, 401, "invalid_client")
    assert malformed.headers["www-authenticate"].startswith("Basic ")


async def test_missing_password_is_invalid_request(gateway: httpx.AsyncClient) -> None:
    answer = await _grant(gateway, grant_type="password", username=ADMIN_EMAIL)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


async def test_refresh_rotates_and_reuse_revokes_the_family(gateway: httpx.AsyncClient) -> None:
    first = (
        await _grant(gateway, grant_type="password", username=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    ).json()
    second = await _grant(gateway, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert (
        await gateway.get("/api/v1/auth/me", headers=bearer(rotated["access_token"]))
    ).status_code == 200

    # The first token comes back: a copy exists somewhere, so the whole chain ends.
    reuse = await _grant(gateway, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"
    after = await _grant(
        gateway, grant_type="refresh_token", refresh_token=rotated["refresh_token"]
    )
    assert after.status_code == 400

    # Another login is a new family and is unaffected.
    fresh = (
        await _grant(gateway, grant_type="password", username=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    ).json()
    assert (
        await _grant(gateway, grant_type="refresh_token", refresh_token=fresh["refresh_token"])
    ).status_code == 200


async def test_unknown_refresh_token_is_refused(gateway: httpx.AsyncClient) -> None:
    answer = await _grant(gateway, grant_type="refresh_token", refresh_token="not-a-token")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


async def test_deactivated_user_cannot_refresh(gateway: httpx.AsyncClient) -> None:
    admin = await admin_headers(gateway)  # a platform admin deactivates any staff account
    organization = await create_organization(gateway, admin)
    org_admin = await create_user(gateway, admin, organization, ["org_admin"])
    user = await create_user(
        gateway, bearer(str(org_admin["access_token"])), organization, ["operator"]
    )
    tokens = (
        await _grant(gateway, grant_type="password", username=str(user["email"]), password=PASSWORD)
    ).json()
    current = await gateway.get(f"/api/v1/users/{user['id']}", headers=admin)
    deactivate = await gateway.patch(
        f"/api/v1/users/{user['id']}",
        json={"is_active": False},
        headers={**admin, "If-Match": current.headers["etag"]},
    )
    assert deactivate.status_code == 200
    refreshed = await _grant(
        gateway, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 400
    login = await _grant(
        gateway, grant_type="password", username=str(user["email"]), password=PASSWORD
    )
    assert login.status_code == 400


async def test_client_credentials_with_form_and_basic_auth(gateway: httpx.AsyncClient) -> None:
    admin = await admin_headers(gateway)
    organization = await create_organization(gateway, admin)
    org_admin = await create_user(gateway, admin, organization, ["org_admin"])
    created = await gateway.post(
        "/api/v1/clients",
        json={"name": "NGO case system"},
        headers=bearer(str(org_admin["access_token"])),
    )
    assert created.status_code == 201
    client_id, secret = created.json()["client_id"], created.json()["client_secret"]

    by_form = await _grant(
        gateway, grant_type="client_credentials", client_id=client_id, client_secret=secret
    )
    assert by_form.status_code == 200
    assert "refresh_token" not in by_form.json() or by_form.json()["refresh_token"] is None
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    by_basic = await gateway.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert by_basic.status_code == 200

    me = await gateway.get("/api/v1/auth/me", headers=bearer(by_form.json()["access_token"]))
    assert me.json()["kind"] == "client"
    assert me.json()["roles"] == ["partner_system"]
    assert me.json()["organization"]["id"] == organization
    assert me.json()["client_name"] == "NGO case system"


async def test_wrong_or_revoked_client_secret_is_invalid_client(gateway: httpx.AsyncClient) -> None:
    admin = await admin_headers(gateway)
    organization = await create_organization(gateway, admin)
    org_admin = bearer(
        str((await create_user(gateway, admin, organization, ["org_admin"]))["access_token"])
    )
    created = (
        await gateway.post("/api/v1/clients", json={"name": "Partner"}, headers=org_admin)
    ).json()
    wrong = await _grant(
        gateway,
        grant_type="client_credentials",
        client_id=created["client_id"],
        client_secret="nope",
    )
    _assert_oauth_error(wrong, 401, "invalid_client")
    assert wrong.headers["www-authenticate"].startswith("Basic ")

    assert (
        await gateway.delete(f"/api/v1/clients/{created['id']}", headers=admin)
    ).status_code == 204
    revoked = await _grant(
        gateway,
        grant_type="client_credentials",
        client_id=created["client_id"],
        client_secret=created["client_secret"],
    )
    assert revoked.status_code == 401


@pytest.mark.parametrize(
    ("grant", "refusal"),
    [
        ("password", "The account is no longer active."),
        # The erasure takes the account's refresh tokens with it: the grant finds none.
        ("refresh_token", "The refresh token is not valid."),
    ],
)
async def test_a_sign_in_that_loses_the_race_with_an_erasure_is_refused_not_a_500(
    gateway: httpx.AsyncClient, gateway_database: str, grant: str, refusal: str
) -> None:
    """The account is deleted (an erasure) while its sign-in is under way: the delete holds the
    row until it commits, the sign-in waits for it, then sees the account gone."""
    admin = await admin_headers(gateway)
    organization = await create_organization(gateway, admin)
    user = await create_user(gateway, admin, organization, ["org_admin"])
    form = {"grant_type": "password", "username": str(user["email"]), "password": PASSWORD}
    if grant == "refresh_token":
        signed_in = await _grant(gateway, **form)
        form = {"grant_type": grant, "refresh_token": signed_in.json()["refresh_token"]}

    eraser = await connect(gateway_database)
    try:
        erasure = eraser.transaction()
        await erasure.start()
        await eraser.execute("DELETE FROM user_account WHERE id = $1", uuid.UUID(str(user["id"])))
        sign_in = asyncio.create_task(_grant(gateway, **form))
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        for _ in range(300):  # until the sign-in waits on the erased row (or has answered)
            if sign_in.done() or await eraser.fetchval(waiting):
                break
            await asyncio.sleep(0.05)
        await erasure.commit()
        answer = await asyncio.wait_for(sign_in, timeout=30)
    finally:
        await eraser.close()
    body = _assert_oauth_error(answer, 400, "invalid_grant")
    assert body["detail"] == refusal
    assert not await sql(
        gateway_database,
        "SELECT 1 FROM refresh_token WHERE user_id = $1",
        uuid.UUID(str(user["id"])),
    )
