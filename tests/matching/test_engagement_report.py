"""``GET /api/v1/reports/engagement``: the people first seen at a low-threshold service point in
a period, and how many a structured service (a structured point, an offer) took on within 3 and
6 months, over rows written in matching's database with the clock set: who is in the cohort,
what counts as reaching, which windows are measurable, the scope (organisation, cluster,
platform), small and complementary cells, CSV, and who may read it."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.matching.schemas.reports import EngagementReport
from shared import clock
from shared.testing.tokens import TestIssuer
from tests.matching import analysis_data as data
from tests.support import Org, as_documented, sql

URL = "/api/v1/reports/engagement"
PERIOD = {"date_from": "2026-01-01", "date_to": "2026-11-30"}
TODAY = datetime(2026, 12, 1, 9, tzinfo=UTC)  # 6-month windows from before 1 June have ended


@dataclass(frozen=True)
class Targets:
    """A provider's service point of each tier, and an offer of theirs."""

    provider: uuid.UUID
    low: tuple[str, uuid.UUID]
    intermediate: tuple[str, uuid.UUID]
    structured: tuple[str, uuid.UUID]
    course: tuple[str, uuid.UUID]


async def _targets(url: str, provider: Org) -> Targets:
    async def point(tier: str) -> tuple[str, uuid.UUID]:
        return "service_point", await data.service_point(
            url, provider.id, data.ROMA, ["employment"], tier=tier
        )

    course = await data.offer(url, provider.id, data.ROMA, "training", 10)
    return Targets(
        provider.id,
        await point("low_threshold"),
        await point("intermediate"),
        await point("structured"),
        ("offer", course),
    )


async def _referral(
    url: str,
    targets: Targets,
    person: uuid.UUID,
    referrer: Org,
    target: tuple[str, uuid.UUID],
    on: date,
    status: str = "proposed",
    *,
    enrolled: bool = False,
    cluster: uuid.UUID | None = None,
) -> None:
    """A referral made on ``on``, moved to ``status`` (answered the next day unless proposed or
    dropped unanswered; enrolled two days after if ``enrolled``)."""
    kind, target_id = target
    made = datetime(on.year, on.month, on.day, 10, tzinfo=UTC)
    answered = enrolled or status not in ("proposed", "dropped")
    await sql(
        url,
        f"INSERT INTO referral (id, beneficiary_id, {kind}_id, organization_id, "  # noqa: S608
        "provider_organization_id, status, history, version, created_by, cluster_id, "
        "created_at, updated_at, answered_at, enrolled_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, '[]'::jsonb, 1, 'test', $7, $8, $8, $9, $10)",
        uuid.uuid4(),
        person,
        target_id,
        referrer.id,
        targets.provider,
        status,
        cluster,
        made,
        made + timedelta(days=1) if answered else None,
        made + timedelta(days=2) if enrolled else None,
    )


async def _report(
    matching: httpx.AsyncClient, who: dict[str, str], **params: str
) -> dict[str, Any]:
    with clock.frozen_at(TODAY):
        answer = await matching.get(URL, params={**PERIOD, **params}, headers=who)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = as_documented(EngagementReport, answer.json())
    return body


def _horizons(body: dict[str, Any]) -> dict[int, tuple[Any, Any, Any]]:
    return {h["months"]: (h["measurable"], h["reached"], h["rate"]) for h in body["horizons"]}


@pytest.fixture
async def world(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> dict[str, Any]:
    """The NGO's referrals: 10 people in its cohort, and 4 who are not."""
    url = matching_database
    ngo, provider, other = orgs
    at = await _targets(url, provider)
    cluster = await data.cluster(url, ngo.id, [data.ROMA], [ngo.id, provider.id])
    people: dict[str, uuid.UUID] = {}

    async def seen(name: str, first: date, *later: tuple[Any, ...], by: Org = ngo) -> None:
        person = people[name] = uuid.uuid4()
        in_cluster = cluster if name in ("fast", "mid") else None
        await _referral(url, at, person, by, at.low, first, cluster=in_cluster)
        for target, on, status, *enrolled in later:
            await _referral(
                url, at, person, by, target, on, status, enrolled=bool(enrolled), cluster=in_cluster
            )

    # In the cohort: reached at 3 and 6 months, at 6 only, and too late (8 months).
    await seen("fast", date(2026, 1, 10), (at.structured, date(2026, 3, 5), "accepted"))
    await seen("mid", date(2026, 1, 10), (at.course, date(2026, 6, 8), "enrolled"))
    await seen("late", date(2026, 1, 10), (at.structured, date(2026, 9, 15), "completed"))
    # Not reaching: rejected, an intermediate point, an offer dropped before enrolment; but an
    # offer dropped after enrolment reaches (the person started).
    await seen("rejected", date(2026, 1, 12), (at.structured, date(2026, 2, 1), "rejected"))
    await seen("intermediate", date(2026, 1, 12), (at.intermediate, date(2026, 2, 1), "accepted"))
    await seen("unenrolled", date(2026, 2, 3), (at.course, date(2026, 2, 20), "dropped"))
    await seen("enrolled", date(2026, 2, 3), (at.course, date(2026, 2, 20), "dropped", True))
    # Windows still open on 1 December: the 6 months' (missed at 3), both (not measurable),
    # both but already reached (measurable).
    await seen("recent", date(2026, 7, 15))
    await seen("newest", date(2026, 10, 20))
    await seen("quick", date(2026, 10, 1), (at.structured, date(2026, 11, 1), "accepted"))
    # Not in the cohort: first seen at a structured point, first seen before the period, first
    # seen in the period by another organisation (in the platform's cohort, reached).
    first_structured = uuid.uuid4()
    await _referral(url, at, first_structured, ngo, at.structured, date(2026, 1, 5), "accepted")
    await _referral(url, at, first_structured, ngo, at.low, date(2026, 1, 10))
    earlier = uuid.uuid4()
    await _referral(url, at, earlier, ngo, at.low, date(2025, 12, 20))
    await _referral(url, at, earlier, ngo, at.structured, date(2026, 1, 20), "accepted")
    await seen(
        "elsewhere", date(2026, 1, 10), (at.structured, date(2026, 2, 1), "accepted"), by=other
    )
    return {"targets": at, "cluster": cluster, "people": people}


async def test_the_cohort_and_who_reached_a_structured_service_in_time(
    matching: httpx.AsyncClient, world: dict[str, Any], orgs: tuple[Org, Org, Org]
) -> None:
    ngo, _, _ = orgs
    body = await _report(matching, ngo.admin)
    assert body["cohort"] == 10
    assert body["scope"] == str(ngo.id)
    assert body["cluster_id"] is None
    assert body["period"] == {"from": "2026-01-01", "to": "2026-11-30"}
    assert body["small_cells"].startswith("exact")
    # 3 months: fast, enrolled and quick reached; newest's window is open (not measurable).
    # 6 months: mid too; recent's and newest's windows are open.
    assert _horizons(body) == {3: (9, 3, 0.333), 6: (8, 4, 0.5)}


async def test_reaching_is_counted_within_the_period_and_the_windows(
    matching: httpx.AsyncClient,
    matching_database: str,
    world: dict[str, Any],
    orgs: tuple[Org, Org, Org],
) -> None:
    ngo, _, _ = orgs
    # A period of January only: the five first seen from 10 to 12 January.
    body = await _report(matching, ngo.admin, date_from="2026-01-01", date_to="2026-01-31")
    assert body["cohort"] == 5
    assert _horizons(body) == {3: (5, 1, 0.2), 6: (5, 2, 0.4)}
    # A second, earlier referral of late's to a structured point, taken on: late reaches at 3.
    targets, late = world["targets"], world["people"]["late"]
    structured, february = targets.structured, date(2026, 2, 1)
    await _referral(matching_database, targets, late, ngo, structured, february, "accepted")
    body = await _report(matching, ngo.admin, date_from="2026-01-01", date_to="2026-01-31")
    assert _horizons(body) == {3: (5, 2, 0.4), 6: (5, 3, 0.6)}


async def test_a_cluster_and_the_platform(
    matching: httpx.AsyncClient,
    world: dict[str, Any],
    orgs: tuple[Org, Org, Org],
    issuer: TestIssuer,
) -> None:
    ngo, _, other = orgs
    in_cluster = await _report(matching, ngo.admin, cluster_id=str(world["cluster"]))
    assert in_cluster["cohort"] == 2  # fast and mid
    assert in_cluster["cluster_id"] == str(world["cluster"])
    assert _horizons(in_cluster) == {3: (2, 1, 0.5), 6: (2, 2, 1.0)}
    elsewhere = await _report(matching, other.admin)
    assert elsewhere["cohort"] == 1
    assert _horizons(elsewhere) == {3: (1, 1, 1.0), 6: (1, 1, 1.0)}
    platform = issuer.headers(roles=("platform_admin",), organization_id=uuid.uuid4())
    everyone = await _report(matching, platform)
    assert everyone["scope"] == "all organisations"
    assert everyone["cohort"] == 11  # protected, but 11
    assert not everyone["small_cells"].startswith("exact")


async def test_an_operator_sees_small_counts_as_fewer_than_five(
    matching: httpx.AsyncClient, world: dict[str, Any], orgs: tuple[Org, Org, Org]
) -> None:
    ngo, _, _ = orgs
    body = await _report(matching, ngo.operator)
    # Every combination of states holds 1 to 4 people: the cohort is shown, each figure that
    # is one small combination "<5", those summing several "withheld", and no rate.
    assert body["cohort"] == 10
    assert _horizons(body) == {
        3: ("withheld", "<5", None),
        6: ("withheld", "withheld", None),
    }


async def test_a_small_number_who_did_not_reach_cannot_be_worked_out(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    url = matching_database
    at = await _targets(url, provider)

    async def cohort(count: int, *later: tuple[str, uuid.UUID]) -> None:
        for _ in range(count):
            person = uuid.uuid4()
            await _referral(url, at, person, ngo, at.low, date(2026, 2, 1))
            for target in later:
                await _referral(url, at, person, ngo, target, date(2026, 3, 1), "accepted")

    await cohort(7, at.structured)
    await cohort(2)
    # 9 measurable, 7 reached: showing 7 would give the 2 who did not; it is withheld.
    assert _horizons(await _report(matching, ngo.admin))[3] == (9, 7, 0.778)
    shown = await _report(matching, ngo.operator)
    assert shown["cohort"] == 9
    assert _horizons(shown) == {3: (9, "withheld", None), 6: (9, "withheld", None)}
    # 5 who did not: nothing small, all shown.
    await cohort(3)
    assert _horizons(await _report(matching, ngo.operator))[3] == (12, 7, 0.583)


async def test_the_csv_form(
    matching: httpx.AsyncClient, world: dict[str, Any], orgs: tuple[Org, Org, Org]
) -> None:
    ngo, _, _ = orgs
    with clock.frozen_at(TODAY):
        answer = await matching.get(URL, params=PERIOD, headers={**ngo.admin, "Accept": "text/csv"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(answer.text))) == [
        ["measure", "months", "count"],
        ["cohort", "", "10"],
        ["measurable", "3", "9"],
        ["reached", "3", "3"],
        ["measurable", "6", "8"],
        ["reached", "6", "4"],
    ]


async def test_the_report_is_for_staff_and_a_period_at_a_time(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    refused = await matching.get(URL, headers=provider.provider)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    for params, field in (
        ({"date_from": "2026-06-30", "date_to": "2026-01-01"}, "query.date_from"),
        ({"date_from": "2020-01-01", "date_to": "2026-01-01"}, "query.date_from"),
        ({"cluster_id": "not-a-uuid"}, "query.cluster_id"),
        # Years a period's arithmetic would overflow on (a day past the end, a year back).
        ({"date_from": "9999-01-01", "date_to": "9999-12-31"}, "query.date_from"),
        ({"date_to": "0001-03-01"}, "query.date_to"),
    ):
        answer = await matching.get(URL, params=params, headers=ngo.operator)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["errors"][0]["field"] == field
