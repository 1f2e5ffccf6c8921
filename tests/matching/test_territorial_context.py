"""``GET /beneficiaries/{id}/territorial-context`` and ``POST /internal/service-points/check``
on PostgreSQL with the committed territories' cut: reach (the person's NUTS 3 region), ordering
(own municipality, then minutes from a hub), tiers, gaps, visibility through clusters, and the
access rules of a person's matches. Service points and people's territories are written straight
into the database (their APIs are built elsewhere)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.matching.domain import territorial_context as rules
from shared.errors import problem_type
from tests.matching.conftest import INTERNAL, person
from tests.matching.reach_data import (
    FIUMICINO,
    LATINA,
    ROMA,
    TIVOLI,
    cluster,
    ids,
    place,
    service_point,
)
from tests.support import Org

CONTEXT = "/api/v1/beneficiaries/{}/territorial-context"
CHECK = "/internal/service-points/check"


async def _context(
    client: httpx.AsyncClient, org: Org, beneficiary_id: uuid.UUID, **params: Any
) -> dict[str, Any]:
    answer = await client.get(CONTEXT.format(beneficiary_id), params=params, headers=org.operator)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _need(context: dict[str, Any], domain: str) -> dict[str, Any]:
    found: dict[str, Any] = next(need for need in context["needs"] if need["domain"] == domain)
    return found


async def test_points_within_reach_nearest_first_by_tier_and_the_gaps(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org], matching_database: str
) -> None:
    ngo, other, _ = orgs
    url = matching_database
    someone = await person(matching, ngo)
    await place(url, someone, ROMA, ["documents_legal", "housing", "childcare"])
    # Documents: one desk in Roma itself, far from its hub; one in Fiumicino, close to its hub;
    # one untimed in Tivoli; a structured programme in Roma; then what is out of reach or closed.
    in_roma = await service_point(
        url, other, name="Sportello Roma", need_domains=["documents_legal"], minutes=[("T", 40)]
    )
    fiumicino = await service_point(
        url,
        other,
        name="Sportello Fiumicino",
        need_domains=["documents_legal", "employment"],
        territory_code=FIUMICINO,
        minutes=[("Termini", 25), ("Ostiense", 8)],
    )
    tivoli = await service_point(
        url, other, name="Sportello Tivoli", need_domains=["documents_legal"], territory_code=TIVOLI
    )
    programme = await service_point(
        url, other, name="Percorso legale", need_domains=["documents_legal"], tier="structured"
    )
    await service_point(
        url, other, name="Latina desk", need_domains=["documents_legal"], territory_code=LATINA
    )
    await service_point(
        url, other, name="Closed desk", need_domains=["documents_legal"], status="closed"
    )
    housing = await service_point(
        url, ngo, name="Casa", need_domains=["housing"], tier="intermediate", minutes=[("T", 5)]
    )

    context = await _context(matching, ngo, someone)

    assert context["territory"]["code"] == ROMA
    assert [unit["code"] for unit in context["territory"]["parents"]] == [
        "ITI43",
        "ITI4",
        "ITI",
        "IT",
    ]
    assert context["reach"]["code"] == "ITI43"
    documents = _need(context, "documents_legal")
    assert documents["assessed"] is True
    assert ids(documents["service_points"]["low_threshold"]) == [
        str(in_roma),
        str(fiumicino),
        str(tivoli),
    ]
    assert ids(documents["service_points"]["structured"]) == [str(programme)]
    assert documents["service_points"]["intermediate"] == []
    first, second, third = documents["service_points"]["low_threshold"]
    assert (first["same_municipality"], first["minutes"]) == (True, 40)
    assert (second["same_municipality"], second["nearest_hub"], second["minutes"]) == (
        False,
        "Ostiense",
        8,
    )
    assert (third["nearest_hub"], third["minutes"]) == (None, None)
    assert ids(_need(context, "housing")["service_points"]["intermediate"]) == [str(housing)]
    assert context["gaps"] == ["childcare"]
    assert [need["domain"] for need in context["needs"]] == [
        "documents_legal",
        "housing",
        "childcare",
    ]

    # Other needs on request: employment is answered in Fiumicino, health by nobody.
    asked = await _context(matching, ngo, someone, need=["employment", "health", "housing"])
    assert [(need["domain"], need["assessed"]) for need in asked["needs"]] == [
        ("documents_legal", True),
        ("housing", True),
        ("childcare", True),
        ("employment", False),
        ("health", False),
    ]
    assert ids(_need(asked, "employment")["service_points"]["low_threshold"]) == [str(fiumicino)]
    assert asked["gaps"] == ["childcare", "health"]
    bad = await matching.get(
        CONTEXT.format(someone), params={"need": "cooking"}, headers=ngo.operator
    )
    assert bad.status_code == 422


async def test_a_person_in_latina_reaches_latina_not_roma(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org], matching_database: str
) -> None:
    ngo, other, _ = orgs
    someone = await person(matching, ngo)
    await place(matching_database, someone, LATINA, ["documents_legal"])
    url = matching_database
    await service_point(url, other, name="Roma desk", need_domains=["documents_legal"])
    latina = await service_point(
        matching_database,
        other,
        name="Latina desk",
        need_domains=["documents_legal"],
        territory_code=LATINA,
    )
    context = await _context(matching, ngo, someone)
    assert context["reach"]["code"] == "ITI44"
    assert ids(_need(context, "documents_legal")["service_points"]["low_threshold"]) == [
        str(latina)
    ]
    assert context["gaps"] == []


async def test_points_published_to_a_cluster_are_seen_by_its_members_and_owner_only(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org], matching_database: str
) -> None:
    ngo, owner, stranger = orgs
    url = matching_database
    rome = await cluster(url, owner.id, owner.id, ngo.id)
    nicosia = await cluster(url, stranger.id, stranger.id)
    for_rome = await service_point(
        url, owner, name="Rome only", need_domains=["health"], cluster_ids=[rome]
    )
    for_nicosia = await service_point(
        url, stranger, name="Nicosia only", need_domains=["health"], cluster_ids=[nicosia]
    )
    everyone = await service_point(url, stranger, name="Everyone's", need_domains=["health"])
    someone = await person(matching, ngo, shared_with=(owner, stranger))
    await place(url, someone, ROMA, ["health"])

    def shown(context: dict[str, Any]) -> set[str]:
        return set(ids(_need(context, "health")["service_points"]["low_threshold"]))

    # A member of Rome's cluster: Rome's and the installation's, never Nicosia's.
    assert shown(await _context(matching, ngo, someone)) == {str(for_rome), str(everyone)}
    # The owner of Nicosia's point sees it even though its cluster is not Rome's.
    assert shown(await _context(matching, stranger, someone)) == {
        str(for_nicosia),
        str(everyone),
    }
    assert shown(await _context(matching, owner, someone)) == {str(for_rome), str(everyone)}


async def test_the_access_rules_of_a_persons_matches(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org], matching_database: str
) -> None:
    ngo, other, _ = orgs
    someone = await person(matching, ngo)
    refusing = await person(matching, ngo, consent=False)
    await place(matching_database, someone, ROMA, ["housing"])
    path = CONTEXT.format(someone)
    assert (await matching.get(path, headers=ngo.provider)).status_code == 403
    assert (await matching.get(path, headers=other.operator)).status_code == 404
    unknown = await matching.get(CONTEXT.format(uuid.uuid4()), headers=ngo.operator)
    assert unknown.status_code == 404
    refused = await matching.get(CONTEXT.format(refusing), headers=ngo.operator)
    assert (refused.status_code, refused.json()["type"]) == (
        409,
        problem_type("consent-required"),
    )
    # No territory yet: nothing within reach, and no gap claimed.
    unplaced = await person(matching, ngo)
    await place(matching_database, unplaced, None, ["housing"])
    context = await _context(matching, ngo, unplaced)
    assert (context["territory"], context["reach"], context["gaps"]) == (None, None, [])
    assert _need(context, "housing")["service_points"]["low_threshold"] == []


async def test_pathways_check_names_what_an_organisation_may_point_at(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org], matching_database: str
) -> None:
    ngo, owner, stranger = orgs
    url = matching_database
    nicosia = await cluster(url, stranger.id, stranger.id)
    usable = await service_point(url, owner, name="Desk", need_domains=["documents_legal"])
    closed = await service_point(url, owner, name="Shut", need_domains=["housing"], status="closed")
    hidden = await service_point(
        url, stranger, name="Nicosia", need_domains=["health"], cluster_ids=[nicosia]
    )
    missing = uuid.uuid4()
    body = {
        "ids": [str(usable), str(closed), str(hidden), str(missing)],
        "organization_id": str(ngo.id),
        "territory_codes": [ROMA, "ITZ99"],
    }
    headers = {"Authorization": f"Bearer {INTERNAL}"}
    answer = await matching.post(CHECK, json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert [point["id"] for point in result["usable"]] == [str(usable)]
    assert result["usable"][0]["need_domains"] == ["documents_legal"]
    assert result["refused"] == [str(closed), str(hidden), str(missing)]
    assert result["unknown_territory_codes"] == ["ITZ99"]
    # Nicosia's owner may point at its own point.
    mine = await matching.post(
        CHECK, json={"ids": [str(hidden)], "organization_id": str(stranger.id)}, headers=headers
    )
    assert [point["id"] for point in mine.json()["usable"]] == [str(hidden)]
    assert (await matching.post(CHECK, json=body)).status_code == 401


def _point(name: str, tier: str, code: str = ROMA, minutes: int | None = None) -> rules.Point:
    access = ({"hub": "Termini", "minutes": minutes},) if minutes is not None else ()
    return rules.Point(uuid.uuid4(), name, tier, code, ("housing",), access)


def test_reach_is_the_nuts_3_region_or_the_region_itself_above_it() -> None:
    lau = rules.Unit(ROMA, "lau", 4)
    province = rules.Unit("ITI43", "nuts", 3)
    region = rules.Unit("ITI4", "nuts", 2)
    assert rules.reach_root([lau, province, region]) == "ITI43"
    assert rules.reach_root([province, region]) == "ITI43"
    assert rules.reach_root([region, rules.Unit("ITI", "nuts", 1)]) == "ITI4"
    assert rules.reach_root([]) is None


def test_nearest_hub_ignores_what_is_not_a_time() -> None:
    entries: list[dict[str, Any]] = [
        {"hub": "A", "minutes": 30},
        {"hub": "B", "minutes": "5"},
        {"hub": "C", "minutes": 9},
    ]
    assert rules.nearest_hub(entries) == ("C", 9)
    odd: list[dict[str, Any]] = [{"hub": "D", "minutes": True}, {"minutes": -1}]
    assert rules.nearest_hub(odd) == (None, None)


@pytest.mark.parametrize("limit", [1, 4, 10])
def test_a_crowded_tier_never_hides_the_next_step(limit: int) -> None:
    crowded = [_point(f"low {n:02}", "low_threshold", minutes=n) for n in range(12)]
    one_structured = _point("programme", "structured", code=FIUMICINO, minutes=50)
    (need,) = rules.propose([*crowded, one_structured], ROMA, ["housing"], limit=limit)
    shown = need.tiers["low_threshold"] + need.tiers["structured"]
    assert len(shown) == limit
    assert need.left_out == 13 - limit
    assert [p.point.name for p in need.tiers["low_threshold"]] == [
        f"low {n:02}" for n in range(len(need.tiers["low_threshold"]))
    ]
    if limit > 1:
        assert [p.point.name for p in need.tiers["structured"]] == ["programme"]
    assert rules.gaps([need]) == []
