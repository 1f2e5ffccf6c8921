"""Registering a person: the profile, field-level validation, derived fields, Idempotency-Key."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from tests.intake.conftest import Org, person, register
from tests.support import sql


async def test_register_returns_the_record_with_derived_fields(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    answer = await intake.post("/api/v1/beneficiaries", json=person(), headers=a.operator)
    assert answer.status_code == 201
    body = answer.json()
    assert answer.headers["location"] == f"/api/v1/beneficiaries/{body['id']}"
    assert answer.headers["etag"] == '"1"'
    assert body["organization_id"] == str(a.id)
    assert body["possible_duplicates"] == []
    assert body["visible_sections"] == ["contact", "identity", "pathway", "profile"]
    assert body["languages"][1] == {"code": "it", "level": "A2", "native": False, "verified": False}
    derived = body["derived"]
    assert 20 <= derived["age"] <= 25
    assert derived["recent_arrival"] is True
    assert derived["years_since_arrival"] < 5
    assert derived["vulnerability_level"] in {"medium", "high"}
    assert "works informally" in derived["vulnerability_reasons"]
    read = await intake.get(answer.headers["location"], headers=a.operator)
    assert read.status_code == 200
    assert read.json()["given_name"] == "Ahmed"


async def test_registration_writes_events_to_the_outbox(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    created = await register(intake, orgs[0])
    rows = await sql(intake_database, "SELECT type, payload FROM outbox_event ORDER BY seq")
    types = [row["type"] for row in rows]
    assert types == ["beneficiary.registered", "beneficiary.access_changed"]
    assert created["id"] in rows[0]["payload"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nationality": "XY"}, "body.nationality"),
        ({"languages": [{"code": "it", "level": "Z9"}]}, "body.languages.0.level"),
        ({"needs": ["happiness"]}, "body.needs.0"),
        ({"birth_date": "2099-01-01"}, "body.birth_date"),
        ({"birth_date": "2020-01-01"}, "body.birth_date"),
        ({"birth_date": "1890-01-01"}, "body.birth_date"),
        ({"arrival_date": "2001-01-01"}, "body.arrival_date"),
        ({"arrival_date": "2099-01-01"}, "body.arrival_date"),
        ({"skills": [{"uri": "http://example.org/skill/1", "label": "x"}]}, "body.skills.0.uri"),
        ({"favourite_colour": "blue"}, "body.favourite_colour"),
        ({"given_name": ""}, "body.given_name"),
        ({"legal_status": {"permit_type": "IT-made-up"}}, "body.legal_status.permit_type"),
        ({"education_level": "9"}, "body.education_level"),
        ({"contact": {"email": "not-an-email"}}, "body.contact.email"),
        # pydantic alone reads numbers as Unix timestamps: 1970-01-01, stored as if given.
        ({"birth_date": 0}, "body.birth_date"),
        ({"birth_date": "1700000000"}, "body.birth_date"),
        ({"arrival_date": "2024-05-01T10:00:00"}, "body.arrival_date"),
        ({"legal_status": {"permit_expires_on": 12}}, "body.legal_status.permit_expires_on"),
    ],
)
async def test_invalid_fields_are_named_and_change_nothing(
    intake: httpx.AsyncClient,
    orgs: tuple[Org, Org, Org],
    intake_database: str,
    change: dict[str, object],
    field: str,
) -> None:
    answer = await intake.post(
        "/api/v1/beneficiaries", json=person(**change), headers=orgs[0].operator
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in {error["field"] for error in answer.json()["errors"]}
    assert (await sql(intake_database, "SELECT count(*) AS n FROM beneficiary"))[0]["n"] == 0


async def test_idempotent_replay_creates_one_person(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    headers = {**orgs[0].operator, "Idempotency-Key": "retry-7f3a"}
    first = await intake.post("/api/v1/beneficiaries", json=person(), headers=headers)
    again = await intake.post("/api/v1/beneficiaries", json=person(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    other_body = await intake.post(
        "/api/v1/beneficiaries", json=person(given_name="Omar"), headers=headers
    )
    assert other_body.status_code == 422
    assert (await sql(intake_database, "SELECT count(*) AS n FROM beneficiary"))[0]["n"] == 1


async def test_concurrent_retries_with_one_key_create_one_person(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    headers = {**orgs[0].operator, "Idempotency-Key": "flaky-network-1"}
    answers = await asyncio.gather(
        *(intake.post("/api/v1/beneficiaries", json=person(), headers=headers) for _ in range(5))
    )
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert (await sql(intake_database, "SELECT count(*) AS n FROM beneficiary"))[0]["n"] == 1


async def test_keys_are_per_caller(intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]) -> None:
    a, b, _ = orgs
    first = await intake.post(
        "/api/v1/beneficiaries", json=person(), headers={**a.operator, "Idempotency-Key": "k1"}
    )
    second = await intake.post(
        "/api/v1/beneficiaries", json=person(), headers={**b.operator, "Idempotency-Key": "k1"}
    )
    assert first.json()["id"] != second.json()["id"]


@pytest.mark.parametrize(
    "roles",
    [
        ("provider",),
        ("beneficiary",),
        ("platform_admin",),
        # Separation of duties: platform_admin and beneficiary never work on cases, whatever
        # other roles a token carries.
        ("platform_admin", "org_admin"),
        ("platform_admin", "operator"),
        ("beneficiary", "operator"),
    ],
)
async def test_roles_without_casework_cannot_register(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], roles: tuple[str, ...]
) -> None:
    answer = await intake.post(
        "/api/v1/beneficiaries", json=person(), headers=orgs[0].headers(*roles)
    )
    assert answer.status_code == 403


async def test_partner_systems_register(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    answer = await intake.post(
        "/api/v1/beneficiaries",
        json=person(external_id="caritas-1"),
        headers=orgs[0].headers("partner_system"),
    )
    assert answer.status_code == 201
    repeat = await intake.post(
        "/api/v1/beneficiaries",
        json=person(external_id="caritas-1", given_name="Other"),
        headers=orgs[0].headers("partner_system"),
    )
    assert repeat.status_code == 409


async def test_a_platform_admin_of_the_owning_organisation_reads_no_one(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    """A token that is platform_admin beside org_admin of the owning organisation (as the
    bootstrap admin used to be) is refused the person, their list and their access log."""
    a = orgs[0]
    registered = await register(intake, a)
    url = f"/api/v1/beneficiaries/{registered['id']}"
    headers = a.headers("platform_admin", "org_admin")
    assert (await intake.get(url, headers=headers)).status_code == 404
    assert (await intake.get(f"{url}/access-log", headers=headers)).status_code == 404
    listed = await intake.get("/api/v1/beneficiaries", headers=headers)
    assert registered["id"] not in listed.text
    assert (await intake.get(url, headers=a.admin)).status_code == 200


async def test_the_migration_projects_sectors_and_business_plan_reach_matching(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    project = {
        "desired_sectors": ["edilizia"],
        "desired_sector_codes": ["F", "C"],
        "plans": {"start_business": True},
    }
    created = await register(intake, orgs[0], migration_project=project)
    assert created["migration_project"]["desired_sector_codes"] == ["F", "C"]
    rows = await sql(intake_database, "SELECT payload FROM outbox_event ORDER BY seq LIMIT 1")
    payload = rows[0]["payload"]
    profile = (json.loads(payload) if isinstance(payload, str) else payload)["profile"]
    assert profile["desired_sectors"] == ["F", "C"]
    assert profile["plans_business"] is True
    bad = {"migration_project": {"desired_sector_codes": ["construction"]}}
    answer = await intake.post(
        "/api/v1/beneficiaries", json={**person(), **bad}, headers=orgs[0].operator
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"].startswith("body.migration_project")
