"""The service points and territory an assessment or an action names, checked with a real
matching service (on its own database, over HTTP) before pathways records anything: usable ones
are stored with the step and the action and named for the priority need; unknown, closed or
invisible ones are a 422 naming the field; matching down is a 503 and nothing is recorded.
Service points are written straight into matching's database (their API is built elsewhere)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from services.matching.app import create_app as create_matching
from services.pathways.app import create_app as create_pathways
from services.pathways.db.models import metadata
from services.pathways.settings import PathwaysSettings
from shared.testing.plugin import DatabaseFactory
from shared.testing.tokens import TestIssuer
from tests.matching.conftest import matching_settings
from tests.matching.reach_data import ROMA, cluster, service_point
from tests.matching.territories import import_territory_subset
from tests.pathways.conftest import ASSESSMENT, INTERNAL, open_pathway, person
from tests.support import Org, migrated_database, serve, truncate
from tools.processes import free_port

TOKEN = INTERNAL  # one token for both services, as in a deployment
PROBLEM = "application/problem+json"


@dataclass
class World:
    pathways: httpx.AsyncClient
    matching_database: str
    issuer: TestIssuer


@pytest.fixture(scope="module")
async def matching_database(database_factory: DatabaseFactory) -> str:
    url = await migrated_database(database_factory, "matching")
    await import_territory_subset(url)
    return url


@pytest.fixture(scope="module")
async def matching_url(matching_database: str, issuer: TestIssuer) -> AsyncIterator[str]:
    """Matching under uvicorn on a free port, as pathways reaches it in a deployment."""
    port = free_port()
    settings = matching_settings(matching_database, internal_token=TOKEN)
    app = create_matching(settings, verifier=issuer.verifier_factory())
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # uvicorn offers no event to wait on
        if task.done():
            task.result()  # it stopped before it started: say why
            raise RuntimeError("matching did not start")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def world(
    pathways_database: str, matching_database: str, matching_url: str, issuer: TestIssuer
) -> AsyncIterator[World]:
    # Matching's rows are not emptied while it runs: each test makes its own organisations.
    await truncate(pathways_database, metadata)
    settings = PathwaysSettings(
        database_url=pathways_database,
        migrate_on_start=False,
        internal_token=TOKEN,
        matching_url=matching_url,
    )
    async with serve(create_pathways(settings, verifier=issuer.verifier_factory())) as client:
        yield World(client, matching_database, issuer)


def _assessment(**context: Any) -> dict[str, Any]:
    return {**ASSESSMENT, "territorial_context": {"municipality": "Roma", **context}}


def _fields(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    return [error["field"] for error in answer.json()["errors"]]


async def _pathway(world: World, org: Org) -> str:
    someone = await person(world.pathways, org)
    return str((await open_pathway(world.pathways, org, someone))["id"])


async def test_an_assessment_keeps_its_service_points_and_names_those_of_the_priority_need(
    world: World,
) -> None:
    ngo, provider = Org(world.issuer), Org(world.issuer)
    desk = await service_point(
        world.matching_database, provider, name="Sportello", need_domains=["documents_legal"]
    )
    home = await service_point(
        world.matching_database, provider, name="Casa", need_domains=["housing"], tier="structured"
    )
    pathway = await _pathway(world, ngo)
    body = _assessment(territory_code=ROMA, service_point_ids=[str(home), str(desk)])
    answer = await world.pathways.post(
        f"/api/v1/pathways/{pathway}/assessments", json=body, headers=ngo.operator
    )
    assert answer.status_code == 201, answer.text
    result = answer.json()["result"]
    assert result["proposal"]["domain"] == "documents_legal"
    assert result["proposal"]["service_point_ids"] == [str(desk)]
    assert result["priority_service_point_ids"] == [str(desk)]

    read = (await world.pathways.get(f"/api/v1/pathways/{pathway}", headers=ngo.operator)).json()
    assert read["priority_service_point_ids"] == [str(desk)]
    (stored,) = (
        await world.pathways.get(f"/api/v1/pathways/{pathway}/assessments", headers=ngo.operator)
    ).json()["items"]
    context = stored["body"]["territorial_context"]
    assert (context["territory_code"], context["service_point_ids"]) == (
        ROMA,
        [str(home), str(desk)],
    )

    # The operator chooses housing: the priority's service points follow.
    other = await _pathway(world, ngo)
    chosen = {**body, "priority_need": {"domain": "housing", "reason": "Evicted next week"}}
    answer = await world.pathways.post(
        f"/api/v1/pathways/{other}/assessments", json=chosen, headers=ngo.operator
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["result"]["proposal"]["service_point_ids"] == [str(desk)]
    assert answer.json()["result"]["priority_service_point_ids"] == [str(home)]


async def test_unusable_service_points_and_territories_are_refused_by_field(world: World) -> None:
    ngo, provider, stranger = Org(world.issuer), Org(world.issuer), Org(world.issuer)
    url = world.matching_database
    usable = await service_point(url, provider, name="Desk", need_domains=["documents_legal"])
    closed = await service_point(
        url, provider, name="Shut", need_domains=["housing"], status="closed"
    )
    elsewhere = await cluster(url, stranger.id, stranger.id)
    hidden = await service_point(
        url, stranger, name="Nicosia", need_domains=["health"], cluster_ids=[elsewhere]
    )
    pathway = await _pathway(world, ngo)
    path = f"/api/v1/pathways/{pathway}/assessments"
    ids = [str(usable), str(uuid.uuid4()), str(closed), str(hidden)]
    refused = await world.pathways.post(
        path, json=_assessment(territory_code="ITZ99", service_point_ids=ids), headers=ngo.operator
    )
    assert _fields(refused) == [
        "body.territorial_context.service_point_ids.1",
        "body.territorial_context.service_point_ids.2",
        "body.territorial_context.service_point_ids.3",
        "body.territorial_context.territory_code",
    ]
    badly_formed = await world.pathways.post(
        path, json=_assessment(territory_code="Roma"), headers=ngo.operator
    )
    assert _fields(badly_formed) == ["body.territorial_context.territory_code"]
    # Nothing was recorded: the pathway is still waiting for its first assessment.
    read = (await world.pathways.get(f"/api/v1/pathways/{pathway}", headers=ngo.operator)).json()
    assert (read["stage"], read["cycle"], read["priority_need"]) == (None, 0, None)
    assert (await world.pathways.get(path, headers=ngo.operator)).json()["items"] == []

    assessed = await world.pathways.post(
        path, json=_assessment(service_point_ids=[str(usable)]), headers=ngo.operator
    )
    assert assessed.status_code == 201, assessed.text

    actions = f"/api/v1/pathways/{pathway}/actions"
    plan = {
        "actions": [
            {"type": "legal_aid", "title": "Permit", "service_point_id": str(usable)},
            {"type": "other", "title": "Clinic", "service_point_id": str(hidden)},
        ]
    }
    assert _fields(await world.pathways.post(actions, json=plan, headers=ngo.operator)) == [
        "body.actions.1.service_point_id"
    ]
    plan["actions"].pop()
    planned = await world.pathways.post(actions, json=plan, headers=ngo.operator)
    assert planned.status_code == 201, planned.text
    (action,) = (await world.pathways.get(actions, headers=ngo.operator)).json()["items"]
    assert action["service_point_id"] == str(usable)

    await world.pathways.post(
        f"/api/v1/pathways/{pathway}/monitoring", json={"progress": []}, headers=ngo.operator
    )
    adjustment = {
        "reason": "Another desk",
        "add": [{"type": "legal_aid", "title": "Appeal", "service_point_id": str(closed)}],
    }
    adjusted = await world.pathways.post(
        f"/api/v1/pathways/{pathway}/adjustments", json=adjustment, headers=ngo.operator
    )
    assert _fields(adjusted) == ["body.add.0.service_point_id"]


async def test_matching_down_is_a_503_and_nothing_is_recorded(
    pathways_database: str, issuer: TestIssuer
) -> None:
    await truncate(pathways_database, metadata)
    settings = PathwaysSettings(
        database_url=pathways_database,
        migrate_on_start=False,
        internal_token=TOKEN,
        matching_url="http://127.0.0.1:9",  # nothing listens
    )
    ngo = Org(issuer)
    async with serve(create_pathways(settings, verifier=issuer.verifier_factory())) as client:
        someone = await person(client, ngo)
        pathway = (await open_pathway(client, ngo, someone))["id"]
        path = f"/api/v1/pathways/{pathway}/assessments"
        body = _assessment(service_point_ids=[str(uuid.uuid4())])
        down = await client.post(path, json=body, headers=ngo.operator)
        assert down.status_code == 503, down.text
        assert down.headers["content-type"].startswith(PROBLEM)
        assert (await client.get(path, headers=ngo.operator)).json()["items"] == []
        read = (await client.get(f"/api/v1/pathways/{pathway}", headers=ngo.operator)).json()
        assert (read["stage"], read["priority_need"]) == (None, None)
        # A context without service points or territory code needs no check.
        plain = await client.post(path, json=_assessment(), headers=ngo.operator)
        assert plain.status_code == 201, plain.text
