"""What the gateway does with the services' events (``POST /internal/events``): keep its copy of
who may see whom, and queue one delivery per event for each subscription of each organisation
that may see it (disabled ones included: theirs wait), in the same transaction as the inbox
record (so an event is queued exactly once, or not at all and delivered again by its relay)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.db import credentials, repository, revocations
from services.gateway.webhooks import audience
from services.gateway.webhooks.catalogue import WebhookEventType
from services.gateway.webhooks.db import deliveries
from services.gateway.webhooks.db.models import beneficiary_access
from services.gateway.webhooks.domain import DeliveryStatus, SubscriptionStatus
from services.gateway.webhooks.queue import QUEUED_KEY
from shared import access_mirror, clock
from shared.contracts import intake
from shared.events import EventEnvelope, EventHandler
from shared.logging import get_logger

_log = get_logger("ponte.webhooks")

# Every type the services send the gateway: the webhook types and intake's access decisions.
CONSUMED = frozenset({*WebhookEventType, intake.ACCESS_CHANGED})


def handlers(access_wait: timedelta) -> dict[str, EventHandler]:
    """``access_wait``: how long an event about a person unknown to the mirror is sent back to
    its relay (which retries) before it is decided as if nobody but the provider may see them."""

    async def on_event(session: AsyncSession, event: EventEnvelope) -> None:
        await queue(session, event, access_wait)
        await _apply_access(session, event.type, event.payload)

    return dict.fromkeys(CONSUMED, on_event)


async def queue(session: AsyncSession, event: EventEnvelope, access_wait: timedelta) -> int:
    """Queue the event for its audience's subscriptions; returns how many deliveries."""
    if not audience.is_webhook_event(event.type):
        return 0  # intake's access decisions: the mirror only
    now = clock.now()
    subject = audience.subject_of(event.type, event.payload)
    access = None
    if subject is not None:
        access = (await access_mirror.load(session, beneficiary_access, [subject])).get(subject)
    try:
        decision = audience.decide(event.type, event.payload, access, now)
    except audience.AccessNotYetKnown:
        if now - event.occurred_at < access_wait:
            raise  # the inbox rolls this event back; its relay sends it again shortly
        _log.warning("webhook_access_unknown", event_id=str(event.id), type=event.type)
        decision = audience.decide(
            event.type, event.payload, access, now, unknown_person_sees_nobody=True
        )
    if decision is None:
        return 0
    if event.type == WebhookEventType.BENEFICIARY_ERASED and decision.beneficiary_id:
        # Like intake's outbox: what was not delivered yet about the person goes; the erasure,
        # ids only, supersedes it.
        await deliveries.drop_pending_about(session, decision.beneficiary_id)
    subscriptions, data = await _subscriptions(session, decision, event.type)
    if not subscriptions:
        return 0
    await deliveries.enqueue(
        session,
        [
            {
                "subscription_id": subscription_id,
                "event_id": event.id,
                "event_type": event.type,
                "occurred_at": event.occurred_at,
                "data": data[organization_id],
                "beneficiary_id": decision.beneficiary_id,
                "status": DeliveryStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now if status == SubscriptionStatus.ACTIVE else None,
                # The retries, the disabling and the log's retention compare these with
                # this process's clock: they come from it too, not from the database's.
                "queued_at": now,
                "created_at": now,
            }
            for subscription_id, organization_id, status in subscriptions
        ],
    )
    session.info[QUEUED_KEY] = True
    return len(subscriptions)


async def _subscriptions(
    session: AsyncSession, decision: audience.Decision, event_type: str
) -> tuple[Sequence[Row[uuid.UUID, uuid.UUID, str]], dict[uuid.UUID, dict[str, Any]]]:
    """The subscriptions to ``event_type`` of the decision's organisations, and each
    organisation's data. Disabled subscriptions too: their deliveries wait, and go once it is
    enabled again (within the log's retention), so that nothing is lost while an endpoint is
    being repaired."""
    if decision.everyone is not None:
        found = await deliveries.subscribers_but(session, decision.everyone.excluded, event_type)
        return found, {organization_id: decision.everyone.data for _, organization_id, _ in found}
    if not decision.recipients:
        return [], {}
    data = {recipient.organization_id: recipient.data for recipient in decision.recipients}
    return await deliveries.subscribers(session, data, event_type), data


async def _apply_access(session: AsyncSession, event_type: str, payload: Mapping[str, Any]) -> None:
    """After the audience was decided: an erasure or merge is announced to whoever could see
    the person until then."""
    if event_type == intake.ACCESS_CHANGED:
        await access_mirror.apply_access_changed(session, beneficiary_access, payload)
    elif event_type == intake.ERASED:
        erased_id = await access_mirror.apply_erased(session, beneficiary_access, payload)
        # The person's app account goes with them: its password hash and sign-ins are theirs,
        # and its refresh tokens (deleted with it) and access tokens must not outlive the record.
        for account_id in await repository.delete_person_accounts(session, erased_id):
            await revocations.revoke(session, str(account_id))
    elif event_type == intake.MERGED:
        merged = await access_mirror.apply_merged(session, beneficiary_access, payload)
        await _follow_merge(session, merged)


async def _follow_merge(session: AsyncSession, merged: intake.BeneficiaryMerged) -> None:
    """A merged record's app account is the survivor's person's: it follows them when they have
    none (its access tokens, whose ``bid`` names the merged record, end; a refresh gives the
    new one), and is closed when they have their own (one account a person; it stays, signed
    out and inactive, in the person's export until they are erased)."""
    account = await repository.person_account(session, merged.merged_id, lock=True)
    if account is None:
        return
    if not await repository.has_person_account(session, merged.survivor_id):
        account.beneficiary_id = merged.survivor_id
        account.version += 1
        account.updated_at = clock.now()
        await session.flush()
        await revocations.revoke(session, str(account.id))
        return
    account.is_active = False
    account.version += 1
    account.updated_at = clock.now()
    await credentials.revoke_user_tokens(session, account.id, account.updated_at)
