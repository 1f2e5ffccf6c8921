"""Outcomes change the person's profile where it lives (intake), and matching reads the new
profile: a B1 certified at a follow-up opens the jobs that ask for B1; a positive decision on
recognising a qualification opens the offers that ask for its level; a completed training adds
the skills it teaches, verified. The person's history says who recorded each, for which
organisation, and what changed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import (
    Organisation,
    consent_to_matching,
    eventually,
    open_pathway,
    organisation,
)
from tests.matching.esco import subset_taxonomy

pytestmark = pytest.mark.e2e

BRICKLAYER = "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7"
ASSESSMENT = {
    "territorial_context": {"municipality": "Roma"},
    "labour_market_position": "unemployed_seeking",
    "needs": [{"domain": "language", "severity": "high"}],
}


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    body: dict[str, Any] = answer.json()
    return body


def _matched(client: httpx.Client, person: str, headers: dict[str, str]) -> set[str] | None:
    answer = client.get(f"/api/v1/beneficiaries/{person}/matches", headers=headers)
    if answer.status_code != 200:
        return None  # consent not yet in matching's copy
    return {item["offer"]["id"] for item in answer.json()["items"]}


def _open_job(client: httpx.Client, employer: Organisation, **job: Any) -> dict[str, Any]:
    body = {"type": "job", "seats": 1, "status": "open", "municipality": "Roma", **job}
    return _ok(client.post("/api/v1/offers", json=body, headers=employer.admin))


def _registered(client: httpx.Client, ngo: Organisation, **person: Any) -> dict[str, Any]:
    body = {"sex": "male", "municipality": "Roma", **person}
    return _ok(client.post("/api/v1/beneficiaries", json=body, headers=ngo.operator))


def _matches_once_consented(client: httpx.Client, person: str, ngo: Organisation) -> set[str]:
    """The person's matches, once matching holds their consent to matching (an empty list is an
    answer too)."""
    consent_to_matching(client, person, ngo.operator)
    [found] = eventually(
        lambda: (found := _matched(client, person, ngo.operator)) is not None and [found]
    )
    return set(found)


def _matches_with(client: httpx.Client, person: str, ngo: Organisation, offer: str) -> set[str]:
    """The person's matches, once they include ``offer`` (events are applied asynchronously)."""
    return set(
        eventually(
            lambda: offer in (found := _matched(client, person, ngo.operator) or set()) and found
        )
    )


def test_a_b1_certified_at_a_follow_up_opens_the_b1_job_with_its_history(stack: Stack) -> None:
    certified_on = date.today() - timedelta(days=12)
    with stack.client() as client:
        ngo = organisation(client, "Centro Astalli")
        employer = organisation(client, "Cooperativa Magazzini", kind="employer")
        job = _open_job(
            client,
            employer,
            title="Warehouse operative (Italian B1)",
            min_language_code="it",
            min_language_level="B1",
        )
        person = _registered(
            client,
            ngo,
            given_name="Awa",
            family_name="Diallo",
            birth_date="1996-05-02",
            sex="female",
            nationality="SN",
            languages=[{"code": "fr", "native": True}, {"code": "it", "level": "A2"}],
        )
        before = _matches_once_consented(client, person["id"], ngo)
        assert job["id"] not in before  # A2: the B1 job's hard rule excludes her

        pathway = open_pathway(client, ngo.operator, person["id"])
        url = f"/api/v1/pathways/{pathway['id']}"
        _ok(client.post(f"{url}/assessments", json=ASSESSMENT, headers=ngo.operator))
        _ok(
            client.post(
                f"{url}/actions",
                json={"actions": [{"type": "language_course", "title": "Italian B1 course",
                                   "need": "language"}]},
                headers=ngo.operator,
            )
        )  # fmt: skip
        future = {
            "language_level": {
                "code": "it",
                "level": "B1",
                "certificate": {
                    "exam": "CILS B1",
                    "certified_on": (date.today() + timedelta(days=3)).isoformat(),
                },
            }
        }
        refused = client.post(f"{url}/monitoring", json=future, headers=ngo.operator)
        assert refused.status_code == 422, refused.text
        step = _ok(
            client.post(
                f"{url}/monitoring",
                json={
                    "language_level": {
                        "code": "it",
                        "level": "B1",
                        "certificate": {
                            "exam": "CILS B1",
                            "certified_on": certified_on.isoformat(),
                        },
                    },
                    "notes": "Passed the CILS exam",
                },
                headers=ngo.operator,
            )
        )
        assert step["result"]["language_certified"] is True
        assert job["id"] in _matches_with(client, person["id"], ngo, job["id"])

        record = _ok(client.get(f"/api/v1/beneficiaries/{person['id']}", headers=ngo.operator))
        italian = next(language for language in record["languages"] if language["code"] == "it")
        assert italian["level"] == "B1"
        assert italian["verified"] is True
        assert italian["certificate"] == {
            "exam": "CILS B1",
            "certified_on": certified_on.isoformat(),
            "document_id": None,
            "recorded_at_pathway": pathway["id"],
        }
        french = next(language for language in record["languages"] if language["code"] == "fr")
        assert french.get("verified", False) is False  # the other languages are untouched

        history = _ok(
            client.get(f"/api/v1/beneficiaries/{person['id']}/history", headers=ngo.operator)
        )["items"]
        [entry] = [item for item in history if item["action"] == "language_certified"]
        assert entry["fields"] == ["languages"]
        assert entry["actor_organization_id"] == ngo.id
        assert entry["actor"] == step["recorded_by"]  # the operator who recorded the follow-up
        change = entry["changes"]["languages"]
        was = {language["code"]: language.get("level") for language in change["from"]}
        now = {language["code"]: language.get("level") for language in change["to"]}
        assert (was["it"], now["it"]) == ("A2", "B1")


def test_a_recognised_degree_opens_the_offer_that_asks_for_its_level_with_its_history(
    stack: Stack,
) -> None:
    today = date.today()
    with stack.client() as client:
        ngo = organisation(client, "Centro Astalli")
        employer = organisation(client, "Studio Tecnico Verdi", kind="employer")
        job = _open_job(
            client,
            employer,
            title="Site surveyor (a degree recognised in Italy)",
            min_education_level="6",
        )
        person = _registered(
            client,
            ngo,
            given_name="Moussa",
            family_name="Sow",
            birth_date="1990-03-14",
            nationality="SN",
            education_level="3",  # until the degree is recognised, upper secondary
        )
        degree = _ok(
            client.post(
                f"/api/v1/beneficiaries/{person['id']}/qualifications",
                json={"title": "Licence en génie civil", "country": "SN", "year": 2014,
                      "field": "07", "level": "6"},
                headers=ngo.operator,
            )
        )  # fmt: skip
        before = _matches_once_consented(client, person["id"], ngo)
        assert job["id"] not in before  # ISCED 3: the degree-level job's hard rule excludes him

        pathway = open_pathway(client, ngo.operator, person["id"])
        url = f"/api/v1/pathways/{pathway['id']}"
        _ok(client.post(f"{url}/assessments", json=ASSESSMENT, headers=ngo.operator))
        _ok(
            client.post(
                f"{url}/actions",
                json={"actions": [{"type": "qualification_recognition",
                                   "title": "Recognise the civil engineering degree",
                                   "recognition": {"qualification_id": degree["id"],
                                                   "procedure": "academic"}}]},
                headers=ngo.operator,
            )
        )  # fmt: skip
        [action] = client.get(f"{url}/actions", headers=ngo.operator).json()["items"]
        action_url = f"{url}/actions/{action['id']}"
        etag = client.get(action_url, headers=ngo.operator).headers["ETag"]
        decided = client.patch(
            action_url,
            json={
                "status": "done",
                "recognition": {
                    "documents_gathered": (today - timedelta(days=90)).isoformat(),
                    "translated": (today - timedelta(days=80)).isoformat(),
                    "submitted": (today - timedelta(days=75)).isoformat(),
                    "decision_on": (today - timedelta(days=1)).isoformat(),
                    "decision": "recognised",
                    "equivalent_level": "6",
                    "authority": "CIMEA",
                },
            },
            headers={**ngo.operator, "If-Match": etag},
        )
        assert decided.status_code == 200, decided.text
        assert job["id"] in _matches_with(client, person["id"], ngo, job["id"])
        record = _ok(client.get(f"/api/v1/beneficiaries/{person['id']}", headers=ngo.operator))
        assert record["education_level"] == "6"
        [recognised] = record["qualifications"]
        assert recognised["id"] == degree["id"]
        assert recognised["recognition_status"] == "recognised"
        assert recognised["recognition"]["action_id"] == action["id"]
        history = _ok(
            client.get(f"/api/v1/beneficiaries/{person['id']}/history", headers=ngo.operator)
        )["items"]
        [entry] = [item for item in history if item["action"] == "recognition_decided"]
        assert entry["fields"] == ["education_level", "qualifications"]
        assert entry["changes"]["education_level"] == {"from": "3", "to": "6"}
        assert entry["actor_organization_id"] == ngo.id


def test_a_completed_training_adds_the_skills_it_teaches_as_verified(stack: Stack) -> None:
    taxonomy = subset_taxonomy()
    taught = sorted(taxonomy.essential[BRICKLAYER])[:2]
    with stack.client() as client:
        ngo = organisation(client, "Caritas Latina")
        school = organisation(client, "Scuola Edile", kind="vet_provider")
        training = _ok(
            client.post(
                "/api/v1/offers",
                json={
                    "type": "training",
                    "title": "Bricklaying basics",
                    "seats": 5,
                    "status": "open",
                    "municipality": "Latina",
                    "skills_taught": taught,
                },
                headers=school.admin,
            )
        )
        person = _registered(
            client,
            ngo,
            given_name="Kofi",
            family_name="Boateng",
            birth_date="1999-09-09",
            nationality="GH",
            municipality="Latina",
            # one of the taught skills already declared: it becomes verified
            skills=[{"uri": taught[0], "label": taxonomy.label(taught[0])}],
        )
        consent_to_matching(client, person["id"], ngo.operator)
        referral = eventually(
            lambda: (
                (
                    answer := client.post(
                        "/api/v1/referrals",
                        json={"beneficiary_id": person["id"], "offer_id": training["id"]},
                        headers=ngo.operator,
                    )
                ).status_code
                == 201
                and answer.json()
            )
        )
        for status in ("accepted", "enrolled", "completed"):
            _ok(
                client.patch(
                    f"/api/v1/referrals/{referral['id']}",
                    json={"status": status},
                    headers=school.admin,
                )
            )

        def verified() -> dict[str, Any] | None:
            record = _ok(client.get(f"/api/v1/beneficiaries/{person['id']}", headers=ngo.operator))
            skills = {skill["uri"]: skill for skill in record["skills"]}
            done = all(uri in skills and skills[uri]["verified"] for uri in taught)
            return skills if done else None

        skills = eventually(verified)
        assert len(skills) == 2  # the declared one verified, the other added once
        assert {skills[uri]["source"]["offer_id"] for uri in taught} == {training["id"]}
        assert skills[taught[1]]["label"] == taxonomy.label(taught[1])
        history = _ok(
            client.get(f"/api/v1/beneficiaries/{person['id']}/history", headers=ngo.operator)
        )["items"]
        [entry] = [item for item in history if item["action"] == "training_completed"]
        assert entry["fields"] == ["skills"]
        assert entry["actor_organization_id"] == school.id  # the provider certified it
