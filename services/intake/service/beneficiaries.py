"""Registering, reading and changing people: the application layer between the routers and the
database. Checks the rules (domain), writes the row, its history and its events in the caller's
transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import access as grants
from services.intake.db import beneficiaries, documents, records
from services.intake.db.models import Beneficiary
from services.intake.domain import access, qualifications
from services.intake.domain.access import ALL_SECTIONS, View
from services.intake.domain.duplicates import score
from services.intake.domain.profile import FieldProblem, check_dates
from services.intake.domain.record import changes, columns, person_key, shown
from services.intake.errors import (
    BeneficiaryNotFound,
    ChangeForbidden,
    ExternalIdRegistered,
    ExternalIdTaken,
    InvalidFields,
    RecordNotActive,
    RegistrationForbidden,
)
from services.intake.schemas.beneficiary import PATCHABLE, BeneficiaryCreate, BeneficiaryUpdate
from services.intake.service import events, versions
from shared import clock
from shared.auth import Principal
from shared.territory_client import TerritoryClient

REQUIRED = frozenset({"given_name", "family_name", "birth_date"})
OWNER_VIEW = View(ALL_SECTIONS, owner=True, emergency=False)


def _raise(problems: list[FieldProblem]) -> None:
    if problems:
        raise InvalidFields([(problem.field, problem.message) for problem in problems])


def new_document(body: BeneficiaryCreate, today: date) -> tuple[dict[str, Any], list[FieldProblem]]:
    """A registration's record, with an id on each qualification, and its problems: dates, and
    what a new record cannot hold (a qualification's id, a document)."""
    sent = body.model_dump(mode="json", exclude_none=True)
    document, problems = qualifications.with_ids({}, sent)
    problems += check_dates(document, today)
    problems += qualifications.unknown_documents(document, ())
    return document, problems


async def _check_change(
    session: AsyncSession, row: Beneficiary, after: dict[str, Any]
) -> dict[str, Any]:
    """The changed record with its qualifications' ids, checked: dates, ids, and that every
    document a qualification names is the person's."""
    document, problems = qualifications.with_ids(row.profile, after)
    problems += check_dates(document, clock.today())
    if named := qualifications.documents_named(document):
        owned = await documents.owned(session, row.id, named)
        problems += qualifications.unknown_documents(document, owned)
    _raise(problems)
    return document


def new_row(principal: Principal, document: dict[str, Any]) -> Beneficiary:
    assert principal.organization_id is not None
    moment = clock.now()
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


def as_shown(row: Beneficiary, view: View, today: date | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(row.id),
        "organization_id": str(row.organization_id),
        "status": row.status,
        "visible_sections": sorted(view.sections),
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }
    today = today or clock.today()
    body.update(shown(row.profile, view, today, allows_work=row.permit_allows_work))
    return body


async def possible_duplicates(
    session: AsyncSession, principal: Principal, row: Beneficiary, *, threshold_only: bool = True
) -> list[dict[str, Any]]:
    """People the caller may see who look like ``row``, best first, with the reasons.

    Only visible records: telling an operator that someone with this name and birth date is
    registered by an organisation the person did not share with would disclose it."""
    if not row.blocking_keys:
        return []
    others = await beneficiaries.look_alikes(
        session, principal, list(row.blocking_keys), other_than=row.id
    )
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


def _territory(document: Mapping[str, Any]) -> dict[str, str]:
    code = document.get("territory_code")
    return {"body.territory_code": code} if code is not None else {}


async def register(
    session: AsyncSession, principal: Principal, body: BeneficiaryCreate, matching: TerritoryClient
) -> tuple[Beneficiary, list[dict[str, Any]]]:
    if not access.works_on_cases(principal):
        raise RegistrationForbidden
    document, problems = new_document(body, clock.today())
    _raise(problems)
    await matching.require_known(_territory(document))
    external = document.get("external_id")
    if external and principal.organization_id is not None:
        registered = await beneficiaries.registered_external_ids(
            session, principal.organization_id, [external]
        )
        if registered:
            raise ExternalIdRegistered(registered[external])
    row = new_row(principal, document)
    try:
        await beneficiaries.add(session, row)
    except IntegrityError as error:
        raise ExternalIdRegistered from error
    await records.record_change(
        session, principal, row.id, "registered", {"fields": sorted(document)}
    )
    await events.changed(session, row, registered=True)
    await events.access_changed(session, row, [], matching_consent=False)
    return row, await possible_duplicates(session, principal, row)


async def visible(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID
) -> tuple[Beneficiary, View]:
    """The record and what the caller may see of it; 404 when nothing (or not there)."""
    return await beneficiaries.get_visible(session, principal, beneficiary_id)


async def seen(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, *, lock: bool = False
) -> tuple[Beneficiary, View]:
    """The active record and what the caller may see of it; 404 when nothing (the notes and the
    documents of a person). ``lock``: a write takes the person's row, so an erasure or a merge
    waits for it (or it for them, and then finds the person gone)."""
    row = await beneficiaries.active_or_404(session, beneficiary_id, lock=lock)
    view = access.view_of(
        principal, row.organization_id, await grants.grants_on(session, row.id), clock.now()
    )
    if view is None:
        raise BeneficiaryNotFound
    return row, view


@dataclass(frozen=True)
class MergedInto:
    """A merged record read by its old id: where the person is now."""

    merged_id: uuid.UUID
    survivor_id: uuid.UUID


async def read(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID
) -> tuple[Beneficiary, View] | MergedInto:
    """The record as the caller may see it (the read logged), or where a merged one went. The
    row is read once."""
    row = await beneficiaries.any_status(session, beneficiary_id)
    if row is not None and row.status == "merged" and row.merged_into is not None:
        survivor, _view = await beneficiaries.get_visible(session, principal, row.merged_into)
        return MergedInto(merged_id=row.id, survivor_id=survivor.id)
    if row is None:
        raise BeneficiaryNotFound
    view = await beneficiaries.view_or_404(session, principal, row)
    await records.log_access(
        session,
        principal,
        [row.id],
        action="read",
        purpose="GET /api/v1/beneficiaries/{beneficiary_id}",
        emergency=view.emergency,
    )
    return row, view


def _patched(before: dict[str, Any], body: BeneficiaryUpdate) -> dict[str, Any]:
    """The profile after the patch: ``null`` removes an optional field, never a required one.
    A field sent is stored as a registration stores it (its parts' defaults filled in), so that
    sending back what was read changes nothing."""
    dumped = body.model_dump(mode="json", exclude_none=True)
    patch = {field: dumped.get(field) for field in body.model_fields_set}
    cleared = sorted(field for field, value in patch.items() if value is None and field in REQUIRED)
    if cleared:
        raise InvalidFields([(field, "is required and cannot be cleared") for field in cleared])
    after = {**before, **{k: v for k, v in patch.items() if v is not None and k in PATCHABLE}}
    for field, value in patch.items():
        if value is None:
            after.pop(field, None)
    return after


def check_changeable(principal: Principal, row: Beneficiary) -> None:
    """What PATCH refuses before looking at the body: a record not active, or not the caller's
    organisation's to change."""
    if row.status != "active":
        raise RecordNotActive(row.status)
    if not access.may_change(principal, row.organization_id):
        raise ChangeForbidden


async def change(
    session: AsyncSession, principal: Principal, locked: Beneficiary, body: BeneficiaryUpdate
) -> bool:
    """PATCH's rules on a locked record: the new version, its history entry and
    ``beneficiary.updated``; False, and nothing written, when nothing would change. Shared by
    PATCH and a batch's upsert."""
    before = dict(locked.profile)
    after = await _check_change(session, locked, _patched(before, body))
    diff = changes(before, after)
    if not diff:
        return False
    versions.set_profile(locked, after, principal.subject)
    try:
        await session.flush()
    except IntegrityError as error:
        raise ExternalIdTaken from error
    await versions.announce(
        session, locked, principal.subject, principal.organization_id, "updated", diff
    )
    return True


async def update(
    session: AsyncSession,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    body: BeneficiaryUpdate,
    check_version: Callable[[int], Any],
    matching: TerritoryClient,
) -> Beneficiary:
    row, _view = await beneficiaries.get_visible(session, principal, beneficiary_id)
    check_changeable(principal, row)
    # A new code is checked before the row is locked (matching may take a while to answer).
    if body.territory_code is not None and body.territory_code != row.territory_code:
        await matching.require_known(_territory({"territory_code": body.territory_code}))
    locked = await beneficiaries.any_status(session, row.id, lock=True)
    assert locked is not None
    check_version(locked.version)
    await change(session, principal, locked, body)
    return locked
