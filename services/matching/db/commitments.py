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

# An offer counts for the commitment ``c``: the pledger's, published (not a draft), published to
# the commitment's cluster or to every cluster, of the pledged type when one is named.
_OFFER_COUNTS = """
    o.organization_id = c.organization_id
    AND o.status <> 'draft'
    AND (cardinality(o.cluster_ids) = 0 OR c.cluster_id = ANY(o.cluster_ids))
    AND (c.offer_type IS NULL OR o.type = c.offer_type)
"""
_OFFER_IN_PERIOD = """
    AND coalesce(o.starts_on, (o.created_at AT TIME ZONE 'UTC')::date)
        BETWEEN c.period_start AND c.period_end
"""
# A referral to the pledger's offers counts for the commitment's cluster: made in it, or made in no
# cluster to an offer that counts for it; ``:moves`` is the moves counted, made in the period.
_REFERRALS = """
    (SELECT count(*) FROM referral r JOIN offer o ON o.id = r.offer_id
     WHERE r.provider_organization_id = c.organization_id
       AND (c.offer_type IS NULL OR o.type = c.offer_type)
       AND (r.cluster_id = c.cluster_id OR (r.cluster_id IS NULL
            AND (cardinality(o.cluster_ids) = 0 OR c.cluster_id = ANY(o.cluster_ids))))
       AND EXISTS (
           SELECT 1 FROM jsonb_array_elements(r.history) AS move
           WHERE move->>'status' IN ({moves})
             AND ((move->>'at')::timestamptz AT TIME ZONE 'UTC')::date
                 BETWEEN c.period_start AND c.period_end))
"""
_DELIVERED = f"""
SELECT c.id, CASE c.kind
    WHEN 'seats_offered' THEN
        (SELECT coalesce(sum(o.seats), 0) FROM offer o WHERE {_OFFER_COUNTS} {_OFFER_IN_PERIOD})
    WHEN 'offers_published' THEN
        (SELECT count(*) FROM offer o WHERE {_OFFER_COUNTS} {_OFFER_IN_PERIOD})
    WHEN 'seats_filled' THEN {_REFERRALS.format(moves="'enrolled'")}
    WHEN 'referrals_answered' THEN {_REFERRALS.format(moves="'accepted', 'rejected'")}
    END AS delivered
FROM cluster_commitment c
"""  # noqa: S608 - built from the constants above, never from input


async def delivered(
    session: AsyncSession,
    *,
    ids: Collection[uuid.UUID] | None = None,
    cluster_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, int | None]:
    """What each commitment (of ``ids``, or every one of ``cluster_id``) delivered; None for a
    kind nothing in Ponte measures."""
    if ids is not None:
        rows = await session.execute(
            text(_DELIVERED + " WHERE c.id = ANY(:ids)"), {"ids": list(ids)}
        )
    else:
        rows = await session.execute(
            text(_DELIVERED + " WHERE c.cluster_id = :cluster"), {"cluster": cluster_id}
        )
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
