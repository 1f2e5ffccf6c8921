"""The offers catalogue: providers manage their own offers, validation as strict as intake's."""

from __future__ import annotations

from typing import Any

import httpx

from tests.matching.conftest import offer
from tests.matching.esco import subset_taxonomy
from tests.support import Org

BRICKLAYER = "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7"
UNKNOWN_SKILL = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000000"


def bricklaying_skills(count: int = 3) -> list[str]:
    return sorted(subset_taxonomy().essential[BRICKLAYER])[:count]


async def test_a_provider_publishes_an_offer_with_esco_requirements(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    provider = orgs[0]
    skills = bricklaying_skills()
    created = await offer(
        matching,
        provider,
        skills_required=skills[:2],
        skills_preferred=skills[2:],
        occupation_uri=BRICKLAYER,
        min_language_code="it",
        min_language_level="A2",
        starts_on="2027-01-11",
        ends_on="2027-07-09",
        pay={"amount": "600.00", "currency": "EUR", "period": "month", "kind": "stipend"},
    )
    assert created["organization_id"] == str(provider.id)
    assert created["seats_left"] == 3
    assert [s["uri"] for s in created["skills"] if s["required"]] == skills[:2]
    assert all(s["label"] for s in created["skills"])  # labels from the taxonomy
    read = await matching.get(f"/api/v1/offers/{created['id']}", headers=orgs[1].operator)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json()["min_language_level"] == "A2"


async def test_bad_offers_are_refused_with_field_errors_and_nothing_is_stored(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    provider = orgs[0]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"skills_required": [UNKNOWN_SKILL]}, "body.skills_required"),
        ({"skills_required": ["not a uri"]}, "body.skills_required.0"),
        ({"starts_on": "2027-02-01", "ends_on": "2027-01-01"}, "body"),
        ({"min_language_code": "it"}, "body"),
        ({"age_min": 30, "age_max": 20}, "body"),
        ({"seats": 0}, "body.seats"),
        ({"type": "holiday"}, "body.type"),
        ({"min_language_code": "zz", "min_language_level": "A2"}, "body.min_language_code"),
        ({"surprise": True}, "body.surprise"),
    ]
    base = {"type": "job", "title": "Warehouse job", "seats": 2}
    for fields, where in cases:
        answer = await matching.post(
            "/api/v1/offers", json={**base, **fields}, headers=provider.provider
        )
        assert answer.status_code == 422, (fields, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert any(e["field"].startswith(where) for e in answer.json()["errors"]), answer.text
    listed = await matching.get("/api/v1/offers", headers=provider.provider)
    assert listed.json()["items"] == []


async def test_only_providers_publish_and_only_their_own_offers_change(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    provider, other, _ = orgs
    body = {"type": "job", "title": "Warehouse job", "seats": 2}
    refused = await matching.post("/api/v1/offers", json=body, headers=other.operator)
    assert refused.status_code == 403
    created = await offer(matching, provider)
    path = f"/api/v1/offers/{created['id']}"
    patch = await matching.patch(
        path, json={"seats": 9}, headers={**other.provider, "If-Match": '"1"'}
    )
    assert patch.status_code == 403
    delete = await matching.delete(path, headers=other.provider)
    assert delete.status_code == 403
    assert (await matching.get(path, headers=provider.provider)).json()["seats"] == 3


async def test_drafts_stay_with_their_provider(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    provider, other, _ = orgs
    draft = await offer(matching, provider, status="draft")
    assert (
        await matching.get(f"/api/v1/offers/{draft['id']}", headers=other.operator)
    ).status_code == 404
    mine = await matching.get("/api/v1/offers", headers=provider.provider)
    assert [item["id"] for item in mine.json()["items"]] == [draft["id"]]
    theirs = await matching.get("/api/v1/offers", headers=other.operator)
    assert theirs.json()["items"] == []


async def test_changes_need_the_current_version(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    provider = orgs[0]
    created = await offer(matching, provider)
    path = f"/api/v1/offers/{created['id']}"
    assert (
        await matching.patch(path, json={"seats": 5}, headers=provider.provider)
    ).status_code == 428
    changed = await matching.patch(
        path,
        json={"seats": 5, "status": "closed"},
        headers={**provider.provider, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["seats"] == 5
    assert changed.json()["status"] == "closed"
    stale = await matching.patch(
        path, json={"seats": 6}, headers={**provider.provider, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    cleared = await matching.patch(
        path, json={"title": None}, headers={**provider.provider, "If-Match": '"2"'}
    )
    assert cleared.status_code == 422


async def test_the_catalogue_pages_and_filters(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    provider, reader, _ = orgs
    created = [await offer(matching, provider, type="job", title=f"Job {n}") for n in range(5)]
    await offer(matching, provider, type="language_course", title="Italian A2")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {
            "type": "job",
            "limit": 2,
            **({"cursor": cursor} if cursor else {}),
        }
        page = (await matching.get("/api/v1/offers", params=params, headers=reader.operator)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(o["id"] for o in created)


async def test_an_offer_nobody_was_referred_to_can_be_deleted(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    provider = orgs[0]
    created = await offer(matching, provider)
    path = f"/api/v1/offers/{created['id']}"
    assert (await matching.delete(path, headers=provider.provider)).status_code == 204
    assert (await matching.get(path, headers=provider.provider)).status_code == 404


async def test_an_offer_lists_as_many_skills_as_esco_gives_an_occupation(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    """ESCO v1.1.1 gives an occupation up to 133 essential and 319 optional skills: an offer
    takes them all (150 and 350), and is refused past that with nothing stored."""
    provider = orgs[0]
    taxonomy = subset_taxonomy()
    every = sorted(uri for uri, skill in taxonomy.skills.items() if skill.type != "skill group")
    created = await offer(
        matching, provider, skills_required=every[:150], skills_preferred=every[150:500]
    )
    assert sum(s["required"] for s in created["skills"]) == 150
    assert len(created["skills"]) == 500
    for field, count in (("skills_required", 151), ("skills_preferred", 351)):
        body = {"type": "job", "title": "Too many", "seats": 1, field: every[:count]}
        answer = await matching.post("/api/v1/offers", json=body, headers=provider.provider)
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == f"body.{field}"
    listed = await matching.get("/api/v1/offers", headers=provider.provider)
    assert [item["id"] for item in listed.json()["items"]] == [created["id"]]


async def test_a_training_lists_what_it_teaches_and_a_patch_keeps_the_skills_it_omits(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    provider = orgs[0]
    skills = bricklaying_skills(4)
    created = await offer(
        matching,
        provider,
        type="training",
        skills_required=skills[:1],
        skills_preferred=skills[1:2],
        skills_taught=skills[2:],
    )
    assert [s["uri"] for s in created["skills_taught"]] == skills[2:]
    assert all(s["label"] for s in created["skills_taught"])
    path = f"/api/v1/offers/{created['id']}"
    changed = await matching.patch(
        path, json={"title": "Bricklaying, evening course"},
        headers={**provider.provider, "If-Match": '"1"'},
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    kept = changed.json()
    assert [s["uri"] for s in kept["skills"]] == skills[:2]
    assert [s["uri"] for s in kept["skills_taught"]] == skills[2:]
    cleared = await matching.patch(
        path, json={"skills_taught": []}, headers={**provider.provider, "If-Match": '"2"'}
    )
    assert cleared.json()["skills_taught"] == []
    assert len(cleared.json()["skills"]) == 2
    unknown = await matching.patch(
        path, json={"skills_taught": [UNKNOWN_SKILL]},
        headers={**provider.provider, "If-Match": '"3"'},
    )  # fmt: skip
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.skills_taught"
    again = await matching.get(path, headers=provider.provider)
    assert again.json()["skills_taught"] == []
    assert again.headers["etag"] == '"3"'
