"""Participants' answers to the short questionnaire after an action (did the support help their
integration, how satisfied they are): the result indicator of the fund needs them. Recorded by
the organisation running the pathway, or answered by the person in the self-service app on one of
their own open pathways."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import actions as action_rows
from services.pathways.db import pathways as pathway_rows
from services.pathways.db import projects as repository
from services.pathways.db.funding_models import ParticipantFeedback
from services.pathways.db.models import Pathway
from services.pathways.domain.funds import FeedbackSource
from services.pathways.errors import InvalidField, PathwayNotFound
from services.pathways.schemas.projects import FeedbackCreate
from services.pathways.service.pathways import visible, workable
from shared import clock
from shared.auth import Principal


async def _record(
    session: AsyncSession,
    pathway: Pathway,
    body: FeedbackCreate,
    source: FeedbackSource,
    recorded_by: str,
) -> ParticipantFeedback:
    if body.action_id is not None and (
        await action_rows.find(session, pathway.id, body.action_id) is None
    ):
        raise InvalidField("action_id", "is not an action of this pathway")
    today = clock.now().date()
    answered_on = body.answered_on or today
    if answered_on > today:
        raise InvalidField("answered_on", "is in the future")
    feedback = ParticipantFeedback(
        id=uuid.uuid4(),
        pathway_id=pathway.id,
        beneficiary_id=pathway.beneficiary_id,
        organization_id=pathway.organization_id,
        action_id=body.action_id,
        helped_integration=body.helped_integration.value,
        satisfaction=body.satisfaction,
        answered_on=answered_on,
        source=source.value,
        recorded_by=recorded_by,
        created_at=clock.now(),
    )
    session.add(feedback)
    await session.flush()
    return feedback


async def recorded(
    session: AsyncSession, principal: Principal, pathway_id: uuid.UUID, body: FeedbackCreate
) -> ParticipantFeedback:
    """The person's answer, recorded by the organisation running the pathway."""
    pathway = await workable(session, principal, pathway_id)
    return await _record(session, pathway, body, FeedbackSource.OPERATOR, principal.subject)


async def answered(
    session: AsyncSession,
    principal: Principal,
    person: uuid.UUID,
    pathway_id: uuid.UUID,
    body: FeedbackCreate,
) -> ParticipantFeedback:
    """The person's own answer, in the app, on one of their open pathways (else 404)."""
    pathway = next(
        (own for own in await pathway_rows.own_open(session, person) if own.id == pathway_id),
        None,
    )
    if pathway is None:
        raise PathwayNotFound()
    return await _record(session, pathway, body, FeedbackSource.SELF_SERVICE, principal.subject)


async def of_pathway(
    session: AsyncSession, principal: Principal, pathway_id: uuid.UUID
) -> list[ParticipantFeedback]:
    """The answers on a pathway the caller may see."""
    pathway = await visible(session, principal, pathway_id)
    return await repository.feedback_of(session, pathway.id)
