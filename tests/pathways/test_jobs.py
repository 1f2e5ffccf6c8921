"""The job an employment change enters, recorded at a follow-up: sector (NACE Rev. 2 section),
employer (an organisation, or a name), contract and hours. The ladder shows it, the indicators
count placements by sector, and an erasure removes the employer's name that was typed."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.pathways.conftest import deliver, open_pathway, person, step
from tests.support import Org, envelope, sql

JOB = {"sector": "I", "employer_name": "Trattoria da Mario", "contract_type": "fixed_term",
       "weekly_hours": 30}  # fmt: skip


async def _placed(
    pathways: httpx.AsyncClient, org: Org, job: dict[str, Any], **profile: Any
) -> dict[str, Any]:
    beneficiary = await person(pathways, org, **profile)
    pathway = await open_pathway(pathways, org, beneficiary)
    for kind in ("assess", "respond"):
        assert (await step(pathways, org, pathway["id"], kind)).status_code == 201
    body = {"progress": [], "employment_status": "formal_employment", "job": job}
    answer = await step(pathways, org, pathway["id"], "monitor", body)
    assert answer.status_code == 201, answer.text
    return {**pathway, "beneficiary": beneficiary}


async def test_a_placement_records_the_job_and_the_indicators_count_it_by_sector(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    employer = str(uuid.uuid4())
    pathway = await _placed(pathways, a, JOB)
    await _placed(pathways, a, {"sector": "F", "employer_organization_id": employer})
    await _placed(pathways, a, {"sector": "F"})
    ladder = (
        await pathways.get(f"/api/v1/pathways/{pathway['id']}/employment", headers=a.operator)
    ).json()
    assert ladder["statuses"][-1]["status"] == "formal_employment"
    assert ladder["statuses"][-1]["job"] == {**JOB, "employer_organization_id": None}
    assert "job" not in ladder["statuses"][0]  # the status the assessment found: no job
    own = (await pathways.get("/api/v1/reports/indicators", headers=a.admin)).json()
    assert own["placements"] == {"total": 3, "by_sector": {"F": 2, "I": 1}}
    protected = (await pathways.get("/api/v1/reports/indicators", headers=a.operator)).json()
    assert protected["placements"]["by_sector"]["I"] == "<5"


async def test_a_job_needs_its_status_and_known_codes(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway = await open_pathway(pathways, a, await person(pathways, a))
    for kind in ("assess", "respond"):
        assert (await step(pathways, a, pathway["id"], kind)).status_code == 201
    alone = await step(pathways, a, pathway["id"], "monitor", {"progress": [], "job": JOB})
    assert alone.status_code == 422
    assert alone.json()["errors"][0]["field"] == "body.job"
    unknown = await step(
        pathways,
        a,
        pathway["id"],
        "monitor",
        {"employment_status": "formal_employment", "job": {**JOB, "sector": "Z"}},
    )
    assert unknown.status_code == 422
    ladder = (
        await pathways.get(f"/api/v1/pathways/{pathway['id']}/employment", headers=a.operator)
    ).json()
    assert [row["status"] for row in ladder["statuses"]] == ["informal"]  # nothing recorded


async def test_an_erasure_removes_the_employers_name_and_keeps_the_sector(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], pathways_database: str
) -> None:
    a, _, _ = orgs
    pathway = await _placed(pathways, a, JOB, arrival_date="2023-05-20")
    month = "SELECT arrival_month FROM person WHERE beneficiary_id = $1"
    [arrived] = await sql(pathways_database, month, pathway["beneficiary"])
    assert arrived["arrival_month"].isoformat() == "2023-05-01"
    query = (
        "SELECT employer_name, sector, contract_type FROM employment_change "
        "WHERE pathway_id = $1 AND sector IS NOT NULL"
    )
    [before] = await sql(pathways_database, query, uuid.UUID(pathway["id"]))
    assert before["employer_name"] == "Trattoria da Mario"
    erased = {"beneficiary_id": str(pathway["beneficiary"]), "organization_id": str(a.id)}
    await deliver(pathways, envelope("beneficiary.erased", erased))
    [after] = await sql(pathways_database, query, uuid.UUID(pathway["id"]))
    assert (after["employer_name"], after["sector"], after["contract_type"]) == (
        None,
        "I",
        "fixed_term",
    )
    [kept] = await sql(pathways_database, month, pathway["beneficiary"])
    assert kept["arrival_month"].isoformat() == "2023-01-01"  # the year stays, as in intake
