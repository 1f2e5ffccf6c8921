"""``GET /api/v1/territories/{code}/analysis`` over rows written in matching's database: the
needs of the people living in Roma against the service points within reach (the province), the
gaps where a need has none, skills by ESCO group, tiers, small-cell suppression, and who counts
whom (platform admin, a cluster's coordinator, an organisation's staff; nobody else)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

import httpx
import pytest

from shared.testing.tokens import TestIssuer
from tests.matching import analysis_data as data
from tests.support import Org

ANALYSIS = f"/api/v1/territories/{data.ROMA}/analysis"
PERIOD = {"from": "2026-01-01", "to": "2026-06-30"}


@pytest.fixture
async def world(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> dict[str, Any]:
    """Org A follows 6 people in Roma (housing and language; 2 of them health too; 5 hold a
    customer-care skill), org B 3 (documents); 1 of A's lives in Latina. A language school in
    Roma, a closed health desk in Roma, a housing desk in Latina's province (out of reach)."""
    url = matching_database
    a, b, coordinator = orgs
    roma = await data.people(
        url, a.id, 4, data.ROMA, ["housing", "language"], [data.CUSTOMER_SATISFACTION]
    )
    roma += await data.people(
        url, a.id, 1, data.ROMA, ["housing", "language", "health"], [data.CUSTOMER_SATISFACTION]
    )
    roma += await data.people(url, a.id, 1, data.ROMA, ["housing", "language", "health"])
    await data.people(url, b.id, 3, data.ROMA, ["documents_legal"])
    await data.people(url, a.id, 1, "ITI44", ["housing"])
    school = await data.service_point(
        url,
        b.id,
        "ITI43",
        ["language"],
        kind="language_school",
        tier="structured",
        minutes=[12, 30],
    )
    await data.service_point(url, b.id, data.ROMA, ["health"], status="closed")
    await data.service_point(url, b.id, data.LATINA_PROVINCE, ["housing"])
    await data.offer(url, b.id, data.ROMA, "job", 4, [data.CUSTOMER_SATISFACTION])
    await data.offer(url, b.id, data.LATINA_PROVINCE, "language_course", 9)
    for person in roma[:5]:
        await data.referral(url, person, a.id, school, date(2026, 3, 1))
    await data.referral(url, roma[5], a.id, school, date(2025, 3, 1))  # before the period
    cluster = await data.cluster(url, coordinator.id, ["ITI4"], [a.id, b.id])
    return {"a": a, "b": b, "coordinator": coordinator, "cluster": cluster}


async def _analysis(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    answer = await client.get(ANALYSIS, params={**PERIOD, **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _admin(issuer: TestIssuer) -> dict[str, str]:
    return issuer.headers(roles=("platform_admin",))


async def test_a_need_with_no_service_within_reach_is_a_gap(
    matching: httpx.AsyncClient, world: dict[str, Any], issuer: TestIssuer
) -> None:
    report = await _analysis(matching, _admin(issuer))
    assert report["people"] == 9  # Roma's 9, not Latina's one
    assert report["within_reach"]["nuts3"] == "ITI43"
    needs = {row["need"]: row for row in report["needs"]}
    # Language: the school in the province is within reach.
    assert needs["language"]["people"] == 6
    assert needs["language"]["service_points"] == 1
    assert needs["language"]["service_points_by_tier"]["structured"] == 1
    assert needs["language"]["gap"] is False
    # Housing: a desk exists, but in Latina's province; health: Roma's desk is closed.
    assert needs["housing"] == {**needs["housing"], "people": 6, "service_points": 0, "gap": True}
    gaps = {gap["need"]: gap for gap in report["gaps"]}
    assert set(gaps) == {"housing", "health", "documents_legal"}
    # The job answers employment and income; Latina's course is out of reach.
    assert gaps["housing"]["offers"] == 0
    assert report["offers_by_type"] == {
        "job": {"offers": 1, "seats": 4, "answers": ["employment", "income"]}
    }


async def test_small_cells_show_as_fewer_than_five(
    matching: httpx.AsyncClient, world: dict[str, Any], issuer: TestIssuer
) -> None:
    report = await _analysis(matching, _admin(issuer))
    gaps = {gap["need"]: gap["people"] for gap in report["gaps"]}
    assert gaps == {"housing": 6, "health": "<5", "documents_legal": "<5"}
    groups = {row["label"]: row for row in report["skills"]}
    assert groups["assisting and caring"]["offers_demanding"] == 1
    assert groups["assisting and caring"]["people_holding"] == 5
    # Five people referred to the school in the period (the sixth before it).
    assert report["tiers"]["by_tier"]["structured"] == {"referrals": 5, "people": 5}
    assert report["tiers"]["paths"] == [{"tiers": ["structured"], "people": 5}]
    # An organisation's own view: B's three people are a small cell everywhere.
    own = await _analysis(matching, world["b"].admin)
    assert own["people"] == "<5"
    assert {row["need"]: row["people"] for row in own["needs"]}["documents_legal"] == "<5"
    assert own["tiers"]["by_tier"]["structured"] == {"referrals": 0, "people": 0}
    # The job still demands the skill; none of B's people holds it.
    assert [
        (row["code"], row["offers_demanding"], row["people_holding"]) for row in own["skills"]
    ] == [("S3", 1, 0)]


async def test_who_counts_whom(
    matching: httpx.AsyncClient, world: dict[str, Any], issuer: TestIssuer
) -> None:
    a, coordinator, cluster = world["a"], world["coordinator"], world["cluster"]
    assert (await _analysis(matching, a.operator))["people"] == 6
    coordinating = coordinator.headers("cluster_coordinator")
    counted = await _analysis(matching, coordinating, cluster_id=str(cluster))
    assert (counted["people"], counted["organizations"]) == (9, 2)
    admin_cluster = await _analysis(matching, _admin(issuer), cluster_id=str(cluster))
    assert admin_cluster["people"] == 9
    other = uuid.uuid4()
    refused = [
        (coordinating, {"cluster_id": str(other)}),  # not a cluster it coordinates
        (a.headers("cluster_coordinator"), {"cluster_id": str(cluster)}),  # a member, not it
        (a.provider, {}),
        (issuer.headers(roles=("beneficiary",), beneficiary_id=uuid.uuid4()), {}),
        (_admin(issuer), {"cluster_id": str(other)}),
        (world["b"].operator, {"cluster_id": str(other)}),  # a cluster B is not in
    ]
    for headers, params in refused:
        answer = await matching.get(ANALYSIS, params={**PERIOD, **params}, headers=headers)
        assert answer.status_code == 404, (params, answer.text)
    missing = await matching.get(ANALYSIS, params=PERIOD, headers=coordinating)
    assert missing.status_code == 422
    unknown = await matching.get("/api/v1/territories/ITZ99/analysis", headers=_admin(issuer))
    assert unknown.status_code == 404
    backwards = await matching.get(
        ANALYSIS, params={"from": "2026-02-01", "to": "2026-01-01"}, headers=_admin(issuer)
    )
    assert backwards.status_code == 422


async def test_the_csv_form(
    matching: httpx.AsyncClient, world: dict[str, Any], issuer: TestIssuer
) -> None:
    answer = await matching.get(
        ANALYSIS, params=PERIOD, headers={**_admin(issuer), "Accept": "text/csv"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ["section", "dimension", "value", "measure", "count"]
    assert ["needs", "need", "health", "people", "<5"] in rows
    assert ["needs", "need", "housing", "gap", "True"] in rows
    same = await matching.get(ANALYSIS, params={**PERIOD, "format": "csv"}, headers=_admin(issuer))
    assert same.text == answer.text


async def test_profiles_are_for_staff_never_for_a_person(
    matching: httpx.AsyncClient, world: dict[str, Any], issuer: TestIssuer
) -> None:
    profiles = f"/api/v1/territories/{data.ROMA}/profiles"
    person = issuer.headers(roles=("beneficiary",), beneficiary_id=uuid.uuid4())
    assert (await matching.get(profiles, headers=person)).status_code == 403
    assert (await matching.get(profiles, headers=world["a"].provider)).status_code == 200
    value = {"kind": "social", "variable": "x", "value": 1, "reference_year": 2024, "source": "s"}
    for headers in (person, world["a"].admin, world["coordinator"].headers("org_admin")):
        assert (await matching.post(profiles, json=value, headers=headers)).status_code == 403
    # Lists are checked value by value: each bad one named by its index, nothing stored.
    bad = await matching.post(
        profiles, json=[value, {**value, "source": ""}], headers=_admin(issuer)
    )
    assert bad.status_code == 422
    assert [error["field"] for error in bad.json()["errors"]] == ["body.1.source"]
    read = await matching.get(profiles, headers=world["a"].operator)
    assert read.json()["items"] == []
