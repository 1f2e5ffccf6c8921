"""The plan's actions: adding them (respond, adjust), keeping each version of the plan, reading
them, and updating one (status, due date, progress, recognition steps) under the domain's rules."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import actions as repository
from services.pathways.db import pathways as pathway_rows
from services.pathways.db import projects as project_rows
from services.pathways.db.models import Action, Pathway, PlanVersion
from services.pathways.domain.actions import (
    RECOGNITION_STEPS,
    ActionStatus,
    ActionType,
    check_business,
    check_recognition,
    check_transition,
    decision_to_send,
)
from services.pathways.errors import InvalidField, PathwayClosed
from services.pathways.schemas.steps import (
    ActionCreate,
    ActionRead,
    ActionUpdate,
    Business,
    Recognition,
)
from services.pathways.service.pathways import identity, publish, refresh_action_due
from shared import clock
from shared.auth import Principal
from shared.contracts import pathways as contract


async def add(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    actions: list[ActionCreate],
    today: date,
) -> list[Action]:
    added = []
    for index, item in enumerate(actions):
        if item.due_date is not None and item.due_date < today - timedelta(days=1):
            raise InvalidField(f"actions.{index}.due_date", "is in the past")
        recognition = item.recognition
        if item.type == ActionType.QUALIFICATION_RECOGNITION and recognition is None:
            recognition = Recognition()  # its steps are dated as they happen (PATCH)
        if recognition is not None:
            _checked(index, {}, recognition)
        business = item.business
        if item.type == ActionType.ENTREPRENEURSHIP_WORKSHOP and business is None:
            business = Business()  # its milestones are dated as they are reached (PATCH)
        started = None
        if business is not None:
            started = _business(f"actions.{index}.business", item.type, {}, business)
        if item.project_id is not None:
            await _check_project(session, pathway, item.project_id, f"actions.{index}.project_id")
        action = Action(
            id=uuid.uuid4(),
            pathway_id=pathway.id,
            type=item.type.value,
            title=item.title,
            need=item.need,
            provider_organization_id=item.provider_organization_id,
            offer_id=item.offer_id,
            service_point_id=item.service_point_id,
            due_date=item.due_date,
            status=item.status,
            recognition=recognition.model_dump(mode="json") if recognition else None,
            business=started,
            project_id=item.project_id,
            created_in_cycle=pathway.cycle,
            created_by=principal.subject,
            # the service's clock, as every later change (the database's would differ in tests)
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        session.add(action)
        added.append(action)
        await _send_decision(session, principal, pathway, action, None)
    return added


async def snapshot(
    session: AsyncSession, principal: Principal, pathway: Pathway, reason: str | None
) -> None:
    """Keep this version of the plan: every action and its state, with why it changed."""
    await session.flush()
    actions = await repository.of_pathway(session, pathway.id)
    pathway.plan_version += 1
    repository.add_plan_version(
        session,
        PlanVersion(
            pathway_id=pathway.id,
            version=pathway.plan_version,
            reason=reason,
            created_by=principal.subject,
            actions=[
                {
                    "id": str(a.id),
                    "type": a.type,
                    "title": a.title,
                    "status": a.status,
                    "due_date": a.due_date.isoformat() if a.due_date else None,
                    "service_point_id": str(a.service_point_id) if a.service_point_id else None,
                }
                for a in actions
            ],
        ),
    )
    await refresh_action_due(session, pathway)


async def named_in_body(
    session: AsyncSession, pathway: Pathway, action_id: uuid.UUID, field: str
) -> Action:
    """An action a step's body names, locked; 422 on ``field`` when it is not the pathway's."""
    action = await repository.find(session, pathway.id, action_id, lock=True)
    if action is None:
        raise InvalidField(field, "is not an action of this pathway")
    return action


def as_read(action: Action, principal: Principal, pathway: Pathway) -> ActionRead:
    """The action as the caller reads it: the project it is carried out under only for the
    pathway's own organisation (another, the person shares the pathway with, need not learn of a
    project it takes no part in)."""
    read = ActionRead.model_validate(action)
    if principal.organization_id != pathway.organization_id:
        read = read.model_copy(update={"project_id": None})
    return read


async def listed(session: AsyncSession, principal: Principal, pathway: Pathway) -> list[ActionRead]:
    return [
        as_read(row, principal, pathway) for row in await repository.of_pathway(session, pathway.id)
    ]


async def one(session: AsyncSession, pathway: Pathway, action_id: uuid.UUID) -> Action:
    """The pathway's action, or 404."""
    return await repository.get(session, pathway.id, action_id)


async def to_change(session: AsyncSession, pathway: Pathway, action_id: uuid.UUID) -> Action:
    """The action to change, locked: 409 once the pathway is closed, 404 if not the pathway's."""
    if pathway.status != "open":
        raise PathwayClosed()
    return await repository.get(session, pathway.id, action_id, lock=True)


def _as_date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _checked(index: int | None, previous: dict[str, Any], update: BaseModel) -> dict[str, Any]:
    """The recognition with ``update`` applied, checked: steps in order and dates, a decision
    with its date, an equivalent level only with a decision that recognises."""
    new = update.model_dump(mode="json", exclude_unset=True)
    merged = {**previous, **new}
    dated = {key: value for key, value in new.items() if key in RECOGNITION_STEPS}
    problems_found = check_recognition(
        {k: _as_date(v) for k, v in previous.items() if k in RECOGNITION_STEPS},
        {k: _as_date(v) for k, v in dated.items()},
        decision=merged.get("decision"),
        equivalent_level=merged.get("equivalent_level"),
        today=clock.now().date(),
    )
    if problems_found:
        field = "recognition" if index is None else f"actions.{index}.recognition"
        raise InvalidField(field, "; ".join(problems_found))
    return merged


async def _send_decision(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    action: Action,
    previous: dict[str, Any] | None,
) -> None:
    """A new decision on a named qualification goes to intake, which owns the record
    (``outcome.recognition_decided``, in this transaction: acknowledged, it is never lost)."""
    current = action.recognition or {}
    if action.type != ActionType.QUALIFICATION_RECOGNITION or not decision_to_send(
        previous, current
    ):
        return
    await publish(
        session,
        contract.RECOGNITION_DECIDED,
        contract.RecognitionDecided(
            **identity(pathway),
            action_id=action.id,
            qualification_id=current["qualification_id"],
            decision=current["decision"],
            decided_on=current["decision_on"],
            equivalent_level=current.get("equivalent_level"),
            procedure=current.get("procedure"),
            authority=current.get("authority"),
            recorded_by=principal.subject,
        ),
    )


def _business(field: str, kind: str, previous: dict[str, Any], update: BaseModel) -> dict[str, Any]:
    """A business's milestones with ``update`` applied, checked (dates and order); only on an
    entrepreneurship action."""
    if kind != ActionType.ENTREPRENEURSHIP_WORKSHOP:
        raise InvalidField(field, "is for entrepreneurship_workshop actions")
    merged = {**previous, **update.model_dump(mode="json", exclude_unset=True)}
    problems_found = check_business(
        {name: _as_date(on) for name, on in merged.items()}, clock.now().date()
    )
    if problems_found:
        raise InvalidField(field, "; ".join(problems_found))
    return merged


async def _check_project(
    session: AsyncSession, pathway: Pathway, project_id: uuid.UUID, field: str
) -> None:
    """One 422 whether the project does not exist, is another organisation's, or does not have
    the person enrolled: nothing is told of other organisations' projects."""
    if not await project_rows.carries(
        session, project_id, pathway.organization_id, pathway.beneficiary_id
    ):
        raise InvalidField(
            field,
            "is not a project your organisation leads or is a partner of with this person enrolled",
        )


def _apply(action: Action, body: ActionUpdate, changes: dict[str, Any]) -> None:
    if body.status is not None:
        problem = check_transition(ActionStatus(action.status), body.status)
        if problem:
            raise InvalidField("status", problem)
        repository.set_status(action, body.status.value)
    if "due_date" in changes:
        action.due_date = body.due_date
    if body.progress is not None:
        action.progress = body.progress
    if "provider_organization_id" in changes:
        action.provider_organization_id = body.provider_organization_id
    if body.recognition is not None:
        action.recognition = _checked(None, dict(action.recognition or {}), body.recognition)
    if body.business is not None:
        previous = dict(action.business or {})
        action.business = _business("business", action.type, previous, body.business)
    if "project_id" in changes:
        action.project_id = body.project_id


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


async def change(
    session: AsyncSession,
    principal: Principal,
    pathway: Pathway,
    action: Action,
    body: ActionUpdate,
) -> None:
    """Apply the body to the action (its If-Match was checked), note it, refresh the due date."""
    changes = body.model_dump(exclude_unset=True)
    if body.project_id is not None and body.project_id != action.project_id:
        await _check_project(session, pathway, body.project_id, "project_id")
    previous = dict(action.recognition or {}) if action.recognition is not None else None
    # Which project paid for it changes what the fund's reports count: the note keeps both.
    project = {"project": {"from": _text(action.project_id), "to": _text(body.project_id)}}
    _apply(action, body, changes)
    action.version += 1
    action.updated_at = clock.now()
    pathway_rows.note(
        session,
        pathway,
        "action_updated",
        principal.subject,
        action_id=str(action.id),
        fields=sorted(changes),
        **(project if "project_id" in changes else {}),
    )
    await refresh_action_due(session, pathway)
    pathway.version += 1
    await _send_decision(session, principal, pathway, action, previous)
