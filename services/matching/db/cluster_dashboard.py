"""The cluster dashboard's counts, in one statement: the cluster's referrals (made in it, or made
in no cluster between two of its members, former ones included) counted by referring and
providing organisation and offer type, the people each organisation reached and the outcomes on
each side, and people and outcomes by territory (the people's residence, a municipality rolled up
to its NUTS 3 region). Counts only: no row names a person."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_WORK_MEM = text("SET LOCAL work_mem = '32MB'")
# ix_referral_cluster finds the cluster's referrals; ix_referral_referrer those between members.
_COUNTS = text(
    """
WITH member AS (SELECT organization_id FROM cluster_member WHERE cluster_id = :cluster),
r AS MATERIALIZED (
    SELECT r.beneficiary_id, r.organization_id AS referrer,
           r.provider_organization_id AS provider, r.status, o.type AS offer_type
    FROM referral r JOIN offer o ON o.id = r.offer_id
    WHERE r.cluster_id = :cluster
    UNION ALL
    SELECT r.beneficiary_id, r.organization_id, r.provider_organization_id, r.status, o.type
    FROM referral r JOIN offer o ON o.id = r.offer_id
    WHERE r.cluster_id IS NULL
      AND r.organization_id IN (SELECT organization_id FROM member)
      AND r.provider_organization_id IN (SELECT organization_id FROM member)
),
flow AS (
    SELECT referrer, provider, offer_type, status, count(*) AS referrals
    FROM r GROUP BY referrer, provider, offer_type, status
),
network AS (
    SELECT referrer, provider, offer_type, sum(referrals)::bigint AS referrals
    FROM flow GROUP BY referrer, provider, offer_type
),
outcome AS (
    SELECT referrer AS organization_id, 'as_referrer' AS side, status,
           sum(referrals)::bigint AS referrals
    FROM flow WHERE status IN ('enrolled', 'completed', 'dropped') GROUP BY referrer, status
    UNION ALL
    SELECT provider, 'as_provider', status, sum(referrals)::bigint
    FROM flow WHERE status IN ('enrolled', 'completed', 'dropped') GROUP BY provider, status
),
reach AS (
    SELECT organization_id, count(*) AS people
    FROM (SELECT referrer AS organization_id, beneficiary_id FROM r
          UNION
          SELECT provider, beneficiary_id FROM r) AS reached
    GROUP BY organization_id
),
person AS (
    SELECT beneficiary_id,
           count(*) FILTER (WHERE status = 'enrolled') AS enrolled,
           count(*) FILTER (WHERE status = 'completed') AS completed,
           count(*) FILTER (WHERE status = 'dropped') AS dropped
    FROM r GROUP BY beneficiary_id
),
place AS (
    SELECT coalesce(CASE WHEN t.level = 4 THEN t.parent_code ELSE t.code END,
                    p.territory_code, 'unknown') AS territory_code,
           count(*) AS people,
           sum(person.enrolled)::bigint AS enrolled,
           sum(person.completed)::bigint AS completed,
           sum(person.dropped)::bigint AS dropped
    FROM person
    LEFT JOIN candidate_profile p ON p.beneficiary_id = person.beneficiary_id
    LEFT JOIN territory t ON t.code = p.territory_code
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
    """``network`` (referrer, provider, offer_type, referrals), ``reach`` (organization_id,
    people), ``outcomes`` (organization_id, side, status, referrals) and ``territories``
    (territory_code, people, enrolled, completed, dropped): exact counts, to suppress."""
    # The aggregates hash 100,000 referrals: in memory, not in temporary files.
    await session.execute(_WORK_MEM)
    found = (await session.execute(_COUNTS, {"cluster": cluster_id})).scalar_one()
    document: dict[str, list[dict[str, Any]]] = (
        json.loads(found) if isinstance(found, str) else found
    )
    return document
