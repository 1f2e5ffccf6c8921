"""Queries over pathways, scoped to what the caller may see: a pathway is data about a person, so
it is visible to the organisation that registered the person and to those the person shared the
``pathway`` section with (intake's rule, from the access mirror); 404 otherwise."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db.models import (
    Pathway,
    Person,
    TimelineEntry,
    beneficiary_access,
    beneficiary_grant,
)
from shared.access_mirror import visible_condition
from shared.auth import Principal
from shared.errors import Forbidden, NotFound


def person_visible(principal: Principal, beneficiary_id: Any, now: datetime) -> Any:
    return visible_condition(
        beneficiary_access, beneficiary_grant, beneficiary_id, principal, "pathway", now
    )


def visible(principal: Principal, now: datetime) -> Select[Pathway]:
    return select(Pathway).where(person_visible(principal, Pathway.beneficiary_id, now))


async def get_visible(
    session: AsyncSession,
    principal: Principal,
    pathway_id: uuid.UUID,
    now: datetime,
    *,
    lock: bool = False,
) -> Pathway:
    statement = visible(principal, now).where(Pathway.id == pathway_id)
    if lock:
        statement = statement.with_for_update(of=Pathway)
    pathway: Pathway | None = await session.scalar(statement)
    if pathway is None:
        raise NotFound("No such pathway.")
    return pathway


async def get_for_work(
    session: AsyncSession, principal: Principal, pathway_id: uuid.UUID, now: datetime
) -> Pathway:
    """The pathway, locked (two operators posting at once take turns), for its own organisation."""
    pathway = await get_visible(session, principal, pathway_id, now, lock=True)
    if pathway.organization_id != principal.organization_id:
        raise Forbidden("Only the organisation running the pathway records its steps.")
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


async def person(session: AsyncSession, beneficiary_id: uuid.UUID) -> Person | None:
    return await session.get(Person, beneficiary_id)


def note(session: AsyncSession, pathway: Pathway, kind: str, actor: str, **summary: Any) -> None:
    """A timeline entry: every step, change and event of a pathway, with who and when."""
    session.add(TimelineEntry(pathway_id=pathway.id, kind=kind, summary=summary, actor=actor))
