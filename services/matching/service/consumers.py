"""What matching does with intake's events: its copy of who may see whom, and its read model of
each person's matching-relevant profile (removed on erasure, repointed on merge); with pathways':
the priority need, and whose each pathway is (a referral may name only the referrer's own)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import indexes, pathways, people
from services.matching.db.models import beneficiary_access, beneficiary_grant, idempotency
from services.matching.service import territories, withdrawals
from services.matching.service.skill_readings import SkillReader
from shared import access_mirror
from shared import idempotency as idempotency_records
from shared.contracts import intake as contract
from shared.contracts import pathways as pathways_contract
from shared.events import EventEnvelope, EventHandler


async def on_profile(session: AsyncSession, event: EventEnvelope, reader: SkillReader) -> None:
    changed = contract.BeneficiaryChanged.model_validate(event.payload)
    known = await access_mirror.load(session, beneficiary_access, [changed.beneficiary_id])
    mirror = known.get(changed.beneficiary_id)
    if mirror is not None and (mirror.erased or mirror.merged_into is not None):
        return  # a late copy of a record that is gone must not come back
    profile = changed.profile
    await people.save_profile(
        session,
        changed.beneficiary_id,
        changed.organization_id,
        profile.model_dump(mode="json"),
        # The code intake checked, else the municipality's where its name is unambiguous.
        territory_code=profile.territory_code
        or await territories.code_for(session, None, profile.municipality),
        needs=list(profile.needs),
        skill_reading=await reader.read(
            session, [skill.label for skill in profile.skills if not skill.uri]
        ),
    )


async def on_access_changed(session: AsyncSession, event: EventEnvelope) -> None:
    """The copy of who may see the person; then the person's referrals that may no longer show
    them end (their consent to matching ended, or the referrer no longer sees them)."""
    await access_mirror.apply_access_changed(
        session, beneficiary_access, event.payload, beneficiary_grant
    )
    changed = contract.AccessChanged.model_validate(event.payload)
    await withdrawals.end_unseen(session, [changed.beneficiary_id])


async def on_pathway(session: AsyncSession, event: EventEnvelope) -> None:
    """Whose the pathway is, from any of its events (so a pathway opened before matching kept
    this read model becomes known at its next step). A pathway changes person only by a merge,
    which ``on_merged`` repoints: a late event does not undo that."""
    pathway = pathways_contract.PathwayEvent.model_validate(event.payload)
    await pathways.remember(
        session, pathway.pathway_id, pathway.beneficiary_id, pathway.organization_id
    )


async def on_step_recorded(session: AsyncSession, event: EventEnvelope) -> None:
    """An assessment sets the person's priority need, which weighs offers (a language need lifts
    language courses). A step without one leaves it."""
    await on_pathway(session, event)
    step = pathways_contract.StepRecorded.model_validate(event.payload)
    if step.priority_need is None:
        return
    await people.set_priority_need(session, step.beneficiary_id, step.priority_need)


async def on_erased(session: AsyncSession, event: EventEnvelope) -> None:
    """The read model goes; the referrals stay for seats and outcomes, ended and without any
    text (``withdrawals.erase``); stored answers to idempotent POSTs naming the person or their
    referrals (a referral carries the card) go too."""
    beneficiary_id = await access_mirror.apply_erased(
        session, beneficiary_access, event.payload, beneficiary_grant
    )
    await people.delete_profile(session, beneficiary_id)
    referral_ids = await withdrawals.erase(session, beneficiary_id)
    await idempotency_records.forget(session, idempotency, [beneficiary_id, *referral_ids])


async def on_merged(session: AsyncSession, event: EventEnvelope) -> None:
    merged = await access_mirror.apply_merged(
        session, beneficiary_access, event.payload, beneficiary_grant
    )
    await people.delete_profile(session, merged.merged_id)
    await pathways.repoint(session, merged.merged_id, merged.survivor_id)
    await withdrawals.repoint_merged(session, merged.merged_id, merged.survivor_id)


def _moves_people(handler: EventHandler) -> EventHandler:
    """Every event here changes what the candidates' index of people reads."""

    async def handle(session: AsyncSession, event: EventEnvelope) -> None:
        await handler(session, event)
        await indexes.bump_revision(session, indexes.PEOPLE)

    return handle


def handlers(reader: SkillReader) -> dict[str, EventHandler]:
    """The handlers, reading free-text skills with ``reader`` (the app's indexes' taxonomy)."""

    async def profile_changed(session: AsyncSession, event: EventEnvelope) -> None:
        await on_profile(session, event, reader)

    return {
        **{
            event_type: _moves_people(handler)
            for event_type, handler in {
                pathways_contract.STEP_RECORDED: on_step_recorded,
                contract.REGISTERED: profile_changed,
                contract.UPDATED: profile_changed,
                contract.ACCESS_CHANGED: on_access_changed,
                contract.ERASED: on_erased,
                contract.MERGED: on_merged,
            }.items()
        },
        # Whose a pathway is: nothing the candidates' index reads.
        pathways_contract.OPENED: on_pathway,
        pathways_contract.CLOSED: on_pathway,
    }
