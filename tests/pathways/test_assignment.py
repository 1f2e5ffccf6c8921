"""A pathway is assigned only to an active operator (or org admin) of the organisation running
it, as a real gateway (under uvicorn, on its own database) knows its users: an unknown user, a
deactivated account, another organisation's user or a provider is a 422 naming ``assigned_to``,
and nothing changes; a gateway that does not answer is a 503. Users are written straight into the
gateway's database (its users API wants sign-ins and password changes that are not the point)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from services.gateway.app import create_app as create_gateway
from services.pathways.app import create_app as create_pathways
from services.pathways.db.models import metadata
from services.pathways.settings import PathwaysSettings
from shared.testing.tokens import TestIssuer
from tests.conftest import gateway_settings
from tests.pathways.conftest import INTERNAL, open_pathway, person, step
from tests.support import Org, serve, sql, truncate
from tools.processes import free_port

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
async def gateway_url(gateway_database: str) -> AsyncIterator[str]:
    """The gateway under uvicorn, answering its internal door as pathways reaches it."""
    port = free_port()
    app = create_gateway(
        gateway_settings(gateway_database, internal_token=INTERNAL, webhook_deliver=False)
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # uvicorn offers no event to wait on
        if task.done():
            task.result()
            raise RuntimeError("the gateway did not start")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class World:
    pathways: httpx.AsyncClient
    gateway_database: str
    issuer: TestIssuer

    async def org(self) -> Org:
        """An organisation the gateway knows, whose operator token is one of its users."""
        org = Org(self.issuer)
        await sql(
            self.gateway_database,
            "INSERT INTO organization (id, name, type) VALUES ($1, $2, 'ngo')",
            org.id,
            f"Org {org.id}",
        )
        org.operator_id = str(await self.user(org))
        return org

    async def user(self, org: Org, *roles: str, active: bool = True) -> uuid.UUID:
        user_id = uuid.uuid4()
        await sql(
            self.gateway_database,
            "INSERT INTO user_account (id, organization_id, email, full_name, password_hash, "
            "roles, is_active, version) VALUES ($1, $2, $3, 'A colleague', 'x', $4, $5, 1)",
            user_id,
            org.id,
            f"{user_id}@example.org",
            list(roles or ("operator",)),
            active,
        )
        return user_id


@pytest.fixture
async def world(
    pathways_database: str, gateway_database: str, gateway_url: str, issuer: TestIssuer
) -> AsyncIterator[World]:
    await truncate(pathways_database, metadata)
    settings = PathwaysSettings(
        database_url=pathways_database,
        migrate_on_start=False,
        internal_token=INTERNAL,
        gateway_url=gateway_url,
    )
    async with serve(create_pathways(settings, verifier=issuer.verifier_factory())) as client:
        yield World(client, gateway_database, issuer)


async def _reassign(world: World, org: Org, pathway_id: str, assigned_to: str) -> httpx.Response:
    read = await world.pathways.get(f"/api/v1/pathways/{pathway_id}", headers=org.operator)
    return await world.pathways.patch(
        f"/api/v1/pathways/{pathway_id}",
        json={"assigned_to": assigned_to},
        headers={**org.operator, "If-Match": read.headers["etag"]},
    )


async def test_reassigned_to_a_colleague_the_timeline_tells_who_did_what(world: World) -> None:
    a = await world.org()
    pathway = await open_pathway(world.pathways, a, await person(world.pathways, a))
    await step(world.pathways, a, pathway["id"], "assess")
    colleague = str(await world.user(a, "operator"))
    moved = await _reassign(world, a, pathway["id"], colleague)
    assert moved.status_code == 200, moved.text
    assert moved.json()["assigned_to"] == colleague
    admin = str(await world.user(a, "org_admin"))
    assert (await _reassign(world, a, pathway["id"], admin)).json()["assigned_to"] == admin
    entries = (
        await world.pathways.get(f"/api/v1/pathways/{pathway['id']}/timeline", headers=a.operator)
    ).json()["items"]
    assert [entry["kind"] for entry in entries] == [
        "opened",
        "employment_status",
        "step:assess",
        "reassigned",
        "reassigned",
    ]
    assert entries[3]["summary"] == {"previous": a.operator_id, "assigned_to": colleague}
    assert all(entry["actor"] == a.operator_id for entry in entries)


@pytest.mark.parametrize("who", ["unknown", "not_an_id", "deactivated", "other_org", "provider"])
async def test_only_an_active_operator_of_the_organisation_takes_a_pathway(
    world: World, who: str
) -> None:
    a, b = await world.org(), await world.org()
    pathway = await open_pathway(world.pathways, a, await person(world.pathways, a))
    if who == "unknown":
        assignee = str(uuid.uuid4())
    elif who == "not_an_id":
        assignee = "Giulia"
    elif who == "deactivated":
        assignee = str(await world.user(a, "operator", active=False))
    elif who == "other_org":
        assignee = str(await world.user(b, "operator"))
    else:
        assignee = str(await world.user(a, "provider"))
    before = await world.pathways.get(f"/api/v1/pathways/{pathway['id']}", headers=a.operator)
    refused = await _reassign(world, a, pathway["id"], assignee)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
    problem = refused.json()
    assert [error["field"] for error in problem["errors"]] == ["body.assigned_to"]
    assert "active operator" in problem["detail"]
    after = await world.pathways.get(f"/api/v1/pathways/{pathway['id']}", headers=a.operator)
    assert after.json()["assigned_to"] == a.operator_id
    assert after.headers["etag"] == before.headers["etag"]
    kinds = [
        entry["kind"]
        for entry in (
            await world.pathways.get(
                f"/api/v1/pathways/{pathway['id']}/timeline", headers=a.operator
            )
        ).json()["items"]
    ]
    assert "reassigned" not in kinds


async def test_a_pathway_opened_for_someone_else_names_an_active_operator(world: World) -> None:
    a, b = await world.org(), await world.org()
    someone = await person(world.pathways, a)
    stranger = await world.user(b, "operator")
    refused = await world.pathways.post(
        "/api/v1/pathways",
        json={"beneficiary_id": str(someone), "assigned_to": str(stranger)},
        headers=a.operator,
    )
    assert refused.status_code == 422, refused.text
    listed = await world.pathways.get(
        "/api/v1/pathways", params={"beneficiary_id": str(someone)}, headers=a.operator
    )
    assert listed.json()["items"] == []
    colleague = str(await world.user(a, "operator"))
    opened = await world.pathways.post(
        "/api/v1/pathways",
        json={"beneficiary_id": str(someone), "assigned_to": colleague},
        headers=a.operator,
    )
    assert opened.status_code == 201, opened.text
    assert opened.json()["assigned_to"] == colleague


async def test_a_gateway_that_does_not_answer_changes_nothing(
    pathways_database: str, issuer: TestIssuer
) -> None:
    await truncate(pathways_database, metadata)
    settings = PathwaysSettings(
        database_url=pathways_database,
        migrate_on_start=False,
        internal_token=INTERNAL,
        gateway_url=f"http://127.0.0.1:{free_port()}",  # nobody listens there
    )
    async with serve(create_pathways(settings, verifier=issuer.verifier_factory())) as client:
        a = Org(issuer)
        pathway = await open_pathway(client, a, await person(client, a))
        world = World(client, "", issuer)
        answer = await _reassign(world, a, pathway["id"], str(uuid.uuid4()))
        assert answer.status_code == 503, answer.text
        after = await client.get(f"/api/v1/pathways/{pathway['id']}", headers=a.operator)
        assert after.json()["assigned_to"] == a.operator_id
