"""The statements of a pathways sync (``shared.sync``): the pathways the caller may see that were
written in the run (a pathway is written whenever one of its actions or steps is: a trigger), those
of people whose access changed in the run (a consent just given shows pathways written long ago),
and the people the caller may no longer see. Each branch is an index range in commit order."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Uuid, cast, literal, null, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.models import (
    Action,
    Pathway,
    Person,
    Step,
    beneficiary_access,
    beneficiary_grant,
)
from services.pathways.db.pathways import person_visible
from shared.access_sync import lost_people
from shared.auth import Principal
from shared.sync import ORIGIN, Change, Run, in_commit_order, person_change, reason_for


def _statement(principal: Principal, run: Run, now: datetime, limit: int) -> Select[Any]:
    visible = person_visible(principal, Pathway.beneficiary_id, now)
    written = select(Pathway.sync_xact.label("key"), Pathway.id.label("id"), *_no_removal()).where(
        run.changed(Pathway.sync_xact), visible
    )
    # An alias: the visibility test reads the access mirror itself, correlated to the pathway.
    access = beneficiary_access.alias("changed_access")
    opened = (
        select(access.c.sync_xact.label("key"), Pathway.id.label("id"), *_no_removal())
        .join(Pathway, Pathway.beneficiary_id == access.c.beneficiary_id)
        # Only a pathway no run will bring as written: one written in this run or later comes
        # then, and twice would be once too many.
        .where(run.changed(access.c.sync_xact), Pathway.sync_xact < run.since.xact, visible)
    )
    branches = [written, opened]
    if run.since != ORIGIN:  # a first load has nothing to drop
        lost = lost_people(
            beneficiary_access, beneficiary_grant, principal, "pathway", run, now
        ).subquery()
        branches.append(
            select(
                lost.c.key,
                lost.c.id,
                literal(True).label("removal"),
                lost.c.erased,
                lost.c.merged_into,
            )
        )
    return in_commit_order(run, branches, limit)


def _no_removal() -> tuple[ColumnElement[Any], ...]:
    return (
        literal(False).label("removal"),
        literal(False).label("erased"),
        cast(null(), Uuid).label("merged_into"),
    )


async def changes(
    session: AsyncSession, principal: Principal, run: Run, now: datetime, limit: int
) -> list[Change]:
    """At most ``limit + 1`` changes after the run's position, in commit order."""
    rows = await session.execute(_statement(principal, run, now, limit))
    return [
        person_change(
            row.key,
            row.id,
            reason_for(row.erased, row.merged_into) if row.removal else None,
            row.merged_into,
        )
        for row in rows
    ]


async def pathways_with_parts(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> tuple[
    list[tuple[Pathway, Person | None]], dict[uuid.UUID, list[Action]], dict[uuid.UUID, list[Step]]
]:
    """The pathways ``ids`` with their people, actions and steps, in three statements."""
    if not ids:
        return [], {}, {}
    found = await session.execute(
        select(Pathway, Person)
        .outerjoin(Person, Person.beneficiary_id == Pathway.beneficiary_id)
        .where(Pathway.id.in_(ids))
    )
    pathways: list[tuple[Pathway, Person | None]] = [(row[0], row[1]) for row in found]
    actions: dict[uuid.UUID, list[Action]] = defaultdict(list)
    for action in await session.scalars(
        select(Action).where(Action.pathway_id.in_(ids)).order_by(Action.created_at, Action.id)
    ):
        actions[action.pathway_id].append(action)
    steps: dict[uuid.UUID, list[Step]] = defaultdict(list)
    for step in await session.scalars(
        select(Step).where(Step.pathway_id.in_(ids)).order_by(Step.id)
    ):
        steps[step.pathway_id].append(step)
    return pathways, actions, steps
