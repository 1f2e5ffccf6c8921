"""Bulk registration for partner systems: up to 500 people in one request, validated one by one,
written with bulk statements (one INSERT for the people, one for their history, one for their
events), each answered with its own result. ``all_or_nothing`` writes nothing if any item fails.

The duplicate scoring of a batch is bounded (``Limits``, from the service's settings) and runs in
the service's process pool, never on the event loop: 250 look-alike people used to hold the loop
for seconds, stalling every other organisation's requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import repository
from services.intake.db.models import Beneficiary, Change
from services.intake.domain import access
from services.intake.domain.duplicates import PersonKey
from services.intake.domain.linkage import Record, batch_duplicates
from services.intake.domain.profile import check_dates
from services.intake.domain.record import person_key
from services.intake.schemas.beneficiary import BeneficiaryCreate
from services.intake.service import events
from services.intake.service.beneficiaries import document_of, new_row, now
from shared.auth import Principal
from shared.contracts import intake as contract
from shared.errors import (
    Conflict,
    FieldError,
    Forbidden,
    UnprocessableContent,
    validation_errors,
)
from shared.offload import run_in_process

MAX_ITEMS = 500
# Below this many comparisons (a few milliseconds) the scoring runs inline: the hop to the pool
# would cost more than it saves.
INLINE_COMPARISONS = 100
_ITEM = TypeAdapter(BeneficiaryCreate)


@dataclass(frozen=True)
class Limits:
    """The work one batch may ask for; the defaults are ``IntakeSettings``'."""

    max_items: int = MAX_ITEMS
    per_person: int = 50  # others each newcomer is scored against
    candidate_rows: int = 20_000  # registered people the batch's blocking keys may reach


def _errors(index: int, problems: list[FieldError]) -> list[dict[str, Any]]:
    prefix = f"body.items.{index}."
    return [
        {**problem.model_dump(), "field": prefix + problem.field.removeprefix("body.")}
        for problem in problems
    ]


def _validate(
    items: list[Any],
) -> tuple[dict[int, dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    documents: dict[int, dict[str, Any]] = {}
    invalid: dict[int, list[dict[str, Any]]] = {}
    today = now().date()
    seen_external: dict[str, int] = {}
    for index, item in enumerate(items):
        try:
            document = document_of(_ITEM.validate_python(item))
        except ValidationError as error:
            invalid[index] = _errors(
                index,
                validation_errors([{**e, "loc": ("body", *e["loc"])} for e in error.errors()]),
            )
            continue
        problems = check_dates(document, today)
        if problems:
            invalid[index] = _errors(
                index,
                [
                    FieldError(field=f"body.{p.field}", message=p.message, code="invalid")
                    for p in problems
                ],
            )
            continue
        external = document.get("external_id")
        if external is not None and external in seen_external:
            invalid[index] = _errors(
                index,
                [
                    FieldError(
                        field="body.external_id", message="repeats an earlier item", code="conflict"
                    )
                ],
            )
            continue
        if external is not None:
            seen_external[external] = index
        documents[index] = document
    return documents, invalid


async def register_many(
    session: AsyncSession,
    principal: Principal,
    items: list[Any],
    *,
    all_or_nothing: bool,
    limits: Limits = Limits(),
) -> list[dict[str, Any]]:
    if not access.works_on_cases(principal) or principal.organization_id is None:
        raise Forbidden("Your role does not register people.")
    if len(items) > limits.max_items:
        raise UnprocessableContent(
            f"A batch carries at most {limits.max_items} people; split this one.",
            errors=[
                FieldError(
                    field="body.items",
                    message=f"has {len(items)} items, more than {limits.max_items}",
                    code="too_long",
                )
            ],
        )
    documents, invalid = _validate(items)
    externals = {
        doc["external_id"]: index for index, doc in documents.items() if doc.get("external_id")
    }
    if externals:
        taken = await session.scalars(
            select(Beneficiary.external_id).where(
                Beneficiary.organization_id == principal.organization_id,
                Beneficiary.external_id.in_(list(externals)),
            )
        )
        for external in taken:
            if external is None:
                continue
            index = externals[external]
            invalid[index] = _errors(
                index,
                [
                    FieldError(
                        field="body.external_id", message="is already registered", code="conflict"
                    )
                ],
            )
            documents.pop(index, None)
    if all_or_nothing and invalid:
        raise UnprocessableContent(
            "Nothing was registered: some items are invalid (all_or_nothing).",
            errors=[FieldError(**error) for errors in invalid.values() for error in errors],
            results=[
                _result(index, invalid=invalid.get(index), written=False)
                for index in range(len(items))
            ],
        )
    rows = {index: new_row(principal, document) for index, document in documents.items()}
    duplicates = await _duplicates(session, principal, rows, limits)
    if rows:
        try:
            await session.execute(insert(Beneficiary), [_values(row) for row in rows.values()])
        except IntegrityError as error:  # a concurrent request took an external_id meanwhile
            raise Conflict(
                "Another request registered one of these external_ids meanwhile; send the batch"
                " again to get a result per item."
            ) from error
        await session.execute(
            insert(Change),
            [
                {
                    "beneficiary_id": row.id,
                    "action": "registered",
                    "changes": {"fields": sorted(row.profile)},
                    "actor": principal.subject,
                    "actor_organization_id": principal.organization_id,
                }
                for row in rows.values()
            ],
        )
        await events.publish_many(
            session,
            [
                (
                    contract.REGISTERED,
                    contract.BeneficiaryChanged(
                        beneficiary_id=row.id,
                        organization_id=row.organization_id,
                        profile=events.matching_profile(row.profile),
                    ),
                )
                for row in rows.values()
            ]
            + [
                (
                    contract.ACCESS_CHANGED,
                    contract.AccessChanged(
                        beneficiary_id=row.id,
                        owner_organization_id=row.organization_id,
                        grants=[],
                        matching_consent=False,
                        version=row.access_version,
                    ),
                )
                for row in rows.values()
            ],
        )
    results = []
    for index in range(len(items)):
        if index in invalid:
            results.append(_result(index, invalid=invalid[index], written=False))
        else:
            found = duplicates.get(index, [])
            results.append(
                {
                    "index": index,
                    "status": "possible_duplicate" if found else "created",
                    "id": str(rows[index].id),
                    "possible_duplicates": found,
                }
            )
    return results


def _result(index: int, *, invalid: list[dict[str, Any]] | None, written: bool) -> dict[str, Any]:
    if invalid:
        status = "conflict" if all(e["code"] == "conflict" for e in invalid) else "invalid"
        return {"index": index, "status": status, "errors": invalid}
    return {"index": index, "status": "created" if written else "not_created"}


def _values(row: Beneficiary) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in Beneficiary.__table__.columns}


async def _duplicates(
    session: AsyncSession, principal: Principal, rows: dict[int, Beneficiary], limits: Limits
) -> dict[int, list[dict[str, Any]]]:
    """Against the people the caller may see, and within the batch: one candidate query, then
    the scoring off the loop. Raises 422 (before anything is written) when the batch's keys
    reach more registered people than ``limits.candidate_rows``."""
    newcomers = [
        Record(
            id=str(row.id),
            organization_id=str(row.organization_id),
            key=person_key(row.profile),
            blocking_keys=tuple(row.blocking_keys),
            index=index,
        )
        for index, row in rows.items()
    ]
    keys = sorted({key for row in rows.values() for key in row.blocking_keys})
    if not keys:
        return {}
    statement = (
        repository.visible(principal, now())
        .where(Beneficiary.blocking_keys.overlap(keys))
        .with_only_columns(*_KEY_COLUMNS)
        .limit(limits.candidate_rows + 1)
    )
    found = (await session.execute(statement)).all()
    if len(found) > limits.candidate_rows:
        raise UnprocessableContent(
            f"This batch resembles more than {limits.candidate_rows} registered people, more "
            "than one batch may be checked against for duplicates; nothing was registered. "
            "Send it in smaller batches.",
            errors=[
                FieldError(
                    field="body.items",
                    message=f"reaches more than {limits.candidate_rows} possible duplicates",
                    code="too_many_candidates",
                )
            ],
        )
    existing = [_record(row) for row in found]
    pairs = len(newcomers) * min(limits.per_person, len(existing) + len(newcomers) - 1)
    if pairs <= INLINE_COMPARISONS:
        return batch_duplicates(newcomers, existing, per_person=limits.per_person)
    return await run_in_process(batch_duplicates, newcomers, existing, per_person=limits.per_person)


# What scoring reads of a registered person: the columns ``record.columns`` derives from the
# same fields ``person_key`` reads, so the profile (up to 100 skills...) is not loaded.
_KEY_COLUMNS = (
    Beneficiary.id,
    Beneficiary.organization_id,
    Beneficiary.given_name,
    Beneficiary.family_name,
    Beneficiary.birth_date,
    Beneficiary.sex,
    Beneficiary.nationality,
    Beneficiary.country_of_birth,
    Beneficiary.blocking_keys,
)


def _record(row: Any) -> Record:
    return Record(
        id=str(row.id),
        organization_id=str(row.organization_id),
        key=PersonKey(
            given_name=row.given_name or "",
            family_name=row.family_name or "",
            birth_date=row.birth_date,
            sex=row.sex,
            nationality=row.nationality,
            country_of_birth=row.country_of_birth,
        ),
        blocking_keys=tuple(row.blocking_keys),
    )
