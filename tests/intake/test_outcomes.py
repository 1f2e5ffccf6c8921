"""Outcomes recorded in pathways, applied by intake to the profile it owns
(``POST /internal/events``, as pathways' relay delivers them): a certified language level sets
the person's level as verified, with its certificate, records who and why in the history and
tells the other services; only for the organisation that owns the record or runs a pathway on
it with the person's consent; a certificate of another person is never linked; applied once."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from tests.intake.conftest import Org, register
from tests.intake.test_documents import _sharing, _uploaded
from tests.support import sql

TOKEN = {"Authorization": "Bearer test-internal-token"}


def _certified(
    person: str, org: Org, *, document: str | None = None, event_id: uuid.UUID | None = None
) -> dict[str, Any]:
    return {
        "id": str(event_id or uuid.uuid4()),
        "type": "outcome.language_certified",
        "source": "pathways",
        "occurred_at": datetime.now(UTC).isoformat(),
        "payload": {
            "pathway_id": "5b0e6a4c-9f1d-4f5e-8a61-2d3c4b5a6f70",
            "beneficiary_id": person,
            "organization_id": str(org.id),
            "code": "it",
            "level": "B1",
            "exam": "CILS B1",
            "certified_on": (date.today() - timedelta(days=5)).isoformat(),
            "document_id": document,
            "recorded_by": "operator-42",
            "recorded_on": date.today().isoformat(),
        },
    }


async def _deliver(intake: httpx.AsyncClient, *events: dict[str, Any]) -> None:
    answer = await intake.post("/internal/events", json={"events": list(events)}, headers=TOKEN)
    assert answer.status_code == 200, answer.text


async def _italian(intake: httpx.AsyncClient, person: str, org: Org) -> dict[str, Any] | None:
    record = (await intake.get(f"/api/v1/beneficiaries/{person}", headers=org.operator)).json()
    return next((item for item in record["languages"] if item["code"] == "it"), None)


async def _certifications(intake: httpx.AsyncClient, person: str, org: Org) -> list[Any]:
    history = await intake.get(f"/api/v1/beneficiaries/{person}/history", headers=org.admin)
    assert history.status_code == 200, history.text
    return [item for item in history.json()["items"] if item["action"] == "language_certified"]


async def test_the_owners_certified_level_is_verified_recorded_and_announced_once(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, _, _ = orgs
    person = await register(intake, a, languages=[{"code": "it", "level": "A2"}])
    url = f"/api/v1/beneficiaries/{person['id']}"
    certificate = await _uploaded(intake, url, a, kind="language_certificate")
    version_before = (await intake.get(url, headers=a.operator)).headers["ETag"]
    event = _certified(person["id"], a, document=certificate["id"])
    await _deliver(intake, event)
    await _deliver(intake, event)  # a redelivery: applied once

    italian = await _italian(intake, person["id"], a)
    assert italian is not None
    assert (italian["level"], italian["verified"]) == ("B1", True)
    assert italian["certificate"]["exam"] == "CILS B1"
    assert italian["certificate"]["document_id"] == certificate["id"]
    [entry] = await _certifications(intake, person["id"], a)
    assert entry["fields"] == ["languages"]
    assert (entry["actor"], entry["actor_organization_id"]) == ("operator-42", str(a.id))
    assert (await intake.get(url, headers=a.operator)).headers["ETag"] != version_before
    updates = await sql(
        intake_database,
        "SELECT payload FROM outbox_event WHERE type = 'beneficiary.updated' "
        "AND payload->>'beneficiary_id' = $1",
        person["id"],
    )
    [update] = updates
    languages = json.loads(update["payload"])["profile"]["languages"]
    assert {"code": "it", "level": "B1", "native": False, "verified": True} in languages


async def test_an_organisation_without_the_persons_consent_changes_nothing(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, c = orgs
    person = await register(intake, a, languages=[{"code": "it", "level": "A2"}])
    await _deliver(intake, _certified(person["id"], b))
    assert (await _italian(intake, person["id"], a) or {}).get("level") == "A2"
    assert await _certifications(intake, person["id"], a) == []

    # Shared with C for its pathways: C's follow-ups count; shared with B for the profile only:
    # still nothing.
    url = f"/api/v1/beneficiaries/{person['id']}/consents"
    for org, sections in ((b, ["profile"]), (c, ["pathway"])):
        answer = await intake.post(url, json=_sharing(org, sections), headers=a.operator)
        assert answer.status_code == 201, answer.text
    await _deliver(intake, _certified(person["id"], b))
    assert (await _italian(intake, person["id"], a) or {}).get("level") == "A2"
    await _deliver(intake, _certified(person["id"], c))
    assert (await _italian(intake, person["id"], a) or {}).get("level") == "B1"
    [entry] = await _certifications(intake, person["id"], a)
    assert entry["actor_organization_id"] == str(c.id)


async def test_another_persons_document_is_not_linked_but_the_level_is_set(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    person = await register(intake, a, languages=[{"code": "ar", "native": True}])  # no Italian
    other = await register(intake, a, given_name="Other", external_id="other-1")
    foreign = await _uploaded(intake, f"/api/v1/beneficiaries/{other['id']}", a)
    await _deliver(intake, _certified(person["id"], a, document=foreign["id"]))
    italian = await _italian(intake, person["id"], a)
    assert italian is not None
    assert (italian["level"], italian["verified"]) == ("B1", True)
    assert italian["certificate"]["document_id"] is None


def _completed(person: str, referrer: Org, provider: Org, skills: list[tuple[str, str]]) -> Any:
    return {
        "id": str(uuid.uuid4()),
        "type": "outcome.training_completed",
        "source": "matching",
        "occurred_at": datetime.now(UTC).isoformat(),
        "payload": {
            "referral_id": str(uuid.uuid4()),
            "beneficiary_id": person,
            "offer_id": "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5",
            "offer_type": "training",
            "organization_id": str(referrer.id),
            "provider_organization_id": str(provider.id),
            "completed_on": date.today().isoformat(),
            "recorded_by": "trainer-7",
            "skills": [{"uri": uri, "label": label} for uri, label in skills],
        },
    }


BRICKS = "http://data.europa.eu/esco/skill/0b4d9eb7-6e0f-4d3f-9c36-1c9fd0c0d6e1"
MORTAR = "http://data.europa.eu/esco/skill/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


async def test_a_completed_training_verifies_and_adds_the_skills_it_taught(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, school, stranger = orgs
    person = await register(
        intake, a, skills=[{"uri": BRICKS, "label": "lay bricks"}, {"label": "cooking"}]
    )
    url = f"/api/v1/beneficiaries/{person['id']}"
    taught = [(BRICKS, "lay bricks"), (MORTAR, "mix mortar")]
    # referred by an organisation the person shares nothing with: nothing changes
    await _deliver(intake, _completed(person["id"], stranger, school, taught))
    record = (await intake.get(url, headers=a.operator)).json()
    assert not any(skill.get("verified") for skill in record["skills"])

    await _deliver(intake, _completed(person["id"], a, school, taught))
    skills = {
        skill.get("uri") or skill["label"]: skill
        for skill in (await intake.get(url, headers=a.operator)).json()["skills"]
    }
    assert set(skills) == {BRICKS, MORTAR, "cooking"}
    assert skills[BRICKS]["verified"]
    assert skills[MORTAR]["verified"]
    assert not skills["cooking"].get("verified")
    assert skills[MORTAR]["source"]["certified_by"] == str(school.id)
    history = await intake.get(f"{url}/history", headers=a.admin)
    [entry] = [item for item in history.json()["items"] if item["action"] == "training_completed"]
    assert (entry["actor"], entry["actor_organization_id"]) == ("trainer-7", str(school.id))
    assert entry["fields"] == ["skills"]
