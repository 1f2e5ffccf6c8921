"""The engagement report's statement: the people whose first referral in scope went to a
low-threshold service point in a period, and whether a later referral in scope to a structured
service (a structured service point, or any offer) was taken on by its provider within each
horizon, counted in SQL: one row per combination of the people's states at the horizons (at
most 3 x 3 rows, whatever the caseload).

A person's state at a horizon of n months after their first referral: ``reached`` (taken on by
a referral created before the first plus n calendar months, UTC), ``missed`` (not reached, and
the window ended before ``as_of``, the start of today), or ``open`` (not reached, the window not
yet ended: not measurable)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import DateTime, Uuid

from services.matching.domain.referrals import ReferralStatus as S
from services.matching.domain.service_points import Tier

HORIZONS = (3, 6)  # months after the first referral
REACHED, MISSED, OPEN = "reached", "missed", "open"
# Taken on by the provider: accepted, enrolled or completed; a dropped one only if it had been
# enrolled (a seat taken: the person started). Proposed, rejected, or dropped before enrolment
# (a service point has no enrolment: dropped there never counts) is not reaching.
TAKEN_ON = (S.ACCEPTED.value, S.ENROLLED.value, S.COMPLETED.value)


@dataclass(frozen=True)
class EngagementScope:
    organization_id: uuid.UUID | None  # the referrer; None: every organisation (platform admins)
    cluster_id: uuid.UUID | None  # the referrals made in that cluster only; None: any
    date_from: date
    date_to: date
    as_of: date  # today: a window ended before it is measurable

    def params(self) -> dict[str, Any]:
        def start(day: date) -> datetime:
            return datetime.combine(day, time.min, tzinfo=UTC)

        given = {"org": self.organization_id, "cluster": self.cluster_id}
        return {
            **{key: value for key, value in given.items() if value is not None},
            "start": start(self.date_from),
            "end": start(self.date_to + timedelta(days=1)),
            "as_of": start(self.as_of),
        }


def _in_scope(scope: EngagementScope, alias: str) -> str:
    """The scope's conditions on the referral ``alias`` (only those that apply, so that each
    plan can use the referrer's or the cluster's index)."""
    conditions = ["TRUE"]
    if scope.organization_id is not None:
        conditions.append(f"{alias}.organization_id = :org")
    if scope.cluster_id is not None:
        conditions.append(f"{alias}.cluster_id = :cluster")
    return " AND ".join(conditions)


def _ends(months: int) -> str:
    """The end of a window of ``months`` calendar months after ``first_at``, reckoned in UTC."""
    return f"(first_at AT TIME ZONE 'UTC' + interval '{months} months') AT TIME ZONE 'UTC'"


def _state(months: int) -> str:
    return f"""CASE WHEN reached_at < ends_{months} THEN '{REACHED}'
        WHEN ends_{months} <= :as_of THEN '{MISSED}' ELSE '{OPEN}' END AS state_{months}"""


def _statement(scope: EngagementScope) -> Any:
    longest = max(HORIZONS)
    ends = ", ".join(f"{_ends(months)} AS ends_{months}" for months in HORIZONS)
    states = ", ".join(_state(months) for months in HORIZONS)
    columns = ", ".join(f"state_{months}" for months in HORIZONS)
    taken_on = ", ".join(f"'{status}'" for status in TAKEN_ON)
    sql = f"""
WITH
firsts AS (
    SELECT r.beneficiary_id, min(r.created_at) AS first_at
    FROM referral AS r JOIN service_point AS sp ON sp.id = r.service_point_id
    WHERE {_in_scope(scope, "r")} AND sp.tier = '{Tier.LOW_THRESHOLD.value}'
      AND r.created_at >= :start AND r.created_at < :end
    GROUP BY r.beneficiary_id
),
cohort AS (
    SELECT f.beneficiary_id, f.first_at, {ends}
    FROM firsts AS f
    WHERE NOT EXISTS (
        SELECT 1 FROM referral AS e
        WHERE e.beneficiary_id = f.beneficiary_id AND {_in_scope(scope, "e")}
          AND e.created_at < f.first_at
    )
),
reached AS (
    SELECT c.beneficiary_id, min(r.created_at) AS reached_at
    FROM cohort AS c
    JOIN referral AS r ON r.beneficiary_id = c.beneficiary_id
    LEFT JOIN service_point AS sp ON sp.id = r.service_point_id
    WHERE {_in_scope(scope, "r")}
      AND r.created_at > c.first_at AND r.created_at < c.ends_{longest}
      AND (r.offer_id IS NOT NULL OR sp.tier = '{Tier.STRUCTURED.value}')
      AND (r.status IN ({taken_on})
           OR (r.status = '{S.DROPPED.value}' AND r.enrolled_at IS NOT NULL))
    GROUP BY c.beneficiary_id
),
states AS (
    SELECT {states}
    FROM cohort AS c LEFT JOIN reached AS hit ON hit.beneficiary_id = c.beneficiary_id
)
SELECT {columns}, count(*) AS people FROM states GROUP BY {columns}
"""  # noqa: S608 - fixed fragments; values are bound
    binds = [bindparam(key, type_=DateTime(timezone=True)) for key in ("start", "end", "as_of")]
    binds += [bindparam(key, type_=Uuid) for key in ("org", "cluster") if f":{key}" in sql]
    return text(sql).bindparams(*binds)


async def states(session: AsyncSession, scope: EngagementScope) -> dict[tuple[str, ...], int]:
    """People of the cohort per combination of their states at ``HORIZONS`` (in that order);
    combinations nobody is in are left out."""
    rows = (await session.execute(_statement(scope), scope.params())).all()
    return {tuple(row[:-1]): int(row[-1]) for row in rows}
