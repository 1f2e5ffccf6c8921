"""The period one indicators report may cover is bounded (PONTE_PATHWAYS_INDICATORS_MAX_DAYS)."""

from __future__ import annotations

import httpx

from services.pathways.settings import PathwaysSettings
from tests.pathways.conftest import open_pathway, person
from tests.support import Org


async def test_a_period_longer_than_the_bound_is_refused(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    longest = PathwaysSettings().indicators_max_days
    too_long = await pathways.get(
        "/api/v1/reports/indicators",
        params={"date_from": "2000-01-01", "date_to": "2026-01-01"},
        headers=a.admin,
    )
    assert too_long.status_code == 422, too_long.text
    assert too_long.headers["content-type"].startswith("application/problem+json")
    assert too_long.json()["errors"][0]["field"] == "query.date_from"
    assert str(longest) in too_long.json()["detail"]
    fits = await pathways.get(
        "/api/v1/reports/indicators",
        params={"date_from": "2025-01-01", "date_to": "2026-01-01"},
        headers=a.admin,
    )
    assert fits.status_code == 200, fits.text


async def test_people_are_counted_once_and_pathways_each_time(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    """The breakdowns are grouped in SQL: a person with two pathways in the period is one person
    reached and two pathways opened, in every dimension."""
    a, _, _ = orgs
    twice = await person(pathways, a, sex="female", nationality="NG")
    first = await open_pathway(pathways, a, twice)
    closed = await pathways.post(
        f"/api/v1/pathways/{first['id']}/close",
        json={"outcome": "formal_employment"},
        headers=a.operator,
    )
    assert closed.status_code == 200, closed.text
    await open_pathway(pathways, a, twice)
    for _ in range(5):
        await open_pathway(pathways, a, await person(pathways, a, sex="female", nationality="NG"))
    report = (await pathways.get("/api/v1/reports/indicators", headers=a.admin)).json()
    assert report["people_reached"]["total"] == 6
    assert report["people_reached"]["by_nationality"] == {"NG": 6}
    assert report["pathways_opened"]["total"] == 7
    assert report["pathways_opened"]["by_sex"] == {"female": 7}
    assert sum(report["pathways_opened"]["by_age_band"].values()) == 7
