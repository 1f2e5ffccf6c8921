"""The territorial analysis's statements: each one aggregate over the people living in a
territory (``candidate_profile.territory_code``), the service points and offers within reach,
the skills of both and the referrals to service points, never a row per person to Python.

``:orgs`` is the organisations whose people are counted, or null for every organisation;
``:cluster`` narrows service points and offers to those published to a cluster (null: all)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Date, String, Uuid


@dataclass(frozen=True)
class Scope:
    codes: list[str]  # the territory and every unit under it: where people live
    reach: list[str]  # where service points and offers count as within reach
    orgs: list[uuid.UUID] | None  # whose people; none: everyone's
    cluster: uuid.UUID | None
    date_from: date
    date_to: date

    def params(self) -> dict[str, Any]:
        return {
            "codes": self.codes,
            "reach": self.reach,
            "orgs": self.orgs,
            "cluster": self.cluster,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }


_BINDS = (
    bindparam("codes", type_=ARRAY(String)),
    bindparam("reach", type_=ARRAY(String)),
    bindparam("orgs", type_=ARRAY(Uuid)),
    bindparam("cluster", type_=Uuid),
    bindparam("date_from", type_=Date),
    bindparam("date_to", type_=Date),
)
_PEOPLE = """cp.territory_code = ANY(:codes)
    AND (CAST(:orgs AS uuid[]) IS NULL OR cp.organization_id = ANY(:orgs))"""
_CLUSTERED = """(CAST(:cluster AS uuid) IS NULL
    OR {t}.cluster_ids = '{{}}' OR :cluster = ANY({t}.cluster_ids))"""
_OFFERS = f"""o.status = 'open' AND o.territory_code = ANY(:reach) AND {_CLUSTERED.format(t="o")}
    AND (o.starts_on IS NULL OR o.starts_on <= :date_to)
    AND (o.ends_on IS NULL OR o.ends_on >= :date_from)"""


def _statement(sql: str) -> Any:
    """``sql`` with the types of the scope's parameters it names."""
    return text(sql).bindparams(*(bind for bind in _BINDS if f":{bind.key}" in sql))


# One pass: each person once with need null (everyone in scope), then once per need domain.
_NEEDS = _statement(
    f"""
SELECT need, count(*) AS people
FROM candidate_profile AS cp, unnest(array_prepend(NULL, cp.needs)) AS need
WHERE {_PEOPLE}
GROUP BY need
"""  # noqa: S608 - fixed fragments; values are bound
)

_POINTS = _statement(
    f"""
SELECT need, sp.tier, count(*) AS points
FROM service_point AS sp, unnest(sp.need_domains) AS need
WHERE sp.status = 'active' AND sp.territory_code = ANY(:reach) AND {_CLUSTERED.format(t="sp")}
GROUP BY need, sp.tier
"""  # noqa: S608 - fixed fragments; values are bound
)

_OFFER_TYPES = _statement(
    f"""
SELECT o.type, count(*) AS offers, coalesce(sum(o.seats), 0) AS seats
FROM offer AS o WHERE {_OFFERS} GROUP BY o.type
"""  # noqa: S608 - fixed fragments; values are bound
)

# Per ESCO skill group (``esco_skill_group``: each skill's group one level under the
# hierarchy's roots, e.g. S1 "communication, collaboration and creativity", K07 "engineering...",
# T3 ..., kept at import), the offers demanding and the people holding a skill in it; number 0
# for skills outside the hierarchy. The people's skills come from ``skill_uris`` (derived from
# the profile when it is written) rather than from parsing every profile's JSON here; the pairs
# hash a uuid and an integer, not two texts.
_SKILLS = _statement(
    f"""
WITH
demand AS (
    SELECT number, count(*) AS offers FROM (
        SELECT DISTINCT o.id, coalesce(g.group_number, 0) AS number
        FROM offer AS o CROSS JOIN unnest(o.required_skills) AS skill
        LEFT JOIN esco_skill_group AS g ON g.skill_uri = skill
        WHERE {_OFFERS}
    ) AS pairs GROUP BY number
),
holding AS (
    SELECT number, count(*) AS people FROM (
        SELECT DISTINCT cp.beneficiary_id, coalesce(g.group_number, 0) AS number
        FROM candidate_profile AS cp CROSS JOIN unnest(cp.skill_uris) AS uri
        LEFT JOIN esco_skill_group AS g ON g.skill_uri = uri
        WHERE {_PEOPLE}
    ) AS pairs GROUP BY number
),
numbers AS (SELECT DISTINCT group_number AS number, group_uri FROM esco_skill_group),
counted AS (
    SELECT coalesce(n.group_uri, '') AS group_uri, coalesce(demand.offers, 0) AS offers,
           coalesce(holding.people, 0) AS people
    FROM demand FULL JOIN holding USING (number) LEFT JOIN numbers AS n USING (number)
)
SELECT group_uri, s.code, l.label, offers, people
FROM counted
LEFT JOIN esco_skill AS s ON s.uri = group_uri
LEFT JOIN esco_label AS l ON l.concept_uri = group_uri AND l.language = 'en' AND l.preferred
ORDER BY group_uri
"""  # noqa: S608 - fixed fragments; values are bound
)

_REFERRED = f"""
SELECT r.beneficiary_id, sp.tier, min(r.created_at) AS first_at, count(*) AS referrals
FROM referral AS r
JOIN service_point AS sp ON sp.id = r.service_point_id
JOIN candidate_profile AS cp ON cp.beneficiary_id = r.beneficiary_id
WHERE {_PEOPLE}
  AND (CAST(:orgs AS uuid[]) IS NULL OR r.organization_id = ANY(:orgs))
  AND (CAST(:cluster AS uuid) IS NULL OR r.cluster_id = :cluster)
  AND r.created_at >= :date_from AND r.created_at < :date_to + 1
GROUP BY r.beneficiary_id, sp.tier
"""  # noqa: S608 - fixed fragments; values are bound
# Per tier: referrals and people; per path (the tiers a person was referred to, in the order
# first reached): people. One pass over the referrals.
_TIERS = _statement(
    f"""
WITH referred AS MATERIALIZED ({_REFERRED}),
paths AS (
    SELECT string_agg(tier, '>' ORDER BY first_at, tier) AS path
    FROM referred GROUP BY beneficiary_id
)
SELECT 'tier' AS dimension, tier AS value, sum(referrals) AS referrals, count(*) AS people
FROM referred GROUP BY tier
UNION ALL
SELECT 'path', path, 0, count(*) FROM paths GROUP BY path
"""  # noqa: S608 - fixed fragments; values are bound
)


async def needs(session: AsyncSession, scope: Scope) -> list[Row[Any]]:
    """(need, people): everyone in scope (need none), and per need domain."""
    return list(await session.execute(_NEEDS, scope.params()))


async def points(session: AsyncSession, scope: Scope) -> list[Row[Any]]:
    """(need, tier, points): active service points within reach per need domain and tier."""
    return list(await session.execute(_POINTS, scope.params()))


async def offer_types(session: AsyncSession, scope: Scope) -> list[Row[Any]]:
    """(type, offers, seats): open offers within reach running in the period."""
    return list(await session.execute(_OFFER_TYPES, scope.params()))


async def skill_groups(session: AsyncSession, scope: Scope) -> list[Row[Any]]:
    """(group_uri, code, label, offers, people) per ESCO skill group ('' for skills outside
    the imported hierarchy)."""
    return list(await session.execute(_SKILLS, scope.params()))


async def tiers(session: AsyncSession, scope: Scope) -> list[Row[Any]]:
    """(dimension, value, referrals, people): per ``tier`` the referrals to service points in
    the period and the people referred; per ``path`` the people who took it."""
    return list(await session.execute(_TIERS, scope.params()))


async def cluster_exists(session: AsyncSession, cluster_id: uuid.UUID) -> bool:
    found = await session.scalar(
        text("SELECT EXISTS (SELECT 1 FROM cluster WHERE id = :id)").bindparams(
            bindparam("id", type_=Uuid)
        ),
        {"id": cluster_id},
    )
    return bool(found)


async def plain_plans(session: AsyncSession) -> None:
    """For the rest of the transaction: no JIT (the planner over-estimates the rows of the
    unnested arrays and would spend seconds compiling plans that run in milliseconds); a plan
    for each call's own territory codes, not the generic plan prepared statements switch to
    after five calls (it guesses one row for ``= ANY(:codes)`` and walks 30,000 referrals by
    index); and room for the (person, skill group) pairs, which spill to disk at 4 MB."""
    await session.execute(
        text(
            "SELECT set_config('jit', 'off', true), "
            "set_config('plan_cache_mode', 'force_custom_plan', true), "
            "set_config('work_mem', '32MB', true)"
        )
    )
