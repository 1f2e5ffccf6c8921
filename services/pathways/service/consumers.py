"""What pathways does with intake's events: keep its copy of who may see whom and of the little
it needs to know about each person (for caseloads and indicators); on erasure, remove the free
text written about the person and keep the statistics; on merge, repoint the pathways. And with
matching's: a referral moves the action it carries out, when that action is the referrer's own
for the same person (an event's ids came from a request body: they are checked here)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.models import (
    Action,
    FollowUp,
    Pathway,
    Person,
    PlanVersion,
    RightsViolation,
    Step,
    TimelineEntry,
    beneficiary_access,
    beneficiary_grant,
    idempotency,
)
from services.pathways.domain.actions import ActionStatus, check_transition
from shared import access_mirror
from shared import idempotency as idempotency_records
from shared.contracts import intake as contract
from shared.contracts import matching as matching_contract
from shared.events import EventEnvelope, EventHandler
from shared.logging import get_logger

_log = get_logger("ponte.pathways.events")


async def on_profile(session: AsyncSession, event: EventEnvelope) -> None:
    changed = contract.BeneficiaryChanged.model_validate(event.payload)
    mirror = (await access_mirror.load(session, beneficiary_access, [changed.beneficiary_id])).get(
        changed.beneficiary_id
    )
    if mirror is not None and (mirror.erased or mirror.merged_into is not None):
        return  # a late copy of a record that is gone must not come back
    profile = changed.profile
    values = {
        "beneficiary_id": changed.beneficiary_id,
        "organization_id": changed.organization_id,
        "sex": profile.sex,
        "nationality": profile.nationality,
        "birth_year": profile.birth_date.year if profile.birth_date else None,
        "municipality": profile.municipality,
        "permit_expires_on": profile.permit_expires_on,
        "updated_at": datetime.now(UTC),
    }
    statement = insert(Person).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Person.beneficiary_id],
            set_={key: statement.excluded[key] for key in values if key != "beneficiary_id"},
        )
    )


async def on_access_changed(session: AsyncSession, event: EventEnvelope) -> None:
    await access_mirror.apply_access_changed(
        session, beneficiary_access, event.payload, beneficiary_grant
    )


ERASED = "[erased]"  # in a column that must hold text: it said something, and no longer does
# What stays of each action in a plan version: ids, codes, states and dates (no title).
PLAN_ACTION_KEYS = ("id", "type", "status", "due_date")


async def on_erased(session: AsyncSession, event: EventEnvelope) -> None:
    """Pseudonymise: the pathways stay (ids, stages, cycles, codes, statuses, dates, counts, the
    employment ladder: what the indicators count), every text an operator wrote goes, since an
    operator may type the person's name into any of them: assessments and every step's body,
    action titles and progress notes, recognition details, plan versions' reasons and action
    titles, rights evidence, priority, closing and override reasons, follow-up notes, timeline
    details, stored idempotent answers; and the permit's expiry. The staff's user ids stay
    (``assigned_to``, ``created_by``...): they are about the staff, not the person."""
    beneficiary_id = await access_mirror.apply_erased(
        session, beneficiary_access, event.payload, beneficiary_grant
    )
    pathway_ids = select(Pathway.id).where(Pathway.beneficiary_id == beneficiary_id)
    action_ids = select(Action.id).where(Action.pathway_id.in_(pathway_ids))
    # Stored answers to idempotent POSTs about the person (step bodies, notes) go too.
    await idempotency_records.forget(
        session,
        idempotency,
        [
            beneficiary_id,
            *(await session.scalars(pathway_ids)),
            *(await session.scalars(action_ids)),
        ],
    )
    await session.execute(
        update(Pathway)
        .where(Pathway.beneficiary_id == beneficiary_id)
        .values(priority_reason=None, closing_note=None, override_reason=None)
    )
    await session.execute(update(Step).where(Step.pathway_id.in_(pathway_ids)).values(body={}))
    await session.execute(
        update(Action)
        .where(Action.pathway_id.in_(pathway_ids))
        .values(title=ERASED, progress=None, recognition=None)
    )
    plans = await session.scalars(
        select(PlanVersion).where(PlanVersion.pathway_id.in_(pathway_ids)).with_for_update()
    )
    for plan in plans.all():
        plan.reason = ERASED if plan.reason is not None else None
        plan.actions = [
            {key: action.get(key) for key in PLAN_ACTION_KEYS} for action in plan.actions
        ]
    await session.execute(
        update(RightsViolation)
        .where(RightsViolation.pathway_id.in_(pathway_ids))
        .values(evidence=None)
    )
    await session.execute(
        update(FollowUp).where(FollowUp.pathway_id.in_(pathway_ids)).values(notes=None)
    )
    await session.execute(
        update(TimelineEntry).where(TimelineEntry.pathway_id.in_(pathway_ids)).values(summary={})
    )
    await session.execute(
        update(Person).where(Person.beneficiary_id == beneficiary_id).values(permit_expires_on=None)
    )


async def on_merged(session: AsyncSession, event: EventEnvelope) -> None:
    """The merged person's pathways become the survivor's; where an organisation has an open one
    for both, the merged one is closed (one open pathway per person and organisation)."""
    merged = await access_mirror.apply_merged(
        session, beneficiary_access, event.payload, beneficiary_grant
    )
    survivors_open = select(Pathway.organization_id).where(
        Pathway.beneficiary_id == merged.survivor_id, Pathway.status == "open"
    )
    await session.execute(
        update(Pathway)
        .where(
            Pathway.beneficiary_id == merged.merged_id,
            Pathway.status == "open",
            Pathway.organization_id.in_(survivors_open),
        )
        .values(
            status="closed",
            outcome="other",
            closing_note="merged into another record",
            closed_at=datetime.now(UTC),
            closed_by="system",
        )
    )
    await session.execute(
        update(Pathway)
        .where(Pathway.beneficiary_id == merged.merged_id)
        .values(beneficiary_id=merged.survivor_id)
    )
    await session.execute(delete(Person).where(Person.beneficiary_id == merged.merged_id))


# A referral's progress is the progress of the pathway action it carries out.
REFERRAL_TO_ACTION = {
    "accepted": "in_progress",
    "enrolled": "in_progress",
    "completed": "done",
    "rejected": "failed",
    "dropped": "failed",
}


async def on_referral_changed(session: AsyncSession, event: EventEnvelope) -> None:
    """Moves the action only if it belongs to a pathway of the referral's person run by the
    referring organisation (and, when the referral names one, to that pathway). The ids came from
    the referrer's request: another organisation's action is refused, logged and not applied (a
    refused event must not stall the stream)."""
    changed = matching_contract.ReferralChanged.model_validate(event.payload)
    target = REFERRAL_TO_ACTION.get(changed.status)
    if changed.action_id is None or target is None:
        return
    # The person may since have been merged into the record the pathway now belongs to.
    survivor = select(beneficiary_access.c.merged_into).where(
        beneficiary_access.c.beneficiary_id == changed.beneficiary_id
    )
    statement = (
        select(Action)
        .join(Pathway, Pathway.id == Action.pathway_id)
        .where(
            Action.id == changed.action_id,
            Pathway.organization_id == changed.organization_id,
            or_(
                Pathway.beneficiary_id == changed.beneficiary_id,
                Pathway.beneficiary_id.in_(survivor),
            ),
        )
        .with_for_update(of=Action)
    )
    if changed.pathway_id is not None:
        statement = statement.where(Action.pathway_id == changed.pathway_id)
    action = await session.scalar(statement)
    if action is None:
        _log.warning(
            "referral_action_refused",
            event_id=str(event.id),
            referral_id=str(changed.referral_id),
            action_id=str(changed.action_id),
        )
        return
    if check_transition(ActionStatus(action.status), ActionStatus(target)) is not None:
        return  # already further along (or final): the referral does not move it back
    action.status = target
    action.offer_id = changed.offer_id
    action.version += 1
    action.updated_at = datetime.now(UTC)
    session.add(
        TimelineEntry(
            pathway_id=action.pathway_id,
            kind="referral",
            summary={
                "referral_id": str(changed.referral_id),
                "status": changed.status,
                "action_id": str(action.id),
            },
            actor="matching",
        )
    )


HANDLERS: dict[str, EventHandler] = {
    matching_contract.REFERRAL_CHANGED: on_referral_changed,
    contract.REGISTERED: on_profile,
    contract.UPDATED: on_profile,
    contract.ACCESS_CHANGED: on_access_changed,
    contract.ERASED: on_erased,
    contract.MERGED: on_merged,
}
