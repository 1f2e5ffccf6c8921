"""The commitments repository: every statement on ``cluster_commitment``, and what each one
delivered, measured over offers and referrals in one statement for any number of commitments
(``domain/commitments`` says what each kind counts)."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import pages
from services.matching.db.cluster_tables import Commitment

# What each commitment ``c`` delivered, for every commitment at once (``{where}`` picks them):
# an offer counts when it is the pledger's, published (not a draft) to the commitment's cluster or
# to every cluster, of the pledged type when one is named, starting in the period (created in it
# when it names no start); a referral to the pledger's offers counts when it was made in the
# cluster, or in none to an offer that counts for it, and made the measured move in the period.
# The moves are the referral's ``enrolled_at`` and ``answered_at`` (kept with its history).
_DELIVERED = """
WITH c AS (
    SELECT id, cluster_id, organization_id, kind, offer_type, period_start, period_end
    FROM cluster_commitment WHERE {where}
),
o AS (
    SELECT id, organization_id, type, seats, status, cluster_ids,
           coalesce(starts_on, (created_at AT TIME ZONE 'UTC')::date) AS starts
    FROM offer WHERE organization_id IN (SELECT organization_id FROM c)
),
offered AS (
    SELECT c.id, sum(o.seats) AS seats, count(*) AS offers
    FROM c JOIN o ON o.organization_id = c.organization_id
    WHERE c.kind IN ('seats_offered', 'offers_published')
      AND o.status <> 'draft'
      AND (cardinality(o.cluster_ids) = 0 OR c.cluster_id = ANY(o.cluster_ids))
      AND (c.offer_type IS NULL OR o.type = c.offer_type)
      AND o.starts BETWEEN c.period_start AND c.period_end
    GROUP BY c.id
),
answered AS MATERIALIZED (
    SELECT r.provider_organization_id AS organization_id, r.cluster_id, o.type, o.cluster_ids,
           (r.answered_at AT TIME ZONE 'UTC')::date AS answered_on,
           (r.enrolled_at AT TIME ZONE 'UTC')::date AS enrolled_on
    FROM referral r JOIN o ON o.id = r.offer_id
    WHERE r.provider_organization_id IN (
            SELECT organization_id FROM c WHERE kind IN ('seats_filled', 'referrals_answered'))
      AND (r.answered_at IS NOT NULL OR r.enrolled_at IS NOT NULL)
),
referred AS (
    SELECT c.id, count(*) AS referrals
    FROM c JOIN answered m ON m.organization_id = c.organization_id
    WHERE c.kind IN ('seats_filled', 'referrals_answered')
      AND (c.offer_type IS NULL OR m.type = c.offer_type)
      AND (m.cluster_id = c.cluster_id OR (m.cluster_id IS NULL
           AND (cardinality(m.cluster_ids) = 0 OR c.cluster_id = ANY(m.cluster_ids))))
      AND CASE c.kind WHEN 'seats_filled' THEN m.enrolled_on ELSE m.answered_on END
          BETWEEN c.period_start AND c.period_end
    GROUP BY c.id
)
SELECT c.id, CASE c.kind
    WHEN 'seats_offered' THEN coalesce(offered.seats, 0)
    WHEN 'offers_published' THEN coalesce(offered.offers, 0)
    WHEN 'seats_filled' THEN coalesce(referred.referrals, 0)
    WHEN 'referrals_answered' THEN coalesce(referred.referrals, 0)
    END AS delivered
FROM c
LEFT JOIN offered ON offered.id = c.id
LEFT JOIN referred ON referred.id = c.id
"""
_OF_IDS = text(_DELIVERED.format(where="id = ANY(:ids)"))
_OF_CLUSTER = text(_DELIVERED.format(where="cluster_id = :cluster"))


async def delivered(
    session: AsyncSession,
    *,
    ids: Collection[uuid.UUID] | None = None,
    cluster_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, int | None]:
    """What each commitment (of ``ids``, or every one of ``cluster_id``) delivered; None for a
    kind nothing in Ponte measures."""
    if ids is not None:
        rows = await session.execute(_OF_IDS, {"ids": list(ids)})
    else:
        rows = await session.execute(_OF_CLUSTER, {"cluster": cluster_id})
    return {row.id: (int(row.delivered) if row.delivered is not None else None) for row in rows}


async def get(
    session: AsyncSession, cluster_id: uuid.UUID, commitment_id: uuid.UUID, *, lock: bool = False
) -> Commitment | None:
    statement = select(Commitment).where(
        Commitment.cluster_id == cluster_id, Commitment.id == commitment_id
    )
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    commitment: Commitment | None = await session.scalar(statement)
    return commitment


async def page(
    session: AsyncSession,
    cluster_id: uuid.UUID,
    *,
    organization_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Commitment], str | None]:
    statement = select(Commitment).where(Commitment.cluster_id == cluster_id)
    if organization_id is not None:
        statement = statement.where(Commitment.organization_id == organization_id)
    return await pages.page(session, statement, (Commitment.id,), cursor, limit)


async def of_cluster(session: AsyncSession, cluster_id: uuid.UUID) -> list[Commitment]:
    found = await session.scalars(
        select(Commitment)
        .where(Commitment.cluster_id == cluster_id)
        .order_by(Commitment.organization_id, Commitment.period_start, Commitment.id)
    )
    return list(found)


async def add(session: AsyncSession, commitment: Commitment) -> None:
    session.add(commitment)
    await session.flush()


async def flush(session: AsyncSession) -> None:
    await session.flush()
