"""The period one indicators report may cover is bounded (PONTE_PATHWAYS_INDICATORS_MAX_DAYS)."""

from __future__ import annotations

import httpx

from services.pathways.settings import PathwaysSettings
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
