"""What pathways does with intake's events: keep its copy of who may see whom and of the little
it needs to know about each person (for caseloads and indicators); on erasure, remove the free
text written about the person and keep the statistics; on merge, repoint the pathways. And with
matching's: a referral moves the action it carries out, when that action is the referrer's own
for the same person (an event's ids came from a request body: they are checked here)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import actions as action_rows
from services.pathways.db import appointments as appointment_rows
from services.pathways.db import copies, people, projects
from services.pathways.db import pathways as pathway_rows
from services.pathways.db import referrals as referral_rows
from services.pathways.db.models import beneficiary_access, beneficiary_grant, idempotency
from services.pathways.domain.actions import ActionStatus, check_transition
from services.pathways.service.urgency import refresh_urgency
from shared import access_mirror, clock
from shared import idempotency as idempotency_records
from shared.access_mirror import Access
from shared.contracts import intake as contract
from shared.contracts import matching as matching_contract
from shared.events import EventEnvelope, EventHandler
from shared.logging import get_logger

_log = get_logger("ponte.pathways.events")


async def on_profile(session: AsyncSession, event: EventEnvelope) -> None:
    changed = contract.BeneficiaryChanged.model_validate(event.payload)
    mirror = await _mirror(session, changed.beneficiary_id)
    if mirror is not None and (mirror.erased or mirror.merged_into is not None):
        return  # a late copy of a record that is gone must not come back
    profile = changed.profile
    await people.upsert(
        session,
        {
            "beneficiary_id": changed.beneficiary_id,
            "organization_id": changed.organization_id,
            "sex": profile.sex,
            "nationality": profile.nationality,
            "birth_year": profile.birth_date.year if profile.birth_date else None,
            "arrival_month": profile.arrival_date.replace(day=1) if profile.arrival_date else None,
            "municipality": profile.municipality,
            "permit_expires_on": profile.permit_expires_on,
            "vulnerability_level": profile.vulnerability_level,
            "updated_at": clock.now(),
        },
    )
    # ILO indicators recorded (or cleared) at intake make the person's open pathways urgent (or
    # no longer, unless a forced-labour violation is open).
    for pathway in await pathway_rows.open_of_person(session, changed.beneficiary_id):
        await refresh_urgency(session, pathway)


async def on_access_changed(session: AsyncSession, event: EventEnvelope) -> None:
    await access_mirror.apply_access_changed(
        session, beneficiary_access, event.payload, beneficiary_grant
    )


async def on_erased(session: AsyncSession, event: EventEnvelope) -> None:
    """Pseudonymise: the pathways stay (ids, stages, cycles, codes, statuses, dates, counts, the
    employment ladder: what the indicators count), every text an operator wrote goes, since an
    operator may type the person's name into any of them: assessments and every step's body,
    action titles and progress notes, recognition details, plan versions' reasons and action
    titles, rights evidence, priority, closing and override reasons, follow-up notes, timeline
    details, stored idempotent answers; and the permit's expiry and the vulnerability level. The
    person's appointments go altogether (no indicator counts them). The staff's user ids stay
    (``assigned_to``, ``created_by``...): they are about the staff, not the person."""
    beneficiary_id = await access_mirror.apply_erased(
        session, beneficiary_access, event.payload, beneficiary_grant
    )
    # Stored answers to idempotent POSTs about the person (step bodies, notes) go too.
    await idempotency_records.forget(
        session, idempotency, [beneficiary_id, *(await people.ids_about(session, beneficiary_id))]
    )
    await people.erase_writing(session, beneficiary_id)
    await appointment_rows.erase(session, beneficiary_id)
    await copies.erase(session, beneficiary_id)


async def on_merged(session: AsyncSession, event: EventEnvelope) -> None:
    """The merged person's pathways, appointments, enrolments and feedback become the survivor's;
    where an organisation has an open pathway for both, the merged one is closed (one open
    pathway per person and organisation)."""
    merged = await access_mirror.apply_merged(
        session, beneficiary_access, event.payload, beneficiary_grant
    )
    await people.merge(session, merged.merged_id, merged.survivor_id, clock.now())
    await appointment_rows.merge(session, merged.merged_id, merged.survivor_id)
    await copies.merge(session, merged.merged_id, merged.survivor_id)
    await projects.merge(session, merged.merged_id, merged.survivor_id)


async def _mirror(session: AsyncSession, beneficiary_id: uuid.UUID) -> Access | None:
    """What pathways' copy of intake's access says of the person (None: not heard of yet)."""
    return (await access_mirror.load(session, beneficiary_access, [beneficiary_id])).get(
        beneficiary_id
    )


async def _erased(session: AsyncSession, beneficiary_id: uuid.UUID) -> bool:
    mirror = await _mirror(session, beneficiary_id)
    return mirror is not None and mirror.erased


async def on_document_changed(session: AsyncSession, event: EventEnvelope) -> None:
    """A document about to expire is a task (``db.tasks``). The ids are intake's own."""
    changed = contract.DocumentChanged.model_validate(event.payload)
    if not await _erased(session, changed.beneficiary_id):  # a late copy stays gone
        await copies.record_document(session, changed)


async def on_transfer_changed(session: AsyncSession, event: EventEnvelope) -> None:
    """A pending transfer is a task of the receiving organisation (``db.tasks``)."""
    changed = contract.TransferChanged.model_validate(event.payload)
    if not await _erased(session, changed.beneficiary_id):
        await copies.record_transfer(session, changed)


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
    # A referral waiting for the provider's answer is a task of the referrer (``db.tasks``).
    await referral_rows.record(session, changed, event.occurred_at.date())
    target = REFERRAL_TO_ACTION.get(changed.status)
    if changed.action_id is None or target is None:
        return
    action = await action_rows.carried_out_by_referral(
        session,
        changed.action_id,
        changed.organization_id,
        changed.beneficiary_id,
        changed.pathway_id,
    )
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
    action_rows.set_status(action, target)
    if changed.offer_id is not None:  # a referral to a service point names no offer
        action.offer_id = changed.offer_id
    action.version += 1
    action.updated_at = clock.now()
    pathway_rows.note_on(
        session,
        action.pathway_id,
        "referral",
        "matching",
        referral_id=str(changed.referral_id),
        status=changed.status,
        action_id=str(action.id),
    )


HANDLERS: dict[str, EventHandler] = {
    matching_contract.REFERRAL_CHANGED: on_referral_changed,
    contract.REGISTERED: on_profile,
    contract.UPDATED: on_profile,
    contract.ACCESS_CHANGED: on_access_changed,
    contract.ERASED: on_erased,
    contract.MERGED: on_merged,
    contract.DOCUMENT_CHANGED: on_document_changed,
    contract.TRANSFER_STATUS_CHANGED: on_transfer_changed,
}
