"""Why referrals end: a provider rejects and a referrer drops with a coded reason (checked: a
party's codes only, only to end, `other` with words), and `GET /reports/referrals` counts them by
status, reason and target for each side, exact for the org admin, protected for others."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from services.matching.schemas.reports import ReferralsReport
from shared import clock
from shared.crosstab import TOTAL
from tests.matching.conftest import offer, person
from tests.matching.test_referrals import referral_row
from tests.support import Org, as_documented

URL = "/api/v1/reports/referrals"
PERIOD = {"date_from": "2026-01-01", "date_to": "2026-06-30"}
MOMENT = datetime(2026, 3, 2, 9, tzinfo=UTC)


async def _moved(
    matching: httpx.AsyncClient, referral: uuid.UUID, who: dict[str, str], **body: Any
) -> httpx.Response:
    with clock.frozen_at(MOMENT):
        return await matching.patch(f"/api/v1/referrals/{referral}", json=body, headers=who)


def _cells(body: dict[str, Any]) -> dict[tuple[str, ...], Any]:
    return {
        (cell["status"], cell["reason"], cell["target"]): cell["count"]
        for cell in body["referrals"]["cells"]
    }


async def test_coded_reasons_are_checked_and_counted_by_side(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, other = orgs
    course = await offer(matching, provider, seats=20)
    people = [await person(matching, ngo) for _ in range(9)]
    referrals = [
        await referral_row(matching_database, someone, course, ngo, status="proposed")
        for someone in people
    ]
    first = referrals[0]
    # A system's code is not a party's to give; a code only ends; `other` needs words.
    for body in (
        {"status": "rejected", "reason_code": "consent_withdrawn"},
        {"status": "accepted", "reason_code": "no_capacity"},
        {"status": "rejected", "reason_code": "other"},
    ):
        refused = await _moved(matching, first, provider.provider, **body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["field"].startswith("body.reason")
    for referral in referrals[:7]:  # seven rejected for the language, by code alone
        moved = await _moved(
            matching, referral, provider.provider, status="rejected", reason_code="language_level"
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["reason_code"] == "language_level"
    dropped = await _moved(
        matching,
        referrals[7],
        ngo.operator,
        status="dropped",
        reason_code="other_opportunity",
        reason="found a job",
    )
    assert dropped.status_code == 200, dropped.text
    words = await _moved(matching, referrals[8], ngo.operator, status="dropped", reason="moved")
    assert words.status_code == 200, words.text

    exact = await matching.get(URL, params=PERIOD, headers=ngo.admin)
    assert exact.status_code == 200, exact.text
    counts = _cells(as_documented(ReferralsReport, exact.json()))
    assert counts[("rejected", "language_level", "internship")] == 7
    assert counts[("dropped", "other_opportunity", "internship")] == 1
    assert counts[("dropped", "uncoded", "internship")] == 1
    assert counts[("rejected", TOTAL, TOTAL)] == 7
    assert counts[(TOTAL, TOTAL, TOTAL)] == 9
    # The provider's side counts what it received; another organisation's, nothing.
    received = await matching.get(
        URL, params={**PERIOD, "side": "provider"}, headers=provider.admin
    )
    assert _cells(received.json())[(TOTAL, TOTAL, TOTAL)] == 9
    assert _cells((await matching.get(URL, params=PERIOD, headers=other.admin)).json()) == {
        (TOTAL, TOTAL, TOTAL): 0
    }
    # An operator's copy travels: the two single drops are small, and hidden beyond the margins.
    shown = _cells((await matching.get(URL, params=PERIOD, headers=ngo.operator)).json())
    assert shown[("dropped", "other_opportunity", "internship")] == "<5"
    assert shown[("dropped", TOTAL, TOTAL)] == "<5"
    assert shown[("rejected", "language_level", "internship")] in (7, "withheld")
    assert "withheld" in shown.values()

    as_csv = await matching.get(URL, params=PERIOD, headers={**ngo.admin, "Accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0] == ["status", "reason", "target", "count"]
    assert ["rejected", "language_level", "internship", "7"] in rows


async def test_the_report_is_for_staff_and_a_period_at_a_time(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    assert (await matching.get(URL, headers=provider.provider)).status_code == 403
    reversed_period = {"date_from": "2026-06-30", "date_to": "2026-01-01"}
    refused = await matching.get(URL, params=reversed_period, headers=ngo.operator)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "query.date_from"
    side = await matching.get(URL, params={"side": "both"}, headers=ngo.operator)
    assert side.status_code == 422
