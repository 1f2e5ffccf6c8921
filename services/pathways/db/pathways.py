"""Every statement over pathways, scoped to what the caller may see: a pathway is data about a
person, so it is visible to the organisation that registered the person and to those the person
shared the ``pathway`` section with (intake's rule, from the access mirror); 404 otherwise.
Also the pathway's own records: timeline, employment ladder, placement follow-ups."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    Select,
    and_,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.models import (
    EmploymentChange,
    FollowUp,
    Pathway,
    Person,
    TimelineEntry,
    beneficiary_access,
    beneficiary_grant,
)
from services.pathways.domain.attention import PERMIT_WARNING_DAYS
from services.pathways.errors import (
    FollowUpNotFound,
    NotTheRunningOrganisation,
    PathwayAlreadyOpen,
    PathwayNotFound,
)
from shared.access_mirror import visible_condition
from shared.auth import Principal
from shared.pagination import decode_cursor, encode_cursor, keyset


def person_visible(principal: Principal, beneficiary_id: Any, now: datetime) -> Any:
    return visible_condition(
        beneficiary_access, beneficiary_grant, beneficiary_id, principal, "pathway", now
    )


def visible(principal: Principal, now: datetime) -> Select[Pathway]:
    """The readable statement: the pathways ``principal`` may see at ``now``."""
    return select(Pathway).where(person_visible(principal, Pathway.beneficiary_id, now))


async def get_visible(
    session: AsyncSession,
    principal: Principal,
    pathway_id: uuid.UUID,
    now: datetime,
    *,
    lock: bool = False,
) -> Pathway:
    """The pathway the caller may see, or 404."""
    statement = visible(principal, now).where(Pathway.id == pathway_id)
    if lock:
        statement = statement.with_for_update(of=Pathway)
    pathway: Pathway | None = await session.scalar(statement)
    if pathway is None:
        raise PathwayNotFound()
    return pathway


async def get_for_work(
    session: AsyncSession, principal: Principal, pathway_id: uuid.UUID, now: datetime
) -> Pathway:
    """The pathway, locked (two operators posting at once take turns), for its own organisation."""
    pathway = await get_visible(session, principal, pathway_id, now, lock=True)
    if pathway.organization_id != principal.organization_id:
        raise NotTheRunningOrganisation()
    return pathway


async def may_see_person(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, now: datetime
) -> bool:
    found = await session.scalar(
        select(beneficiary_access.c.beneficiary_id).where(
            beneficiary_access.c.beneficiary_id == beneficiary_id,
            person_visible(principal, beneficiary_access.c.beneficiary_id, now),
        )
    )
    return found is not None


async def open_of_person(session: AsyncSession, beneficiary_id: uuid.UUID) -> Sequence[Pathway]:
    """The person's open pathways, locked (a step may be recorded on one at the same moment)."""
    statement = (
        select(Pathway)
        .where(Pathway.beneficiary_id == beneficiary_id, Pathway.status == "open")
        .order_by(Pathway.id)
        .with_for_update()
    )
    return (await session.scalars(statement)).all()


async def person(session: AsyncSession, beneficiary_id: uuid.UUID) -> Person | None:
    return await session.get(Person, beneficiary_id)


async def add(session: AsyncSession, pathway: Pathway) -> None:
    """A new pathway; one open per person and organisation (409 otherwise)."""
    session.add(pathway)
    try:
        await session.flush()
    except IntegrityError as error:
        raise PathwayAlreadyOpen() from error


async def reopened(session: AsyncSession) -> None:
    """Write a reopened pathway; one open per person and organisation (409 otherwise)."""
    try:
        await session.flush()
    except IntegrityError as error:
        raise PathwayAlreadyOpen() from error


def note(session: AsyncSession, pathway: Pathway, kind: str, actor: str, **summary: Any) -> None:
    """A timeline entry: every step, change and event of a pathway, with who and when."""
    note_on(session, pathway.id, kind, actor, **summary)


def note_on(
    session: AsyncSession, pathway_id: uuid.UUID, kind: str, actor: str, **summary: Any
) -> None:
    session.add(TimelineEntry(pathway_id=pathway_id, kind=kind, summary=summary, actor=actor))


@dataclass(frozen=True)
class CaseloadFilter:
    beneficiary_id: uuid.UUID | None = None
    stage: str | None = None
    overdue: bool | None = None
    assigned_to: str | None = None  # a user id ("me" already resolved)
    status: str | None = None
    ids: tuple[uuid.UUID, ...] | None = None  # a batch read (a thin webhook's ids)


def _late(today: date) -> ColumnElement[int]:
    """Days the most overdue of the follow-up and the actions is late (0 when none is)."""
    return func.greatest(
        func.coalesce(literal(today) - Pathway.next_monitoring_due, 0),
        func.coalesce(literal(today) - Pathway.next_action_due, 0),
        0,
    )


def _needs_attention(today: date) -> ColumnElement[bool]:
    return and_(
        Pathway.status == "open",
        or_(
            Pathway.urgent,
            Pathway.open_rights_violations > 0,
            Pathway.next_monitoring_due < today,
            Pathway.next_action_due < today,
            Person.permit_expires_on <= today + timedelta(days=PERMIT_WARNING_DAYS),
        ),
    )


def _caseload(
    principal: Principal, moment: datetime, late: ColumnElement[int], only: CaseloadFilter
) -> Select[Pathway, date | None, int]:
    statement = (
        select(Pathway, Person.permit_expires_on, late.label("late"))
        .outerjoin(Person, Person.beneficiary_id == Pathway.beneficiary_id)
        .where(person_visible(principal, Pathway.beneficiary_id, moment))
    )
    if only.beneficiary_id is not None:
        statement = statement.where(Pathway.beneficiary_id == only.beneficiary_id)
    if only.ids is not None:
        statement = statement.where(Pathway.id.in_(only.ids))
    if only.stage is not None:
        statement = statement.where(Pathway.stage == only.stage)
    if only.assigned_to is not None:
        statement = statement.where(Pathway.assigned_to == only.assigned_to)
    if only.status is not None:
        statement = statement.where(Pathway.status == only.status)
    if only.overdue is not None:
        needs_attention = _needs_attention(moment.date())
        statement = statement.where(needs_attention if only.overdue else ~needs_attention)
    return statement


async def caseload_page(
    session: AsyncSession,
    principal: Principal,
    moment: datetime,
    only: CaseloadFilter,
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[Row[Pathway, date | None, int]], str | None]:
    """A keyset page of the visible pathways, most urgent and most late first: rows of (pathway,
    the person's permit expiry, days late) and the next page's cursor."""
    late = _late(moment.date())
    statement = _caseload(principal, moment, late, only)
    key = (-cast(Pathway.urgent, Integer), -late, Pathway.id)
    if cursor:
        # The key holds expressions: the cursor is checked against their Python types.
        statement = statement.where(
            tuple_(*key) > tuple(decode_cursor(cursor, (int, int, uuid.UUID)))
        )
    rows = (await session.execute(statement.order_by(*key).limit(limit + 1))).all()
    shown = rows[:limit]
    next_cursor = None
    if len(rows) > limit and shown:
        last = shown[-1]
        next_cursor = encode_cursor((-int(last[0].urgent), -int(last[2]), last[0].id))
    return shown, next_cursor


async def timeline(
    session: AsyncSession, pathway_id: uuid.UUID, limit: int, cursor: str | None
) -> Sequence[TimelineEntry]:
    statement = select(TimelineEntry).where(TimelineEntry.pathway_id == pathway_id)
    return (await session.scalars(keyset(statement, (TimelineEntry.id,), cursor, limit))).all()


async def employment_changes(
    session: AsyncSession, pathway_id: uuid.UUID
) -> Sequence[EmploymentChange]:
    statement = (
        select(EmploymentChange)
        .where(EmploymentChange.pathway_id == pathway_id)
        .order_by(EmploymentChange.effective_on, EmploymentChange.id)
    )
    return (await session.scalars(statement)).all()


def add_employment_change(
    session: AsyncSession,
    pathway: Pathway,
    status: str,
    on: date,
    job: dict[str, Any] | None = None,
) -> None:
    session.add(
        EmploymentChange(pathway_id=pathway.id, status=status, effective_on=on, **(job or {}))
    )


def add_follow_up(
    session: AsyncSession, pathway: Pathway, months: int, placed_on: date, due_on: date
) -> None:
    session.add(FollowUp(pathway_id=pathway.id, months=months, placed_on=placed_on, due_on=due_on))


async def follow_ups(session: AsyncSession, pathway_id: uuid.UUID) -> Sequence[FollowUp]:
    statement = select(FollowUp).where(FollowUp.pathway_id == pathway_id).order_by(FollowUp.due_on)
    return (await session.scalars(statement)).all()


async def follow_up_locked(
    session: AsyncSession, pathway: Pathway, follow_up_id: uuid.UUID
) -> FollowUp:
    """The pathway's follow-up, locked, or 404."""
    row = await session.get(FollowUp, follow_up_id, with_for_update=True)
    if row is None or row.pathway_id != pathway.id:
        raise FollowUpNotFound()
    return row


async def own_open(session: AsyncSession, beneficiary_id: uuid.UUID) -> Sequence[Pathway]:
    """The person's own open pathways (self-service), while the person is known here and neither
    erased nor merged away."""
    access = beneficiary_access.c
    live = exists().where(
        access.beneficiary_id == beneficiary_id,
        access.erased.is_(False),
        access.merged_into.is_(None),
    )
    statement = (
        select(Pathway)
        .where(Pathway.beneficiary_id == beneficiary_id, Pathway.status == "open", live)
        .order_by(Pathway.opened_at, Pathway.id)
    )
    return (await session.scalars(statement)).all()


async def owner(session: AsyncSession, pathway_id: uuid.UUID) -> Row[uuid.UUID, uuid.UUID]:
    """Ids only, whoever asks (internal): the pathway's person and its organisation, or 404."""
    row = (
        await session.execute(
            select(Pathway.beneficiary_id, Pathway.organization_id).where(Pathway.id == pathway_id)
        )
    ).first()
    if row is None:
        raise PathwayNotFound()
    return row
