"""Every statement intake's events run: the copy of the little pathways knows about each person
(for caseloads and indicators), the erasure of the free text written about a person, the merge
of one person's pathways into another's."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Date, Select, cast, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.models import (
    Action,
    EmploymentChange,
    FollowUp,
    Pathway,
    Person,
    PlanVersion,
    Referral,
    RightsViolation,
    Step,
    Task,
    TimelineEntry,
)

ERASED = "[erased]"  # in a column that must hold text: it said something, and no longer does
# What stays of each action in a plan version: ids, codes, states and dates (no title).
PLAN_ACTION_KEYS = ("id", "type", "status", "due_date")


async def upsert(session: AsyncSession, values: dict[str, Any]) -> None:
    """The person's row, created or replaced by the newest profile."""
    statement = insert(Person).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Person.beneficiary_id],
            set_={key: statement.excluded[key] for key in values if key != "beneficiary_id"},
        )
    )


def _pathway_ids(beneficiary_id: uuid.UUID) -> Select[uuid.UUID]:
    return select(Pathway.id).where(Pathway.beneficiary_id == beneficiary_id)


async def ids_about(session: AsyncSession, beneficiary_id: uuid.UUID) -> list[uuid.UUID]:
    """The ids of the person's pathways, then of their actions (what idempotent answers name)."""
    pathway_ids = _pathway_ids(beneficiary_id)
    action_ids = select(Action.id).where(Action.pathway_id.in_(pathway_ids))
    return [*(await session.scalars(pathway_ids)), *(await session.scalars(action_ids))]


async def erase_writing(session: AsyncSession, beneficiary_id: uuid.UUID) -> None:
    """Every text an operator wrote about the person goes; ids, codes, states, dates stay."""
    pathway_ids = _pathway_ids(beneficiary_id)
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
    await session.execute(  # an employer's name, typed: the sector and the contract stay
        update(EmploymentChange)
        .where(EmploymentChange.pathway_id.in_(pathway_ids))
        .values(employer_name=None)
    )
    await session.execute(
        update(TimelineEntry).where(TimelineEntry.pathway_id.in_(pathway_ids)).values(summary={})
    )
    about = Task.beneficiary_id == beneficiary_id
    await session.execute(update(Task).where(about).values(note=None, snooze_reason=None))
    # A manual task's title (a derived task's state row has none: its title is its source's).
    await session.execute(update(Task).where(about, Task.title.is_not(None)).values(title=ERASED))
    await session.execute(
        update(Person)
        .where(Person.beneficiary_id == beneficiary_id)
        .values(
            permit_expires_on=None,
            vulnerability_level=None,
            # the arrival year stays for the statistics, as in intake; not the month
            arrival_month=cast(func.date_trunc("year", Person.arrival_month), Date),
        )
    )


async def merge(
    session: AsyncSession, merged_id: uuid.UUID, survivor_id: uuid.UUID, moment: datetime
) -> None:
    """The merged person's pathways become the survivor's; where an organisation has an open one
    for both, the merged one is closed (one open pathway per person and organisation)."""
    survivors_open = select(Pathway.organization_id).where(
        Pathway.beneficiary_id == survivor_id, Pathway.status == "open"
    )
    await session.execute(
        update(Pathway)
        .where(
            Pathway.beneficiary_id == merged_id,
            Pathway.status == "open",
            Pathway.organization_id.in_(survivors_open),
        )
        .values(
            status="closed",
            outcome="other",
            closing_note="merged into another record",
            closed_at=moment,
            closed_by="system",
        )
    )
    await session.execute(
        update(Pathway)
        .where(Pathway.beneficiary_id == merged_id)
        .values(beneficiary_id=survivor_id)
    )
    for table in (Task, Referral):
        await session.execute(
            update(table)
            .where(table.beneficiary_id == merged_id)
            .values(beneficiary_id=survivor_id)
        )
    await session.execute(delete(Person).where(Person.beneficiary_id == merged_id))
