"""The indicators month by month: every month of the period, each measure beside its total,
protected as a breakdown is; exact for the organisation's org admin."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from services.pathways.schemas.reports import MonthlyIndicators
from shared import clock
from tests.pathways.conftest import open_pathway, person, step
from tests.support import Org, as_documented

URL = "/api/v1/reports/indicators/monthly"
PERIOD = {"date_from": "2026-01-01", "date_to": "2026-06-30"}


async def _opened_on(pathways: httpx.AsyncClient, org: Org, day: datetime) -> None:
    with clock.frozen_at(day):
        pathway = await open_pathway(pathways, org, await person(pathways, org))
        assert (await step(pathways, org, pathway["id"], "assess")).status_code == 201


async def test_the_series_has_every_month_and_protects_a_small_one(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    for day in range(6):
        await _opened_on(pathways, a, datetime(2026, 3, 2 + day, 9, tzinfo=UTC))
    await _opened_on(pathways, a, datetime(2026, 4, 14, 9, tzinfo=UTC))
    await _opened_on(pathways, b, datetime(2026, 4, 15, 9, tzinfo=UTC))  # not A's

    own = await pathways.get(URL, params=PERIOD, headers=a.admin)
    assert own.status_code == 200, own.text
    series = as_documented(MonthlyIndicators, own.json())
    assert series["months"] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert series["pathways_opened"] == {
        "total": 7,
        "by_month": {"2026-01": 0, "2026-02": 0, "2026-03": 6, "2026-04": 1, "2026-05": 0,
                     "2026-06": 0},
    }  # fmt: skip
    assert series["people_reached"]["total"] is None  # one person may be reached in two months

    # An operator's copy may travel: April's one person cannot be worked out from March and a
    # total of 7 (which the yearly report shows), so no month is given.
    protected = as_documented(
        MonthlyIndicators, (await pathways.get(URL, params=PERIOD, headers=a.operator)).json()
    )
    assert protected["pathways_opened"]["total"] == "withheld"
    assert protected["pathways_opened"]["by_month"]["2026-03"] == "withheld"
    assert protected["pathways_opened"]["by_month"]["2026-04"] == "withheld"
    assert protected["pathways_opened"]["by_month"]["2026-05"] == 0

    as_csv = await pathways.get(URL, params=PERIOD, headers={**a.admin, "Accept": "text/csv"})
    assert "pathways_opened,by_month,2026-03,6" in as_csv.text
    refused = await pathways.get(URL, params=PERIOD, headers=a.provider)
    assert refused.status_code == 403
