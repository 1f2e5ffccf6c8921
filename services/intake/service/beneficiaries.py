"""Registering and changing people: the application layer between the routers and the database.
Checks the rules (domain), writes the row, its history and its events in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import repository
from services.intake.db.models import Beneficiary
from services.intake.domain import access
from services.intake.domain.access import View
from services.intake.domain.duplicates import score
from services.intake.domain.profile import check_dates
from services.intake.domain.record import changes, columns, person_key, shown
from services.intake.schemas.beneficiary import PATCHABLE, BeneficiaryCreate, BeneficiaryUpdate
from services.intake.service import events
from shared.auth import Principal
from shared.errors import Conflict, FieldError, Forbidden, NotFound, UnprocessableContent

REQUIRED = frozenset({"given_name", "family_name", "birth_date"})


def now() -> datetime:
    return datetime.now(UTC)


def _invalid(problems: Sequence[tuple[str, str]]) -> UnprocessableContent:
    return UnprocessableContent(
        "One or more fields are invalid; see errors.",
        errors=[
            FieldError(field=f"body.{field}", message=message, code="invalid")
            for field, message in problems
        ],
    )


def _check(document: Mapping[str, Any], today: date) -> None:
    problems = check_dates(document, today)
    if problems:
        raise _invalid([(problem.field, problem.message) for problem in problems])


def new_row(principal: Principal, document: dict[str, Any]) -> Beneficiary:
    assert principal.organization_id is not None
    moment = now()
    return Beneficiary(
        created_at=moment,
        updated_at=moment,
        merged_into=None,
        erased_at=None,
        id=uuid.uuid4(),
        organization_id=principal.organization_id,
        status="active",
        version=1,
        access_version=1,
        created_by=principal.subject,
        updated_by=principal.subject,
        **columns(document),
    )


def document_of(body: BeneficiaryCreate) -> dict[str, Any]:
    return body.model_dump(mode="json", exclude_none=True)


async def possible_duplicates(
    session: AsyncSession, principal: Principal, row: Beneficiary, *, threshold_only: bool = True
) -> list[dict[str, Any]]:
    """People the caller may see who look like ``row``, best first, with the reasons.

    Only visible records: telling an operator that someone with this name and birth date is
    registered by an organisation the person did not share with would disclose it."""
    if not row.blocking_keys:
        return []
    others = (
        await session.scalars(
            repository.candidates(principal, list(row.blocking_keys), now()).where(
                Beneficiary.id != row.id
            )
        )
    ).all()
    key = person_key(row.profile)
    found = []
    for other in others:
        match = score(key, person_key(other.profile))
        if match.likely or not threshold_only:
            found.append(
                {
                    "id": str(other.id),
                    "score": round(match.score, 3),
                    "reasons": match.reasons,
                    "organization_id": str(other.organization_id),
                }
            )
    return sorted(found, key=lambda item: -item["score"])


async def register(
    session: AsyncSession, principal: Principal, body: BeneficiaryCreate
) -> tuple[Beneficiary, list[dict[str, Any]]]:
    if not access.works_on_cases(principal):
        raise Forbidden("Your role does not register people.")
    document = document_of(body)
    _check(document, now().date())
    row = new_row(principal, document)
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as error:
        raise Conflict("A person with this external_id is already registered.") from error
    await repository.record_change(
        session, principal, row.id, "registered", {"fields": sorted(document)}
    )
    await events.changed(session, row, registered=True)
    await events.access_changed(session, row, [], matching_consent=False)
    return row, await possible_duplicates(session, principal, row)


async def visible_row(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID
) -> tuple[Beneficiary, View]:
    """The active row and what the caller may see of it; 404 when nothing (or not there)."""
    row = await repository.any_status(session, beneficiary_id)
    if row is None or row.status == "erased":
        raise NotFound("No such person.")
    grants = (await repository.grants_of(session, [row.id])).get(row.id, [])
    view = access.view_of(principal, row.organization_id, grants, now())
    if view is None:
        raise NotFound("No such person.")
    return row, view


def as_shown(row: Beneficiary, view: View, today: date) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(row.id),
        "organization_id": str(row.organization_id),
        "status": row.status,
        "visible_sections": sorted(view.sections),
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }
    body.update(shown(row.profile, view, today, allows_work=row.permit_allows_work))
    return body


async def update(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    body: BeneficiaryUpdate,
    check_version: Any,
) -> Beneficiary:
    row, _view = await visible_row(session, principal, beneficiary_id)
    if row.status != "active":
        raise Conflict(f"This record is {row.status}.")
    if not access.may_change(principal, row.organization_id):
        raise Forbidden("Only the organisation that registered the person changes the record.")
    locked = await repository.any_status(session, row.id, lock=True)
    assert locked is not None
    check_version(locked.version)
    patch = body.model_dump(mode="json", exclude_unset=True)
    cleared = sorted(field for field, value in patch.items() if value is None and field in REQUIRED)
    if cleared:
        raise _invalid([(field, "is required and cannot be cleared") for field in cleared])
    before = dict(locked.profile)
    after = {**before, **{k: v for k, v in patch.items() if v is not None and k in PATCHABLE}}
    for field, value in patch.items():
        if value is None:
            after.pop(field, None)
    _check(after, now().date())
    diff = changes(before, after)
    if not diff:
        return locked
    for name, value in columns(after).items():
        setattr(locked, name, value)
    locked.version += 1
    locked.updated_at = now()
    locked.updated_by = principal.subject
    try:
        await session.flush()
    except IntegrityError as error:
        raise Conflict("Another person has this external_id.") from error
    await repository.record_change(session, principal, locked.id, "updated", diff)
    await events.changed(session, locked, registered=False)
    return locked


async def by_external_ids(
    session: AsyncSession, organization_id: uuid.UUID, external_ids: Sequence[str]
) -> set[str]:
    if not external_ids:
        return set()
    rows = await session.scalars(
        select(Beneficiary.external_id).where(
            Beneficiary.organization_id == organization_id,
            Beneficiary.external_id.in_(external_ids),
        )
    )
    return {value for value in rows if value is not None}
