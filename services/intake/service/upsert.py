"""A batch in ``upsert`` mode: each item names the person by the organisation's own
``external_id``; a record the organisation registered under it is changed by PATCH's rules (or
left ``unchanged`` when nothing would change), otherwise the person is registered. Every write
owes what a single one owes: the history entry and the event (``beneficiary.updated``, or
``beneficiary.registered`` and ``access_changed``); an unchanged item writes nothing.

Two upserts of one external_id at once never make two records: the records found are locked, and
the new ones are inserted with ``ON CONFLICT DO NOTHING`` on ``uq_beneficiary_external_id``; an
insert another transaction won (this one waited for it) is read again, locked, and updated."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import beneficiaries
from services.intake.db.models import Beneficiary
from services.intake.domain.enums import ItemStatus
from services.intake.schemas.beneficiary import BeneficiaryCreate, BeneficiaryUpdate
from services.intake.service import batch
from services.intake.service.beneficiaries import (
    change,
    check_changeable,
    new_document,
    new_row,
)
from shared import clock
from shared.auth import Principal
from shared.errors import FieldError, Problem, UnprocessableContent, problem_body
from shared.territory_client import TerritoryClient

# A record inserted concurrently is found at the next round; a second round always finds it.
_ROUNDS = 2


def error(index: int, problem: Problem, existing: Beneficiary | None = None) -> dict[str, Any]:
    """An item's error result: the problem (RFC 9457) and its field errors under
    ``body.items.<index>``; ``id``, the record the item named, when there is one."""
    errors = batch.item_errors(index, list(problem.errors or ()))
    body = problem_body(
        problem.status,
        slug=problem.slug,
        title=problem.title,
        detail=problem.detail,
        errors=[FieldError(**item) for item in errors],
    )
    result: dict[str, Any] = {
        "index": index,
        "status": ItemStatus.ERROR.value,
        "errors": errors,
        "problem": body,
    }
    return {**result, "id": str(existing.id)} if existing is not None else result


def _invalid(index: int, errors: list[FieldError]) -> dict[str, Any]:
    return error(index, UnprocessableContent("The item is not valid; see errors.", errors=errors))


def repeated(items: list[Any]) -> dict[int, dict[str, Any]]:
    """The error result of each item whose external_id (as stored: trimmed) an earlier item of
    the batch carries, valid or not: which of two records the partner meant is not ours to
    guess."""
    first: dict[str, int] = {}
    results: dict[int, dict[str, Any]] = {}
    for index, item in enumerate(items):
        external = item.get("external_id") if isinstance(item, dict) else None
        if not isinstance(external, str) or not external.strip():
            continue
        key = external.strip()
        if key in first:
            results[index] = refused(index, f"repeats item {first[key]} of this batch", "conflict")
        else:
            first[key] = index
    return results


def _parse(
    items: list[Any],
) -> tuple[dict[int, BeneficiaryCreate], dict[int, dict[str, Any]]]:
    """Each item as a registration carrying an external_id, or its error result."""
    parsed: dict[int, BeneficiaryCreate] = {}
    results = repeated(items)
    for index, item in enumerate(items):
        if index in results:
            continue
        found = batch.parse(item)
        if isinstance(found, list):
            results[index] = _invalid(index, found)
        elif found.external_id is None:
            results[index] = refused(index, "is required in upsert mode", "missing")
        else:
            parsed[index] = found
    return parsed, results


def refused(index: int, message: str, code: str) -> dict[str, Any]:
    field = FieldError(field="body.external_id", message=message, code=code)
    return error(index, UnprocessableContent(f"external_id {message}.", errors=[field]))


async def upsert_many(
    session: AsyncSession,
    principal: Principal,
    items: list[Any],
    *,
    matching: TerritoryClient,
    limits: batch.Limits,
) -> list[dict[str, Any]]:
    """A result per item, in order: created, updated, unchanged or error."""
    batch.admit(principal, len(items), limits)
    assert principal.organization_id is not None
    parsed, results = _parse(items)
    documents = {
        index: item.model_dump(mode="json", exclude_none=True) for index, item in parsed.items()
    }
    invalid: dict[int, list[dict[str, Any]]] = {}
    await batch.unknown_territories(matching, documents, invalid)
    for index, errors in invalid.items():  # fields under body.items.<index>: back to body.<field>
        prefix = f"body.items.{index}."
        unprefixed = [
            FieldError(**{**e, "field": "body." + e["field"].removeprefix(prefix)}) for e in errors
        ]
        results[index] = _invalid(index, unprefixed)
        parsed.pop(index)
    for _round in range(_ROUNDS):
        registered = await beneficiaries.owned_by_external_ids(
            session, principal.organization_id, [item.external_id or "" for item in parsed.values()]
        )
        for index, item in list(parsed.items()):
            row = registered.get(item.external_id or "")
            if row is not None:
                results[index] = await _update(session, principal, index, row, items[index])
                del parsed[index]
        if not parsed:
            break
        results.update(await _create(session, principal, parsed, limits))
        for index in results.keys() & parsed.keys():
            del parsed[index]
    assert not parsed, "an external_id neither registered nor insertable"
    return [results[index] for index in range(len(items))]


async def _update(
    session: AsyncSession, principal: Principal, index: int, row: Beneficiary, item: Any
) -> dict[str, Any]:
    """The item as a PATCH of the fields it carries (null clears an optional one)."""
    try:
        check_changeable(principal, row)
        changed = await change(session, principal, row, BeneficiaryUpdate.model_validate(item))
    except Problem as problem:
        return error(index, problem, row)
    status = ItemStatus.UPDATED if changed else ItemStatus.UNCHANGED
    return {"index": index, "status": status.value, "id": str(row.id)}


async def _create(
    session: AsyncSession,
    principal: Principal,
    parsed: dict[int, BeneficiaryCreate],
    limits: batch.Limits,
) -> dict[int, dict[str, Any]]:
    """Registers the items no record holds; results for those registered or invalid (an item
    another transaction registered meanwhile has none: the next round updates it)."""
    results: dict[int, dict[str, Any]] = {}
    rows: dict[int, Beneficiary] = {}
    today = clock.today()
    for index, item in parsed.items():
        document, problems = new_document(item, today)
        if problems:
            errors = [
                FieldError(field=f"body.{p.field}", message=p.message, code="invalid")
                for p in problems
            ]
            results[index] = _invalid(index, errors)
        else:
            rows[index] = new_row(principal, document)
    duplicates = await batch.find_duplicates(session, principal, rows, limits)
    inserted = await beneficiaries.add_unless_registered(session, list(rows.values()))
    await batch.announce_registered(
        session, principal, [row for row in rows.values() if row.id in inserted]
    )
    for index, row in rows.items():
        if row.id in inserted:
            results[index] = {
                "index": index,
                "status": ItemStatus.CREATED.value,
                "id": str(row.id),
                "possible_duplicates": duplicates.get(index, []),
            }
    return results
