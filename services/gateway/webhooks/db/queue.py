"""The delivery queue in the database: claiming due deliveries, recording what an attempt
gave, the subscriptions' health, and the log's retention. The worker (``delivery``) drives it.

Claims are short transactions (``FOR UPDATE SKIP LOCKED``: replicas never take the same row) that
move each row's ``next_attempt_at`` a lease into the future and count the attempt; the outcome is
recorded in another short one, compare-and-set on the attempt number, so a late outcome of a
lease that expired changes nothing but the attempt log.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    DateTime,
    Integer,
    Row,
    Select,
    SmallInteger,
    String,
    Uuid,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.gateway.webhooks.db.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from services.gateway.webhooks.domain import DeliveryStatus, SubscriptionStatus
from services.gateway.webhooks.queue import Claim, DeliveryPolicy, Outcome
from shared import clock
from shared.logging import get_logger

_log = get_logger("ponte.webhooks")
LEASE_MARGIN_SECONDS = 30.0
D, S = WebhookDelivery, WebhookSubscription


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    policy: DeliveryPolicy,
    limit: int,
    busy: Collection[uuid.UUID] = (),
) -> list[Claim]:
    """Take up to ``limit`` due deliveries of active subscriptions, at most
    ``per_subscription`` each, none of the ``busy`` subscriptions (in flight in this replica)."""
    if limit <= 0:
        return []
    now = clock.now()
    lease = timedelta(seconds=policy.timeout_seconds + LEASE_MARGIN_SECONDS)
    locked = _due(policy, limit, busy, now)
    async with sessions() as session, session.begin():
        rows = (
            await session.execute(
                update(D)
                .where(D.id.in_(locked.scalar_subquery()))
                .values(attempts=D.attempts + 1, next_attempt_at=now + lease)
                .returning(
                    D.id,
                    D.subscription_id,
                    D.attempts,
                    D.event_id,
                    D.event_type,
                    D.occurred_at,
                    D.data,
                    D.queued_at,
                )
            )
        ).all()
        if not rows:
            return []
        subscriptions = {
            row.id: row
            for row in await session.execute(
                select(
                    S.id,
                    S.url,
                    S.secret,
                    S.previous_secret,
                    S.previous_secret_expires_at,
                    S.organization_id,
                    S.payload,
                ).where(S.id.in_({row.subscription_id for row in rows}))
            )
        }
    return _claims(rows, subscriptions, now)


def _due(
    policy: DeliveryPolicy, limit: int, busy: Collection[uuid.UUID], now: datetime
) -> Select[uuid.UUID]:
    """The ids to claim, locked: the oldest due, ``per_subscription`` at most each."""
    # Disabled subscriptions' deliveries have no next_attempt_at (they wait to be enabled);
    # the join keeps them out even if one slipped through.
    due = (
        select(D.id, D.subscription_id, D.next_attempt_at)
        .join(S, S.id == D.subscription_id)
        .where(
            D.status == DeliveryStatus.PENDING,
            D.next_attempt_at <= now,
            S.status == SubscriptionStatus.ACTIVE,
        )
        .order_by(D.next_attempt_at)
        .limit(max(limit * 10, 100))
    )
    if busy:
        due = due.where(D.subscription_id.not_in(list(busy)))
    due_rows = due.subquery()
    ranked = select(
        due_rows.c.id,
        func.row_number()
        .over(partition_by=due_rows.c.subscription_id, order_by=due_rows.c.next_attempt_at)
        .label("rank"),
    ).subquery()
    locked = (
        select(D.id)
        .where(
            D.id.in_(select(ranked.c.id).where(ranked.c.rank <= policy.per_subscription)),
            D.status == DeliveryStatus.PENDING,
            D.next_attempt_at <= now,
        )
        .order_by(D.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return locked


def _claims(rows: Sequence[Row[Any]], subscriptions: dict[Any, Any], now: datetime) -> list[Claim]:
    """Each claimed row with its subscription's URL and the secrets that sign now."""
    claims = []
    for row in rows:
        subscription = subscriptions[row.subscription_id]
        secrets_in_use = [subscription.secret]
        expires = subscription.previous_secret_expires_at
        if subscription.previous_secret and expires is not None and expires > now:
            secrets_in_use.append(subscription.previous_secret)
        claims.append(
            Claim(
                delivery_id=row.id,
                subscription_id=row.subscription_id,
                attempt=row.attempts,
                event_id=row.event_id,
                event_type=row.event_type,
                occurred_at=row.occurred_at,
                data=row.data,
                queued_at=row.queued_at,
                url=subscription.url,
                secrets=tuple(secrets_in_use),
                organization_id=subscription.organization_id,
                payload=subscription.payload,
            )
        )
    return claims


async def record(
    sessions: async_sessionmaker[AsyncSession],
    policy: DeliveryPolicy,
    claim: Claim,
    outcome: Outcome,
) -> None:
    """The attempt's outcome: delivered, retried later, or given up; the subscription's health."""
    now = clock.now()
    values: dict[str, Any] = {
        "last_attempt_at": now,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
    }
    if outcome.success:
        values.update(status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif now - claim.queued_at > policy.disable_after:
        values.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    else:
        delay = policy.retry_delay(claim.attempt)
        values.update(next_attempt_at=now + timedelta(seconds=delay))
    async with sessions() as session, session.begin():
        await session.execute(
            update(D)
            .where(
                D.id == claim.delivery_id,
                D.attempts == claim.attempt,
                D.status == DeliveryStatus.PENDING,
            )
            .values(**values)
        )
        # Logged unless the delivery is gone meanwhile (its subscription deleted, the person
        # erased): the attempt's row would have nothing to belong to.
        await session.execute(
            insert(WebhookAttempt).from_select(
                ["delivery_id", "attempted_at", "status_code", "error", "duration_ms"],
                select(
                    literal(claim.delivery_id, Uuid),
                    literal(now, DateTime(timezone=True)),
                    literal(outcome.status_code, SmallInteger),
                    literal(outcome.error, String),
                    literal(outcome.duration_ms, Integer),
                ).where(exists().where(D.id == claim.delivery_id)),
            )
        )
        await _health(session, policy, claim, outcome, now)
    _log.info(
        "webhook_attempted",
        delivery_id=str(claim.delivery_id),
        subscription_id=str(claim.subscription_id),
        attempt=claim.attempt,
        status_code=outcome.status_code,
        error=outcome.error,
        duration_ms=outcome.duration_ms,
    )


async def _health(
    session: AsyncSession, policy: DeliveryPolicy, claim: Claim, outcome: Outcome, now: datetime
) -> None:
    """A success ends the subscription's run of failures; a failure starts one, or, when the
    run is older than ``disable_after``, disables the subscription with the reason."""
    if outcome.success:
        await session.execute(
            update(S)
            .where(S.id == claim.subscription_id, S.failing_since.is_not(None))
            .values(failing_since=None)
        )
        return
    await session.execute(
        update(S)
        .where(S.id == claim.subscription_id, S.failing_since.is_(None))
        .values(failing_since=now)
    )
    since = await session.scalar(
        select(S.failing_since).where(
            S.id == claim.subscription_id, S.status == SubscriptionStatus.ACTIVE
        )
    )
    if since is None or now - since <= policy.disable_after:
        return
    days = policy.disable_after.total_seconds() / 86400
    reason = (
        f"Disabled automatically: every delivery failed for more than {days:g} days "
        f"(since {since:%Y-%m-%d %H:%M} UTC); last error: {outcome.error}."
    )
    await session.execute(
        update(S)
        .where(S.id == claim.subscription_id)
        .values(
            status=SubscriptionStatus.DISABLED,
            disabled_at=now,
            disabled_reason=reason[:300],
            version=S.version + 1,
            updated_at=now,
        )
    )
    await hold(session, claim.subscription_id)
    _log.warning("webhook_subscription_disabled", subscription_id=str(claim.subscription_id))


async def purge(sessions: async_sessionmaker[AsyncSession], retention: timedelta) -> int:
    """Forget deliveries older than the log's retention: finished ones, and those still
    waiting for a subscription that stayed disabled all that time."""
    cutoff = clock.now() - retention
    disabled = select(S.id).where(S.status == SubscriptionStatus.DISABLED)
    async with sessions() as session, session.begin():
        result = await session.execute(
            delete(D).where(
                D.created_at < cutoff,
                or_(D.status != DeliveryStatus.PENDING, D.subscription_id.in_(disabled)),
            )
        )
    return cast(CursorResult[Any], result).rowcount


async def hold(session: AsyncSession, subscription_id: uuid.UUID) -> None:
    """A disabled subscription's pending deliveries wait, unscheduled, until it is enabled."""
    await session.execute(
        update(D)
        .where(D.subscription_id == subscription_id, D.status == DeliveryStatus.PENDING)
        .values(next_attempt_at=None)
    )
