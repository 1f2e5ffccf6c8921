"""Idempotency-Key on pathways' POSTs: opening a pathway and recording a step, replayed."""

from __future__ import annotations

import httpx

from shared.contracts import intake as contract
from tests.pathways.conftest import ASSESSMENT, deliver, person
from tests.support import Org, envelope, sql


async def test_a_replayed_opening_answers_the_pathway_instead_of_409(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], pathways_database: str
) -> None:
    a = orgs[0]
    someone = await person(pathways, a)
    headers = {**a.operator, "Idempotency-Key": "open-1"}
    body = {"beneficiary_id": str(someone)}
    first = await pathways.post("/api/v1/pathways", json=body, headers=headers)
    again = await pathways.post("/api/v1/pathways", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    without_key = await pathways.post("/api/v1/pathways", json=body, headers=a.operator)
    assert without_key.status_code == 409  # what a blind retry would have met
    rows = await sql(pathways_database, "SELECT count(*) AS n FROM pathway")
    assert rows[0]["n"] == 1


async def test_a_step_is_recorded_once_and_its_key_is_tied_to_the_pathway(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], pathways_database: str
) -> None:
    a = orgs[0]
    first_person, second_person = await person(pathways, a), await person(pathways, a)
    opened = [
        (
            await pathways.post(
                "/api/v1/pathways", json={"beneficiary_id": str(who)}, headers=a.operator
            )
        ).json()
        for who in (first_person, second_person)
    ]
    headers = {**a.operator, "Idempotency-Key": "assess-1"}
    url = f"/api/v1/pathways/{opened[0]['id']}/assessments"
    answers = [await pathways.post(url, json=ASSESSMENT, headers=headers) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert len({answer.content for answer in answers}) == 1
    steps = await sql(pathways_database, "SELECT count(*) AS n FROM pathway_step")
    assert steps[0]["n"] == 1
    elsewhere = await pathways.post(
        f"/api/v1/pathways/{opened[1]['id']}/assessments", json=ASSESSMENT, headers=headers
    )
    assert elsewhere.status_code == 422  # same key, another pathway: another request
    out_of_order = await pathways.post(
        url.replace("assessments", "monitoring"),
        json={"progress": [], "notes": "x"},
        headers={**a.operator, "Idempotency-Key": "monitor-too-early"},
    )
    assert out_of_order.status_code == 409
    kept = await sql(pathways_database, "SELECT key FROM idempotency_record ORDER BY key")
    assert [row["key"] for row in kept] == ["assess-1"]  # the 409 was not kept


async def test_erasure_forgets_the_stored_answers_about_the_person(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], pathways_database: str
) -> None:
    a = orgs[0]
    someone = await person(pathways, a)
    opened = (
        await pathways.post(
            "/api/v1/pathways", json={"beneficiary_id": str(someone)}, headers=a.operator
        )
    ).json()
    answer = await pathways.post(
        f"/api/v1/pathways/{opened['id']}/assessments",
        json=ASSESSMENT,
        headers={**a.operator, "Idempotency-Key": "assess-notes"},
    )
    assert answer.status_code == 201, answer.text
    await deliver(
        pathways,
        envelope(
            contract.ERASED,
            {"beneficiary_id": str(someone), "organization_id": str(a.id)},
        ),
    )
    left = await sql(pathways_database, "SELECT count(*) AS n FROM idempotency_record")
    assert left[0]["n"] == 0
