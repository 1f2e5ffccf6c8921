"""The cluster dashboard's counts, read from its read model (``db/dashboard_tables.py``, kept by
the triggers of migration 0015) in one statement of a few hundred rows: the cluster's referrals
(made in it, or made in no cluster between two of its members, former ones included) counted by
referring and providing organisation and target type, the people each organisation reached and
the outcomes on each side, and people and outcomes by territory (the people's residence, a
municipality rolled up to its NUTS 3 region). Counts only: no row names a person.

A referral to a service point counts like one to an offer, under ``offer_type`` null and its
point's ``service_point_kind`` (an offer's ``service_point_kind`` is null); both are read here, so
that a later change of an offer's type or of a point's kind shows at once."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Every table is read by its primary key's prefix (cluster_id); zero counters are skipped.
_COUNTS = text(
    """
WITH network AS (
    SELECT n.referrer_id AS referrer, n.provider_id AS provider, o.type AS offer_type,
           sp.kind AS service_point_kind, sum(n.referrals)::bigint AS referrals
    FROM cluster_dashboard_network n
    LEFT JOIN offer o ON o.id = n.target_id AND NOT n.to_service_point
    LEFT JOIN service_point sp ON sp.id = n.target_id AND n.to_service_point
    WHERE n.cluster_id = :cluster AND n.referrals <> 0
    GROUP BY 1, 2, 3, 4
),
reach AS (
    SELECT organization_id, people FROM cluster_dashboard_reach
    WHERE cluster_id = :cluster AND people <> 0
),
outcome AS (
    SELECT organization_id, side, status, referrals FROM cluster_dashboard_outcome
    WHERE cluster_id = :cluster AND referrals <> 0
),
place AS (
    SELECT coalesce(CASE WHEN t.level = 4 THEN t.parent_code ELSE t.code END,
                    nullif(p.territory_code, ''), 'unknown') AS territory_code,
           sum(p.people)::bigint AS people,
           sum(p.enrolled)::bigint AS enrolled,
           sum(p.completed)::bigint AS completed,
           sum(p.dropped)::bigint AS dropped
    FROM cluster_dashboard_place p
    LEFT JOIN territory t ON t.code = p.territory_code
    WHERE p.cluster_id = :cluster AND p.people <> 0
    GROUP BY 1
)
SELECT json_build_object(
    'network', (SELECT coalesce(json_agg(network), '[]'::json) FROM network),
    'reach', (SELECT coalesce(json_agg(reach), '[]'::json) FROM reach),
    'outcomes', (SELECT coalesce(json_agg(outcome), '[]'::json) FROM outcome),
    'territories', (SELECT coalesce(json_agg(place), '[]'::json) FROM place)
) AS counts
"""
)


async def counts(session: AsyncSession, cluster_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """``network`` (referrer, provider, offer_type, service_point_kind, referrals), ``reach``
    (organization_id, people), ``outcomes`` (organization_id, side, status, referrals) and
    ``territories`` (territory_code, people, enrolled, completed, dropped): exact counts, to
    suppress."""
    found = (await session.execute(_COUNTS, {"cluster": cluster_id})).scalar_one()
    document: dict[str, list[dict[str, Any]]] = (
        json.loads(found) if isinstance(found, str) else found
    )
    return document
