"""The steps of the loop: each is checked against the state machine (409 with the allowed next
steps otherwise; a rights check, and a response with a reason, may come out of turn and leave the
stage where it was), the service points it names against matching (422, or 503 when matching cannot
say: nothing is recorded), applied with its effects by its own module (assess, respond, monitor,
adjust, verify_rights) and recorded, under a lock on the pathway so that two operators posting
at once take turns."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.clients.matching import MatchingClient
from services.pathways.db import actions as action_rows
from services.pathways.db import pathways as repository
from services.pathways.db.models import Pathway, Step
from services.pathways.domain.loop import (
    REASON_OUT_OF_TURN,
    StepOutOfOrder,
    allowed_next,
    place,
)
from services.pathways.domain.loop import Step as Kind
from services.pathways.errors import InvalidField, PathwayClosed, StepRefused
from services.pathways.service.pathways import identity, publish, state_of, workable
from services.pathways.service.steps.adjust import adjust
from services.pathways.service.steps.assess import assess
from services.pathways.service.steps.monitor import monitor
from services.pathways.service.steps.respond import respond
from services.pathways.service.steps.service_points import verify
from services.pathways.service.steps.verify_rights import verify_rights
from shared import clock
from shared.auth import Principal
from shared.contracts import pathways as contract

Effect = Callable[[AsyncSession, Principal, Pathway, Any, date], Awaitable[dict[str, Any]]]
EFFECTS: dict[Kind, Effect] = {
    Kind.ASSESS: assess,
    Kind.RESPOND: respond,
    Kind.MONITOR: monitor,
    Kind.ADJUST: adjust,
    Kind.VERIFY_RIGHTS: verify_rights,
}


async def record(
    session: AsyncSession,
    principal: Principal,
    pathway_id: uuid.UUID,
    kind: Kind,
    body: BaseModel,
    matching: MatchingClient,
) -> tuple[Step, dict[str, Any]]:
    moment = clock.now()
    pathway = await workable(session, principal, pathway_id, moment)
    if pathway.status != "open":
        raise PathwayClosed(allowed_next_steps=[])
    try:
        placed = place(state_of(pathway), kind)
    except StepOutOfOrder as refused:
        raise StepRefused(str(refused), [step.value for step in refused.allowed]) from None
    state = placed.state
    if not placed.in_turn and kind in REASON_OUT_OF_TURN and getattr(body, "reason", None) is None:
        raise InvalidField(
            "reason",
            f"is required: it is not the loop's turn to {kind.value} (the last step recorded was "
            f"'{pathway.stage}'), so say why the plan changes now",
        )
    # The service points and territory the body names, checked before anything is applied.
    points = await verify(matching, pathway, body)
    pathway.stage, pathway.cycle = state.stage.value if state.stage else None, state.cycle
    effect: Effect = partial(assess, points=points) if kind == Kind.ASSESS else EFFECTS[kind]
    result = await effect(session, principal, pathway, body, moment.date())
    step = Step(
        pathway_id=pathway.id,
        cycle=state.cycle,
        kind=kind.value,
        body=body.model_dump(mode="json"),
        recorded_by=principal.subject,
        recorded_at=moment,
        out_of_turn=not placed.in_turn,
    )
    session.add(step)
    pathway.version += 1
    pathway.updated_at = moment
    await session.flush()
    repository.note(
        session,
        pathway,
        f"step:{kind.value}",
        principal.subject,
        step_id=step.id,
        cycle=state.cycle,
        **({} if placed.in_turn else {"out_of_turn": True}),
        **_brief(result),
    )
    await publish(
        session,
        contract.STEP_RECORDED,
        contract.StepRecorded(
            **identity(pathway),
            step=kind.value,
            cycle=state.cycle,
            priority_need=pathway.priority_need if kind == Kind.ASSESS else None,
        ),
    )
    result["allowed_next_steps"] = [next_step.value for next_step in allowed_next(state)]
    result["out_of_turn"] = not placed.in_turn
    return step, result


def _brief(result: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in result.items()
        if key in ("priority_need", "violations", "actions_added", "resolved")
    }


async def recorded(session: AsyncSession, pathway: Pathway, kind: Kind) -> list[Step]:
    """The pathway's steps of one kind, in order."""
    return list(await action_rows.steps(session, pathway.id, kind.value))
