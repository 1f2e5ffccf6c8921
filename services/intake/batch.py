"""Bulk registration for partner systems: up to 500 people in one request, validated one by one,
written with bulk statements (one INSERT for the people, one for their history, one for their
events), each answered with its own result. ``all_or_nothing`` writes nothing if any item fails."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import events
from services.intake.db import repository
from services.intake.db.models import Beneficiary, Change
from services.intake.domain import access
from services.intake.domain.duplicates import score
from services.intake.domain.profile import check_dates
from services.intake.domain.record import person_key
from services.intake.registry import document_of, new_row, now
from services.intake.schemas.beneficiary import BeneficiaryCreate
from shared.auth import Principal
from shared.contracts import intake as contract
from shared.errors import (
    Conflict,
    FieldError,
    Forbidden,
    UnprocessableContent,
    validation_errors,
)

MAX_ITEMS = 500
_ITEM = TypeAdapter(BeneficiaryCreate)


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
    session: AsyncSession, principal: Principal, items: list[Any], *, all_or_nothing: bool
) -> list[dict[str, Any]]:
    if not access.works_on_cases(principal) or principal.organization_id is None:
        raise Forbidden("Your role does not register people.")
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
    duplicates = await _duplicates(session, principal, rows)
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
    session: AsyncSession, principal: Principal, rows: dict[int, Beneficiary]
) -> dict[int, list[dict[str, Any]]]:
    """Against the people the caller may see, and within the batch: one candidate query."""
    keys = sorted({key for row in rows.values() for key in row.blocking_keys})
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not keys:
        return found
    existing = (
        await session.scalars(
            repository.visible(principal, now()).where(Beneficiary.blocking_keys.overlap(keys))
        )
    ).all()
    by_key: dict[str, list[tuple[uuid.UUID, uuid.UUID, Any, int | None]]] = defaultdict(list)
    for other in existing:
        for key in other.blocking_keys:
            by_key[key].append((other.id, other.organization_id, person_key(other.profile), None))
    for index, row in rows.items():
        for key in row.blocking_keys:
            by_key[key].append((row.id, row.organization_id, person_key(row.profile), index))
    for index, row in rows.items():
        mine = person_key(row.profile)
        compared: set[uuid.UUID] = set()
        for key in row.blocking_keys:
            for other_id, organization_id, other_key, _other_index in by_key[key]:
                if other_id == row.id or other_id in compared:
                    continue
                compared.add(other_id)
                match = score(mine, other_key)
                if match.likely:
                    found[index].append(
                        {
                            "id": str(other_id),
                            "score": round(match.score, 3),
                            "reasons": match.reasons,
                            "organization_id": str(organization_id),
                        }
                    )
        found[index].sort(key=lambda item: -item["score"])
    return found
