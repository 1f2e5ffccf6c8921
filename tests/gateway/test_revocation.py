"""Revocation on the next request: an access token still within its 15 minutes stops working at
once when its user is deactivated or their roles change, their API client is revoked, or the
person is erased, at the gateway's own routes and at the proxied ones, in the replica that made the
change and, within the poll bound, in every other one (even while its listener is down). Tokens
issued after the change work at once."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.gateway.app import create_app
from services.gateway.db.models import metadata
from services.gateway.service.activation import Invitation, account_for
from services.gateway.service.revocation import RevocationList
from shared.app import ServiceApp
from shared.contracts import intake
from shared.errors import problem_type
from tests.conftest import gateway_settings
from tests.gateway.helpers import (
    admin_headers,
    bearer,
    create_organization,
    create_user,
    token,
)
from tests.support import envelope, serve, sql, truncate
from tools.processes import free_port

INTERNAL_TOKEN = "revocation-tests-internal-token"
POLL_SECONDS = 0.2
# Intake is down in these tests: a token the gateway accepts gets 503 there, one it refuses 401.
PROXIED = "/api/v1/beneficiaries"
OWN = "/api/v1/auth/me"


@contextlib.asynccontextmanager
async def replicas(database: str, count: int = 1) -> AsyncIterator[list[httpx.AsyncClient]]:
    """``count`` gateways on one emptied database; the services behind them are down."""
    await truncate(database, metadata)
    settings = gateway_settings(
        database,
        intake_url=f"http://127.0.0.1:{free_port()}",
        pathways_url=f"http://127.0.0.1:{free_port()}",
        matching_url=f"http://127.0.0.1:{free_port()}",
        internal_token=INTERNAL_TOKEN,
        revocation_poll_seconds=POLL_SECONDS,
        webhook_deliver=False,
        webhook_access_wait_seconds=0,
    )
    async with contextlib.AsyncExitStack() as stack:
        clients = []
        for _ in range(count):
            app = create_app(settings)
            client = await stack.enter_async_context(serve(app))
            client.app = app  # type: ignore[attr-defined]
            clients.append(client)
        yield clients


def revocation_list(client: httpx.AsyncClient) -> RevocationList:
    app: ServiceApp = client.app  # type: ignore[attr-defined]
    revoked: RevocationList = app.state.revoked
    return revoked


async def accepted(
    client: httpx.AsyncClient, headers: dict[str, str], proxied_path: str = PROXIED
) -> bool:
    """Whether the gateway takes the token, at its own route and at a proxied one alike."""
    own = await client.get(OWN, headers=headers)
    proxied = await client.get(proxied_path, headers=headers)
    if own.status_code == 200:
        assert proxied.status_code == 503, proxied.text  # past the token check, intake is down
        return True
    for answer in (own, proxied):
        assert answer.status_code == 401, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        assert answer.json()["type"] == problem_type("unauthorized")
    return False


async def learnt_within_the_poll_bound(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """The replica refuses the token within two poll intervals (and some slack for a busy
    machine), then at every route."""
    started = time.monotonic()
    while (await client.get(OWN, headers=headers)).status_code == 200:
        assert time.monotonic() - started < 2 * POLL_SECONDS + 0.5, "not learnt in time"
        await asyncio.sleep(0.02)
    assert not await accepted(client, headers)


async def patch_user(
    client: httpx.AsyncClient, headers: dict[str, str], user_id: str, body: dict[str, Any]
) -> None:
    current = await client.get(f"/api/v1/users/{user_id}", headers=headers)
    answer = await client.patch(
        f"/api/v1/users/{user_id}",
        json=body,
        headers={**headers, "If-Match": current.headers["etag"]},
    )
    assert answer.status_code == 200, answer.text


async def org_admin(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """A new organisation and its first org admin's headers (the platform admin makes both)."""
    organization = await create_organization(client, await admin_headers(client))
    admin = await create_user(client, await admin_headers(client), organization, ["org_admin"])
    return organization, bearer(str(admin["access_token"]))


async def operator(client: httpx.AsyncClient) -> tuple[dict[str, str], str, dict[str, str]]:
    """An org admin's headers, and the id and headers of an operator the org admin added."""
    organization, admin = await org_admin(client)
    user = await create_user(client, admin, organization, ["operator"])
    return admin, str(user["id"]), bearer(await token(client, str(user["email"])))


async def test_a_deactivated_users_token_is_refused_at_once(gateway_database: str) -> None:
    async with replicas(gateway_database) as [gateway]:
        admin, user_id, headers = await operator(gateway)
        assert await accepted(gateway, headers)
        await patch_user(gateway, admin, user_id, {"is_active": False})
        assert not await accepted(gateway, headers)
        # Back in service: new tokens work, the old one stays refused.
        await patch_user(gateway, admin, user_id, {"is_active": True})
        user = (await gateway.get(f"/api/v1/users/{user_id}", headers=admin)).json()
        assert await accepted(gateway, bearer(await token(gateway, user["email"])))
        assert not await accepted(gateway, headers)


async def test_a_role_change_ends_the_old_tokens_and_a_new_sign_in_works_at_once(
    gateway_database: str,
) -> None:
    async with replicas(gateway_database) as [gateway]:
        admin, user_id, headers = await operator(gateway)
        email = (await gateway.get(OWN, headers=headers)).json()["email"]
        await patch_user(gateway, admin, user_id, {"roles": ["provider"]})
        assert not await accepted(gateway, headers)
        # Signed in within the same second as the change: the new token counts.
        renewed = bearer(await token(gateway, email))
        assert await accepted(gateway, renewed)
        assert (await gateway.get(OWN, headers=renewed)).json()["roles"] == ["provider"]


async def test_a_revoked_clients_token_is_refused_at_once(gateway_database: str) -> None:
    async with replicas(gateway_database) as [gateway]:
        _, admin = await org_admin(gateway)
        created = (
            await gateway.post("/api/v1/clients", json={"name": "Partner"}, headers=admin)
        ).json()
        grant = await gateway.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": created["client_id"],
                "client_secret": created["client_secret"],
            },
        )
        headers = bearer(grant.json()["access_token"])
        assert await accepted(gateway, headers)
        revoked = await gateway.delete(f"/api/v1/clients/{created['id']}", headers=admin)
        assert revoked.status_code == 204
        assert not await accepted(gateway, headers)


async def test_an_erased_persons_token_is_refused_once_the_gateway_hears_of_it(
    gateway_database: str,
) -> None:
    async with replicas(gateway_database) as [gateway]:
        app: ServiceApp = gateway.app  # type: ignore[attr-defined]
        organization = await create_organization(gateway, await admin_headers(gateway))
        person = uuid.uuid4()
        async with app.state.sessions() as session, session.begin():
            account = await account_for(
                session, Invitation(person, uuid.UUID(organization)), "a-long-app-password"
            )
            tokens = await app.state.issuer.new_session(session, account)
        headers = bearer(tokens.access_token)
        assert await accepted(gateway, headers, "/api/v1/me/profile")
        erased = envelope(
            intake.ERASED, {"beneficiary_id": str(person), "organization_id": organization}
        )
        answer = await gateway.post(
            "/internal/events",
            json={"events": [erased]},
            headers=bearer(INTERNAL_TOKEN),
        )
        assert answer.status_code == 200, answer.text
        assert not await accepted(gateway, headers, "/api/v1/me/profile")


async def test_a_merged_records_app_account_follows_the_person(gateway_database: str) -> None:
    async with replicas(gateway_database) as [gateway]:
        app: ServiceApp = gateway.app  # type: ignore[attr-defined]
        organization = uuid.UUID(await create_organization(gateway, await admin_headers(gateway)))
        duplicate, survivor, other_duplicate = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        async with app.state.sessions() as session, session.begin():
            sessions = []
            for person in (duplicate, survivor, other_duplicate):
                account = await account_for(session, Invitation(person, organization), None)
                sessions.append(await app.state.issuer.new_session(session, account))

        async def merge(merged: uuid.UUID) -> None:
            event = envelope(
                intake.MERGED,
                {
                    "merged_id": str(merged),
                    "survivor_id": str(survivor),
                    "organization_id": str(organization),
                },
            )
            answer = await gateway.post(
                "/internal/events", json={"events": [event]}, headers=bearer(INTERNAL_TOKEN)
            )
            assert answer.status_code == 200, answer.text

        async def me(access_token: str) -> httpx.Response:
            return await gateway.get(OWN, headers=bearer(access_token))

        # The survivor had no account of its own... then it has: the second duplicate's goes.
        held = await sql(
            gateway_database, "SELECT id FROM user_account WHERE beneficiary_id = $1", survivor
        )
        await sql(gateway_database, "DELETE FROM user_account WHERE id = $1", held[0]["id"])
        await merge(duplicate)
        assert (await me(sessions[0].access_token)).status_code == 401  # its bid is gone
        renewed = await gateway.post(
            "/api/v1/auth/token",
            data={"grant_type": "refresh_token", "refresh_token": sessions[0].refresh_token},
        )
        assert renewed.status_code == 200, renewed.text
        now_me = await me(renewed.json()["access_token"])
        assert now_me.json()["beneficiary_id"] == str(survivor)

        await merge(other_duplicate)
        assert (await me(sessions[2].access_token)).status_code == 401
        active = await sql(
            gateway_database,
            "SELECT beneficiary_id FROM user_account WHERE is_active AND beneficiary_id = ANY($1)",
            [other_duplicate, survivor],
        )
        assert [row["beneficiary_id"] for row in active] == [survivor]  # one account a person
        refused = await gateway.post(
            "/api/v1/auth/token",
            data={"grant_type": "refresh_token", "refresh_token": sessions[2].refresh_token},
        )
        assert refused.status_code == 400


async def test_another_replica_learns_a_revocation_within_the_poll_bound(
    gateway_database: str,
) -> None:
    async with replicas(gateway_database, count=2) as [first, second]:
        admin, user_id, headers = await operator(first)
        assert await accepted(second, headers)
        assert revocation_list(second).listening
        await patch_user(first, admin, user_id, {"is_active": False})
        await learnt_within_the_poll_bound(second, headers)


async def test_while_its_listener_is_down_a_replica_polls(
    gateway_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreachable(_self: RevocationList) -> None:
        raise OSError("the listener cannot connect")

    monkeypatch.setattr(RevocationList, "_listen", unreachable)
    async with replicas(gateway_database, count=2) as [first, second]:
        admin, user_id, headers = await operator(first)
        assert await accepted(second, headers)
        assert not revocation_list(second).listening
        await patch_user(first, admin, user_id, {"is_active": False})
        assert not await accepted(first, headers)  # the replica that made the change: at once
        await learnt_within_the_poll_bound(second, headers)


async def test_a_listener_cut_by_the_database_is_replaced(gateway_database: str) -> None:
    async with replicas(gateway_database, count=2) as [first, second]:
        admin, user_id, headers = await operator(first)
        assert revocation_list(second).listening
        cut = await sql(
            gateway_database,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'ponte-revocations' AND datname = current_database()",
        )
        assert len(cut) == 2
        await patch_user(first, admin, user_id, {"is_active": False})
        await learnt_within_the_poll_bound(second, headers)
        started = time.monotonic()
        while not revocation_list(second).listening:
            assert time.monotonic() - started < 5, "the listener did not come back"
            await asyncio.sleep(0.05)


async def test_a_restarted_gateway_loads_the_revocations(gateway_database: str) -> None:
    async with replicas(gateway_database) as [gateway]:
        admin, user_id, headers = await operator(gateway)
        await patch_user(gateway, admin, user_id, {"is_active": False})
    settings = gateway_settings(gateway_database, intake_url=f"http://127.0.0.1:{free_port()}")
    async with serve(create_app(settings)) as restarted:
        assert not await accepted(restarted, headers)
