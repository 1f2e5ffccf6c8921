"""The people repository: matching's read model of each person (``candidate_profile``) and its
copy of who may see whom (``beneficiary_access``). A person is readable to a caller who may see
them; matching reads only those who consented to it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, exists, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db.access import person_visible
from services.matching.db.models import CandidateProfile, beneficiary_access
from services.matching.errors import ConsentRequired, PersonNotFound
from shared import clock
from shared.auth import Principal


def readable(principal: Principal) -> Select[bool]:
    """The people the caller may see: each one's consent to matching (from the access mirror)."""
    return select(beneficiary_access.c.matching_consent).where(
        person_visible(principal, beneficiary_access.c.beneficiary_id)
    )


async def get_consented(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    *,
    erased_too: bool = False,
) -> CandidateProfile:
    """The person's read model, if the caller may see them (404) and they consented to matching
    (409). ``erased_too``: an erased record's consent is not looked at (a proposal's check)."""
    statement = readable(principal).where(beneficiary_access.c.beneficiary_id == beneficiary_id)
    if not erased_too:
        statement = statement.where(beneficiary_access.c.erased.is_(False))
    consent = await session.scalar(statement)
    profile = await session.get(CandidateProfile, beneficiary_id)
    if consent is None or profile is None:
        raise PersonNotFound()
    if not consent:
        raise ConsentRequired()
    return profile


def _consented() -> Any:
    return exists().where(
        beneficiary_access.c.beneficiary_id == CandidateProfile.beneficiary_id,
        beneficiary_access.c.matching_consent.is_(True),
        beneficiary_access.c.erased.is_(False),
    )


async def visible_consented(
    session: AsyncSession, principal: Principal, ids: Sequence[str]
) -> dict[str, CandidateProfile]:
    """Of these people, those the caller may see who consented to matching, by id."""
    if not ids:
        return {}
    rows = await session.scalars(
        select(CandidateProfile).where(
            CandidateProfile.beneficiary_id.in_([uuid.UUID(i) for i in ids]),
            _consented(),
            person_visible(principal, CandidateProfile.beneficiary_id),
        )
    )
    return {str(row.beneficiary_id): row for row in rows}


async def all_consented(session: AsyncSession) -> list[Any]:
    """(id, profile, priority need, territory code) of everyone live who consented to
    matching (the index)."""
    rows = await session.execute(
        select(
            CandidateProfile.beneficiary_id,
            CandidateProfile.profile,
            CandidateProfile.priority_need,
            CandidateProfile.territory_code,
            CandidateProfile.skill_reading,
        )
        .join(
            beneficiary_access,
            beneficiary_access.c.beneficiary_id == CandidateProfile.beneficiary_id,
        )
        .where(
            beneficiary_access.c.matching_consent.is_(True),
            beneficiary_access.c.erased.is_(False),
            beneficiary_access.c.merged_into.is_(None),
        )
        .order_by(CandidateProfile.beneficiary_id)
    )
    return list(rows.all())


async def save_profile(
    session: AsyncSession,
    beneficiary_id: uuid.UUID,
    organization_id: uuid.UUID,
    profile: dict[str, Any],
    *,
    territory_code: str | None,
    needs: list[str],
    skill_reading: dict[str, Any] | None = None,
) -> None:
    values = {
        "beneficiary_id": beneficiary_id,
        "organization_id": organization_id,
        "profile": profile,
        "territory_code": territory_code,
        "needs": needs,
        "skill_reading": skill_reading,
        "updated_at": clock.now(),
    }
    statement = insert(CandidateProfile).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[CandidateProfile.beneficiary_id],
            set_={
                "organization_id": statement.excluded.organization_id,
                "profile": statement.excluded.profile,
                "territory_code": statement.excluded.territory_code,
                "needs": statement.excluded.needs,
                "skill_reading": statement.excluded.skill_reading,
                "updated_at": statement.excluded.updated_at,
            },
        )
    )


async def set_priority_need(
    session: AsyncSession, beneficiary_id: uuid.UUID, priority_need: str
) -> None:
    await session.execute(
        update(CandidateProfile)
        .where(CandidateProfile.beneficiary_id == beneficiary_id)
        .values(priority_need=priority_need)
    )


async def delete_profile(session: AsyncSession, beneficiary_id: uuid.UUID) -> None:
    await session.execute(
        delete(CandidateProfile).where(CandidateProfile.beneficiary_id == beneficiary_id)
    )


async def export(session: AsyncSession, beneficiary_id: uuid.UUID) -> tuple[list[Any], list[Any]]:
    """What matching holds of the person: its access rows and its read model's rows."""
    access = await session.execute(
        select(beneficiary_access).where(beneficiary_access.c.beneficiary_id == beneficiary_id)
    )
    profiles = await session.scalars(
        select(CandidateProfile).where(CandidateProfile.beneficiary_id == beneficiary_id)
    )
    return [dict(row._mapping) for row in access], list(profiles.all())
