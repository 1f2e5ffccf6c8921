"""Matches for a person, candidates for an offer and allocations, through the service's API on
PostgreSQL with the committed ESCO subset."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.matching.conftest import deliver, offer, person
from tests.matching.esco import subset_taxonomy
from tests.support import Org, envelope, sql

BRICKLAYER = "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7"


def skills_of(occupation: str, count: int) -> list[dict[str, str]]:
    taxonomy = subset_taxonomy()
    return [
        {"uri": uri, "label": taxonomy.label(uri)}
        for uri in sorted(taxonomy.essential[occupation])[:count]
    ]


def other_occupation() -> str:
    """An occupation of the subset far from bricklaying (another ISCO major group)."""
    taxonomy = subset_taxonomy()
    return next(
        uri
        for uri, occupation in sorted(taxonomy.occupations.items())
        if occupation.isco_group[0] != "7" and len(taxonomy.essential.get(uri, ())) >= 4
    )


async def matches(
    client: httpx.AsyncClient, org: Org, beneficiary_id: uuid.UUID, **params: Any
) -> httpx.Response:
    return await client.get(
        f"/api/v1/beneficiaries/{beneficiary_id}/matches", params=params, headers=org.operator
    )


async def test_matches_rank_eligible_offers_and_explain_every_criterion(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    bricks = [s["uri"] for s in skills_of(BRICKLAYER, 4)]
    far = [s["uri"] for s in skills_of(other_occupation(), 4)]
    fit = await offer(
        matching, provider, title="Bricklaying", skills_required=bricks, occupation_uri=BRICKLAYER
    )
    unrelated = await offer(matching, provider, title="Other trade", skills_required=far)
    too_hard = await offer(
        matching,
        provider,
        title="Needs B2",
        skills_required=bricks,
        min_language_code="it",
        min_language_level="B2",
    )
    await offer(matching, provider, title="Closed", skills_required=bricks, status="closed")
    someone = await person(
        matching,
        ngo,
        skills=skills_of(BRICKLAYER, 4),
        desired_occupations=[{"uri": BRICKLAYER, "label": "bricklayer"}],
    )
    answer = await matches(matching, ngo, someone)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [item["offer"]["id"] for item in items] == [fit["id"], unrelated["id"]]
    assert items[0]["score"] > items[1]["score"]
    for item in items:
        assert item["eligible"]
        assert 0 <= item["score"] <= 1
        criteria = {c["criterion"]: c for c in item["explanation"]}
        assert set(criteria) == {
            "skills", "occupation", "language", "distance", "priority", "education", "start"
        }  # fmt: skip
        assert all(c["detail"] for c in criteria.values())
        total = sum(c["score"] * c["weight"] for c in criteria.values())
        assert abs(total - item["score"]) < 1e-3
    assert "4 of 4 required skills" in items[0]["explanation"][0]["detail"]
    everything = (await matches(matching, ngo, someone, include_ineligible="true")).json()
    excluded = [item for item in everything["items"] if not item["eligible"]]
    assert [item["offer"]["id"] for item in excluded] == [too_hard["id"]]
    assert excluded[0]["excluded_by"] == ["needs B2 Italian; the person has B1"]


async def test_a_full_offer_drops_out_at_once(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    course = await offer(matching, provider, seats=1)
    someone = await person(matching, ngo)
    assert len((await matches(matching, ngo, someone)).json()["items"]) == 1
    await sql(matching_database, "UPDATE offer SET seats_taken = 1")  # as an enrolment does
    assert (await matches(matching, ngo, someone)).json()["items"] == []
    listed = (await matches(matching, ngo, someone, include_ineligible="true")).json()["items"]
    assert listed[0]["offer"]["id"] == course["id"]
    assert listed[0]["excluded_by"] == ["no seats left"]


async def test_a_language_need_lifts_language_courses(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    course = await offer(
        matching,
        provider,
        type="language_course",
        title="Italian from A2",
        min_language_code="it",
        min_language_level="A2",
    )
    someone = await person(matching, ngo)

    async def course_score() -> float:
        items = (await matches(matching, ngo, someone)).json()["items"]
        return float(next(i["score"] for i in items if i["offer"]["id"] == course["id"]))

    before = await course_score()
    await deliver(
        matching,
        envelope(
            "pathway.step_recorded",
            {
                "pathway_id": str(uuid.uuid4()),
                "beneficiary_id": str(someone),
                "organization_id": str(ngo.id),
                "step": "assess",
                "cycle": 1,
                "priority_need": "language",
            },
            source="pathways",
        ),
    )
    assert await course_score() > before


async def test_matching_needs_consent_visibility_and_a_case_role(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, stranger = orgs
    await offer(matching, provider)
    without = await person(matching, ngo, consent=False)
    answer = await matches(matching, ngo, without)
    assert answer.status_code == 409
    assert answer.json()["type"].endswith("consent-required")
    someone = await person(matching, ngo)
    # A stranger that has people of its own still sees nobody else's (the check once asked
    # whether the organisation owned anyone at all).
    await person(matching, stranger)
    assert (await matches(matching, stranger, someone)).status_code == 404
    as_provider = await matching.get(
        f"/api/v1/beneficiaries/{someone}/matches", headers=provider.provider
    )
    assert as_provider.status_code == 403


async def test_candidates_are_the_visible_consenting_eligible_people_best_first(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, stranger = orgs
    bricks = skills_of(BRICKLAYER, 4)
    internship = await offer(
        matching,
        provider,
        skills_required=[s["uri"] for s in bricks],
        occupation_uri=BRICKLAYER,
        age_max=40,
    )
    mason = await person(matching, ngo, skills=bricks)
    novice = await person(matching, ngo, skills=bricks[:1])
    await person(matching, ngo, skills=bricks, consent=False)
    await person(matching, stranger, skills=bricks)  # not shared with the ngo
    older = await person(matching, ngo, skills=bricks, birth_date="1960-01-01")
    path = f"/api/v1/offers/{internship['id']}/candidates"
    answer = await matching.get(path, headers=ngo.operator)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [item["beneficiary_id"] for item in items] == [str(mason), str(novice)]
    assert items[0]["score"] > items[1]["score"]
    everyone = (
        await matching.get(path, params={"include_ineligible": "true"}, headers=ngo.operator)
    ).json()
    flagged = {
        i["beneficiary_id"]: i["excluded_by"] for i in everyone["items"] if not i["eligible"]
    }
    assert list(flagged) == [str(older)]
    assert flagged[str(older)][0].startswith("age")
    assert (await matching.get(path, headers=provider.provider)).status_code == 403


async def test_an_allocation_fills_scarce_seats_with_the_best_eligible_pairs(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, stranger = orgs
    bricks = skills_of(BRICKLAYER, 4)
    far = skills_of(other_occupation(), 4)
    building = await offer(matching, provider, seats=1, skills_required=[s["uri"] for s in bricks])
    other = await offer(matching, provider, seats=1, skills_required=[s["uri"] for s in far])
    italian = await offer(
        matching, provider, seats=5, min_language_code="it", min_language_level="C1"
    )
    mason = await person(matching, ngo, skills=bricks)
    worker = await person(matching, ngo, skills=far)
    both = await person(matching, ngo, skills=bricks[:2] + far[:2])
    hidden = await person(matching, stranger, skills=bricks)
    body = {
        "beneficiary_ids": [str(i) for i in (mason, worker, both, hidden)],
        "offer_ids": [building["id"], other["id"], italian["id"]],
    }
    answer = await matching.post("/api/v1/allocations", json=body, headers=ngo.operator)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    given = {a["beneficiary_id"]: a["offer_id"] for a in result["assignments"]}
    assert given == {str(mason): building["id"], str(worker): other["id"], str(both): None}
    assert result["objective"] >= result["greedy_objective"]
    assert result["assigned"] == 2
    assert [p["beneficiary_id"] for p in result["excluded_people"]] == [str(hidden)]
    reasons = {a["beneficiary_id"]: a["reason"] for a in result["assignments"]}
    assert reasons[str(both)]  # says why they got nothing
    unknown = {**body, "offer_ids": [str(uuid.uuid4())]}
    refused = await matching.post("/api/v1/allocations", json=unknown, headers=ngo.operator)
    assert refused.status_code == 422


async def test_new_offers_and_people_show_up_at_the_next_request(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    bricks = skills_of(BRICKLAYER, 2)
    first = await offer(matching, provider, skills_required=[s["uri"] for s in bricks])
    someone = await person(matching, ngo, skills=bricks)
    path = f"/api/v1/offers/{first['id']}/candidates"
    assert len((await matching.get(path, headers=ngo.operator)).json()["items"]) == 1
    assert len((await matches(matching, ngo, someone)).json()["items"]) == 1
    second = await offer(matching, provider, skills_required=[s["uri"] for s in bricks])
    newcomer = await person(matching, ngo, skills=bricks)
    found = (await matching.get(path, headers=ngo.operator)).json()["items"]
    assert {item["beneficiary_id"] for item in found} == {str(someone), str(newcomer)}
    listed = (await matches(matching, ngo, someone)).json()["items"]
    assert {item["offer"]["id"] for item in listed} == {first["id"], second["id"]}


async def test_the_migration_project_lifts_wanted_sectors_and_entrepreneurship(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    """Intake's migration project reaches ranking: sectors wanted (NACE) lift the offers in them,
    a plan to start a business lifts entrepreneurship offers, with words that say so."""
    ngo, provider, _ = orgs
    site = await offer(matching, provider, title="Cantiere", type="job", sector="F")
    shop = await offer(matching, provider, title="Negozio", type="job", sector="G")
    workshop = await offer(matching, provider, title="Fare impresa", type="entrepreneurship")
    assert site["sector"] == "F"
    refused = await matching.post(
        "/api/v1/offers",
        json={"type": "job", "title": "x", "seats": 1, "sector": "Z"},
        headers=provider.provider,
    )
    assert refused.status_code == 422
    plain = await person(matching, ngo)
    planning = await person(matching, ngo, desired_sectors=["F"], plans_business=True)

    def by_offer(answer: httpx.Response) -> dict[str, dict[str, Any]]:
        assert answer.status_code == 200, answer.text
        return {
            item["offer"]["id"]: {c["criterion"]: c for c in item["explanation"]}
            for item in answer.json()["items"]
        }

    before = by_offer(await matches(matching, ngo, plain))
    after = by_offer(await matches(matching, ngo, planning))
    assert before[site["id"]]["occupation"]["score"] == before[shop["id"]]["occupation"]["score"]
    assert after[site["id"]]["occupation"]["score"] > after[shop["id"]]["occupation"]["score"]
    assert "NACE F" in after[site["id"]]["occupation"]["detail"]
    assert after[workshop["id"]]["priority"]["score"] == 1.0
    assert after[workshop["id"]]["priority"]["score"] > before[workshop["id"]]["priority"]["score"]
