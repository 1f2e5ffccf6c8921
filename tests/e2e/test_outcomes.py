"""Outcomes change the person's profile where it lives (intake), and matching reads the new
profile: a B1 certified at a follow-up opens the jobs that ask for B1; a completed training adds
the skills it teaches, verified. The person's history says who recorded each, for which
organisation, and what changed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import consent_to_matching, eventually, open_pathway, organisation
from tests.matching.esco import subset_taxonomy

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

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


def test_a_b1_certified_at_a_follow_up_opens_the_b1_job_with_its_history(stack: Stack) -> None:
    certified_on = date.today() - timedelta(days=12)
    with stack.client() as client:
        ngo = organisation(client, "Centro Astalli")
        employer = organisation(client, "Cooperativa Magazzini", kind="employer")
        job = _ok(
            client.post(
                "/api/v1/offers",
                json={
                    "type": "job",
                    "title": "Warehouse operative (Italian B1)",
                    "seats": 2,
                    "status": "open",
                    "municipality": "Roma",
                    "min_language_code": "it",
                    "min_language_level": "B1",
                },
                headers=employer.admin,
            )
        )
        person = _ok(
            client.post(
                "/api/v1/beneficiaries",
                json={
                    "given_name": "Awa",
                    "family_name": "Diallo",
                    "birth_date": "1996-05-02",
                    "sex": "female",
                    "nationality": "SN",
                    "municipality": "Roma",
                    "languages": [{"code": "fr", "native": True}, {"code": "it", "level": "A2"}],
                },
                headers=ngo.operator,
            )
        )
        consent_to_matching(client, person["id"], ngo.operator)
        # [ids] once matching holds her consent (an empty list of matches is an answer too)
        [before] = eventually(
            lambda: (found := _matched(client, person["id"], ngo.operator)) is not None and [found]
        )
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

        after = eventually(
            lambda: (
                job["id"] in (found := _matched(client, person["id"], ngo.operator) or set())
                and found
            )
        )
        assert job["id"] in after

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
        person = _ok(
            client.post(
                "/api/v1/beneficiaries",
                json={
                    "given_name": "Kofi",
                    "family_name": "Boateng",
                    "birth_date": "1999-09-09",
                    "sex": "male",
                    "nationality": "GH",
                    "municipality": "Latina",
                    # one of the taught skills already declared: it becomes verified
                    "skills": [{"uri": taught[0], "label": taxonomy.label(taught[0])}],
                },
                headers=ngo.operator,
            )
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
