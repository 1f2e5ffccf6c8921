"""A person's qualifications, one at a time (``/beneficiaries/{id}/qualifications``): read
with the profile section, added and changed as a change of the record (a new version, its
history entry, ``beneficiary.updated``), under the same rules as ``PATCH /beneficiaries/{id}``.
A recognition decision changes them through ``service.outcomes``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import records
from services.intake.db.models import Beneficiary
from services.intake.domain.enums import Section
from services.intake.errors import BeneficiaryNotFound, InvalidFields, QualificationNotFound
from services.intake.schemas.beneficiary import BeneficiaryUpdate
from services.intake.schemas.profile import QualificationFields, QualificationUpdate
from services.intake.service import beneficiaries
from shared.auth import Principal
from shared.territory_client import TerritoryClient

MAX_QUALIFICATIONS = 20  # the profile's own limit (schemas.beneficiary)


def _held(row: Beneficiary) -> list[dict[str, Any]]:
    return [dict(item) for item in row.profile.get("qualifications") or ()]


async def listed(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID
) -> tuple[Beneficiary, list[dict[str, Any]]]:
    """The person's qualifications, when the caller may read the profile section (the read in
    the access log); 404 otherwise, as for a person not there."""
    row, view = await beneficiaries.seen(session, principal, beneficiary_id)
    if Section.PROFILE not in view.sections:
        raise BeneficiaryNotFound
    await records.log_access(
        session,
        principal,
        [row.id],
        action="read",
        purpose="GET /api/v1/beneficiaries/{beneficiary_id}/qualifications",
        emergency=view.emergency,
    )
    return row, _held(row)


def one_of(held: Sequence[dict[str, Any]], qualification_id: uuid.UUID) -> dict[str, Any]:
    wanted = str(qualification_id)
    found = next((item for item in held if item.get("id") == wanted), None)
    if found is None:
        raise QualificationNotFound
    return found


async def _change(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    qualifications: list[dict[str, Any]],
    index: int,
    check_version: Callable[[int], Any],
    matching: TerritoryClient,
) -> tuple[Beneficiary, dict[str, Any]]:
    """The record with ``qualifications`` as its list, through the record's own change; the
    problems with the one at ``index`` named as the body's fields."""
    body = BeneficiaryUpdate.model_validate({"qualifications": qualifications})
    try:
        row = await beneficiaries.update(
            session, principal, beneficiary_id, body, check_version, matching
        )
    except InvalidFields as invalid:
        prefix = f"body.qualifications.{index}."
        raise InvalidFields(
            [
                (error.field.removeprefix(prefix).removeprefix("body."), error.message)
                for error in invalid.errors or ()
            ]
        ) from None
    return row, _held(row)[index]


async def add(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    body: QualificationFields,
    matching: TerritoryClient,
) -> tuple[Beneficiary, dict[str, Any]]:
    # The row locked before the list is read: two additions at once both land.
    row, _view = await beneficiaries.seen(session, principal, beneficiary_id, lock=True)
    held = _held(row)
    if len(held) >= MAX_QUALIFICATIONS:
        raise InvalidFields([("title", f"the record already holds {MAX_QUALIFICATIONS}")])
    new = body.model_dump(mode="json", exclude_none=True)
    return await _change(
        session, principal, beneficiary_id, [*held, new], len(held), lambda _: None, matching
    )


async def change(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    qualification_id: uuid.UUID,
    body: QualificationUpdate,
    check_version: Callable[[int], Any],
    matching: TerritoryClient,
) -> tuple[Beneficiary, dict[str, Any]]:
    """The qualification with the body's fields set (``null`` clears an optional one)."""
    row, _view = await beneficiaries.seen(session, principal, beneficiary_id, lock=True)
    held = _held(row)
    before = one_of(held, qualification_id)
    patch = body.model_dump(mode="json", exclude_unset=True)
    if "title" in patch and patch["title"] is None:
        raise InvalidFields([("title", "is required and cannot be cleared")])
    after = {**before, **{key: value for key, value in patch.items() if value is not None}}
    for key in (key for key, value in patch.items() if value is None):
        after.pop(key, None)
    index = held.index(before)
    held[index] = after
    return await _change(session, principal, beneficiary_id, held, index, check_version, matching)
