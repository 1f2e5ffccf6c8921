"""A territory's profile values, and the figures Ponte computes for a territory from its own
tables (service points, offers, people), each one aggregate statement."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import String

from services.matching.db.cluster_tables import Cluster, TerritoryProfile

_CODES = bindparam("codes", type_=ARRAY(String))


async def add(session: AsyncSession, values: list[TerritoryProfile]) -> None:
    session.add_all(values)
    await session.flush()


async def values(session: AsyncSession, code: str, *, history: bool) -> list[TerritoryProfile]:
    """The territory's values by variable, the latest reference year first (and the latest
    entered for a year); only each variable's latest unless ``history``."""
    order = (
        TerritoryProfile.variable,
        TerritoryProfile.reference_year.desc(),
        TerritoryProfile.created_at.desc(),
        TerritoryProfile.id,
    )
    statement = select(TerritoryProfile).where(TerritoryProfile.territory_code == code)
    if not history:
        statement = statement.ext(distinct_on(TerritoryProfile.variable))
    return list(await session.scalars(statement.order_by(*order)))


async def coordinated_territories(session: AsyncSession, cluster_ids: list[uuid.UUID]) -> list[str]:
    """The territory codes of these clusters (their roots, not the units under them)."""
    if not cluster_ids:
        return []
    found = await session.scalars(
        select(Cluster.territory_codes).where(Cluster.id.in_(cluster_ids))
    )
    return sorted({code for codes in found for code in codes})


_SERVICE_POINTS = text(
    """
SELECT kind, count(*) AS points,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY nearest) AS median_minutes
FROM (
    SELECT sp.kind,
           (SELECT min((hub->>'minutes')::numeric)
            FROM jsonb_array_elements(sp.transport_access) AS hub
            WHERE jsonb_typeof(hub->'minutes') = 'number') AS nearest
    FROM service_point AS sp
    WHERE sp.status = 'active' AND sp.territory_code = ANY(:codes)
) AS points
GROUP BY ROLLUP (kind)
"""
).bindparams(_CODES)

_OFFERS = text(
    """
SELECT type, count(*) AS offers, coalesce(sum(seats), 0) AS seats,
       coalesce(sum(greatest(seats - seats_taken, 0)), 0) AS seats_left
FROM offer WHERE status = 'open' AND territory_code = ANY(:codes)
GROUP BY type ORDER BY type
"""
).bindparams(_CODES)

_PEOPLE = text(
    """
WITH people AS (SELECT needs FROM candidate_profile WHERE territory_code = ANY(:codes))
SELECT NULL AS need, count(*) AS people FROM people
UNION ALL
SELECT need, count(*) FROM people, unnest(people.needs) AS need GROUP BY need
"""
).bindparams(_CODES)


async def service_points(session: AsyncSession, codes: list[str]) -> list[Row[Any]]:
    """(kind, points, median minutes from the nearest hub) per kind, and a total row whose
    kind is none."""
    return list(await session.execute(_SERVICE_POINTS, {"codes": codes}))


async def offers(session: AsyncSession, codes: list[str]) -> list[Row[Any]]:
    """(type, offers, seats, seats_left) of the open offers placed in ``codes``."""
    return list(await session.execute(_OFFERS, {"codes": codes}))


async def people(session: AsyncSession, codes: list[str]) -> list[Row[Any]]:
    """(need, people): the people living in ``codes`` (need none) and per need domain."""
    return list(await session.execute(_PEOPLE, {"codes": codes}))
