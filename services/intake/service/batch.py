"""Bulk registration for partner systems: up to 500 people in one request, validated one by one,
written with bulk statements (one INSERT for the people, one for their history, one for their
events), each answered with its own result. ``all_or_nothing`` writes nothing if any item fails.

The duplicate scoring of a batch is bounded (``Limits``, from the service's settings) and runs in
the service's process pool, never on the event loop: 250 look-alike people used to hold the loop
for seconds, stalling every other organisation's requests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import beneficiaries, records
from services.intake.db.models import Beneficiary
from services.intake.domain import access
from services.intake.domain.duplicates import PersonKey
from services.intake.domain.linkage import Record, batch_duplicates
from services.intake.domain.record import person_key
from services.intake.errors import (
    BatchExternalIdsTaken,
    BatchNotRegistered,
    FieldRefused,
    RegistrationForbidden,
    TooManyCandidates,
)
from services.intake.schemas.beneficiary import BeneficiaryCreate
from services.intake.service import events, territories
from services.intake.service.beneficiaries import new_document, new_row
from shared import clock
from shared.auth import Principal
from shared.contracts import intake as contract
from shared.errors import FieldError, validation_errors
from shared.offload import run_in_process
from shared.territory_client import TerritoryClient

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


def item_errors(index: int, problems: list[FieldError]) -> list[dict[str, Any]]:
    """Field errors of item ``index``, their fields under ``body.items.<index>``."""
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
    today = clock.today()
    seen_external: dict[str, int] = {}
    for index, item in enumerate(items):
        parsed = parse(item)
        if isinstance(parsed, list):
            invalid[index] = item_errors(index, parsed)
            continue
        document, problems = new_document(parsed, today)
        if problems:
            invalid[index] = item_errors(
                index,
                [
                    FieldError(field=f"body.{p.field}", message=p.message, code="invalid")
                    for p in problems
                ],
            )
            continue
        external = document.get("external_id")
        if external is not None and external in seen_external:
            invalid[index] = item_errors(
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


def parse(item: Any) -> BeneficiaryCreate | list[FieldError]:
    """The item as a registration, or its schema's errors (fields ``body.<field>``)."""
    try:
        return _ITEM.validate_python(item)
    except ValidationError as error:
        return validation_errors([{**e, "loc": ("body", *e["loc"])} for e in error.errors()])


def admit(principal: Principal, count: int, limits: Limits) -> None:
    """403 unless the caller registers people; 422 beyond the batch's size."""
    if not access.works_on_cases(principal) or principal.organization_id is None:
        raise RegistrationForbidden
    if count > limits.max_items:
        raise FieldRefused(
            f"A batch carries at most {limits.max_items} people; split this one.",
            "items",
            f"has {count} items, more than {limits.max_items}",
            "too_long",
        )


async def _taken(
    session: AsyncSession,
    principal: Principal,
    documents: dict[int, dict[str, Any]],
    invalid: dict[int, list[dict[str, Any]]],
) -> dict[int, str]:
    """Items whose external_id the organisation already registered become conflicts; the ids of
    the people registered under them, by item."""
    assert principal.organization_id is not None
    externals = {
        doc["external_id"]: index for index, doc in documents.items() if doc.get("external_id")
    }
    registered = await beneficiaries.registered_external_ids(
        session, principal.organization_id, list(externals)
    )
    for external in registered:
        index = externals[external]
        invalid[index] = item_errors(
            index,
            [
                FieldError(
                    field="body.external_id", message="is already registered", code="conflict"
                )
            ],
        )
        documents.pop(index, None)
    return {externals[external]: str(id_) for external, id_ in registered.items()}


async def unknown_territories(
    matching: TerritoryClient,
    documents: dict[int, dict[str, Any]],
    invalid: dict[int, list[dict[str, Any]]],
) -> None:
    """Items whose territory code names no territory become invalid (one call for the batch;
    503, nothing written, when matching does not answer)."""
    codes = {
        index: doc["territory_code"]
        for index, doc in documents.items()
        if doc.get("territory_code")
    }
    for index, code in (await territories.unknown_codes(matching, codes)).items():
        invalid[index] = item_errors(
            index,
            [
                FieldError(
                    field="body.territory_code",
                    message=f"no territory has the code {code!r}",
                    code="unknown",
                )
            ],
        )
        documents.pop(index, None)


async def register_many(
    session: AsyncSession,
    principal: Principal,
    items: list[Any],
    *,
    all_or_nothing: bool,
    matching: TerritoryClient,
    limits: Limits = Limits(),
) -> list[dict[str, Any]]:
    admit(principal, len(items), limits)
    documents, invalid = _validate(items)
    existing = await _taken(session, principal, documents, invalid)
    await unknown_territories(matching, documents, invalid)
    if all_or_nothing and invalid:
        raise BatchNotRegistered(
            [FieldError(**error) for errors in invalid.values() for error in errors],
            [
                _result(
                    index, invalid=invalid.get(index), written=False, existing=existing.get(index)
                )
                for index in range(len(items))
            ],
        )
    rows = {index: new_row(principal, document) for index, document in documents.items()}
    duplicates = await find_duplicates(session, principal, rows, limits)
    if rows:
        await _write(session, principal, list(rows.values()))
    return [
        _result(index, invalid=invalid[index], written=False, existing=existing.get(index))
        if index in invalid
        else _created(index, rows[index], duplicates.get(index, []))
        for index in range(len(items))
    ]


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """A batch's answer: how many people were registered, changed, left as they were; the
    results."""
    statuses = Counter(result["status"] for result in results)
    return {
        "created": statuses["created"] + statuses["possible_duplicate"],
        "updated": statuses["updated"],
        "unchanged": statuses["unchanged"],
        "results": results,
    }


def _created(index: int, row: Beneficiary, duplicates: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "index": index,
        "status": "possible_duplicate" if duplicates else "created",
        "id": str(row.id),
        "possible_duplicates": duplicates,
    }


async def _write(session: AsyncSession, principal: Principal, rows: list[Beneficiary]) -> None:
    """The people, their history and their events, each in one statement."""
    try:
        await beneficiaries.add_many(session, rows)
    except IntegrityError as error:  # a concurrent request took an external_id meanwhile
        raise BatchExternalIdsTaken from error
    await announce_registered(session, principal, rows)


async def announce_registered(
    session: AsyncSession, principal: Principal, rows: list[Beneficiary]
) -> None:
    """The registered people's history rows and events (``beneficiary.registered`` and their
    first ``access_changed``), as a single registration writes them."""
    if not rows:
        return
    await records.record_registrations(
        session, principal, [(row.id, sorted(row.profile)) for row in rows]
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
            for row in rows
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
            for row in rows
        ],
    )


def _result(
    index: int,
    *,
    invalid: list[dict[str, Any]] | None,
    written: bool,
    existing: str | None = None,
) -> dict[str, Any]:
    if invalid:
        status = "conflict" if all(e["code"] == "conflict" for e in invalid) else "invalid"
        result = {"index": index, "status": status, "errors": invalid}
        return {**result, "existing_id": existing} if existing else result
    return {"index": index, "status": "created" if written else "not_created"}


async def find_duplicates(
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
    found = await beneficiaries.keys_of_look_alikes(
        session, principal, keys, limits.candidate_rows + 1
    )
    if len(found) > limits.candidate_rows:
        raise TooManyCandidates(limits.candidate_rows)
    existing = [_record(row) for row in found]
    pairs = len(newcomers) * min(limits.per_person, len(existing) + len(newcomers) - 1)
    if pairs <= INLINE_COMPARISONS:
        return batch_duplicates(newcomers, existing, per_person=limits.per_person)
    return await run_in_process(batch_duplicates, newcomers, existing, per_person=limits.per_person)


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
