"""Monitor: a follow-up meeting with progress per action, a change of employment, the next date."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import actions as action_rows
from services.pathways.db.models import Pathway
from services.pathways.domain.actions import ActionStatus, check_transition
from services.pathways.domain.loop import MONITORING_INTERVAL
from services.pathways.errors import InvalidField
from services.pathways.schemas.steps import MonitoringCreate
from services.pathways.service.pathways import (
    identity,
    publish,
    record_employment,
    refresh_action_due,
)
from services.pathways.service.steps import actions
from shared import clock
from shared.auth import Principal
from shared.contracts import pathways as contract


async def _progress(session: AsyncSession, pathway: Pathway, body: MonitoringCreate) -> None:
    for index, item in enumerate(body.progress):
        action = await actions.named_in_body(
            session, pathway, item.action_id, f"progress.{index}.action_id"
        )
        if item.status is not None:
            problem = check_transition(ActionStatus(action.status), item.status)
            if problem:
                raise InvalidField(f"progress.{index}.status", problem)
            action_rows.set_status(action, item.status.value)
        if item.note is not None:
            action.progress = item.note
        action.version += 1
        action.updated_at = clock.now()


async def monitor(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    body: MonitoringCreate,
    today: date,
) -> dict[str, Any]:
    held_on = body.date or today
    if held_on > today:
        raise InvalidField("date", "is in the future")
    await _progress(session, pathway, body)
    placed = False
    if body.job is not None and body.employment_status is None:
        raise InvalidField("job", "describes the job an employment_status enters: send both")
    if body.employment_status is not None:
        job = body.job.model_dump(exclude_none=True) if body.job else None
        placed = await record_employment(
            session, pathway, body.employment_status, held_on, principal.subject, job
        )
    next_due = body.next_follow_up or held_on + MONITORING_INTERVAL
    if next_due <= held_on:
        raise InvalidField("next_follow_up", "must come after the follow-up")
    pathway.next_monitoring_due = next_due
    await refresh_action_due(session, pathway)
    certified = await _certified(session, principal, pathway, body, held_on, today)
    return {
        "next_monitoring_due": next_due.isoformat(),
        "placement_follow_ups_scheduled": placed,
        "language_certified": certified,
    }


async def _certified(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    body: MonitoringCreate,
    held_on: date,
    today: date,
) -> bool:
    """A certified level goes to intake, which owns the profile (``outcome.language_certified``,
    in this transaction: acknowledged, it is never lost)."""
    progress = body.language_level
    if progress is None or progress.certificate is None:
        return False
    certificate = progress.certificate
    if certificate.certified_on > today:
        raise InvalidField("language_level.certificate.certified_on", "is in the future")
    await publish(
        session,
        contract.LANGUAGE_CERTIFIED,
        contract.LanguageCertified(
            **identity(pathway),
            code=progress.code,
            level=progress.level,
            exam=certificate.exam,
            certified_on=certificate.certified_on,
            document_id=certificate.document_id,
            recorded_by=principal.subject,
            recorded_on=held_on,
        ),
    )
    return True
