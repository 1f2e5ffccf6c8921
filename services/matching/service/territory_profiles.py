"""A territory's profile: the values a coordinator (or the platform admin) enters or imports
from a CSV, each dated and sourced, and the figures Ponte computes for the territory from its
own data, suppressed where they count people."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import cluster_scope, territory_profiles
from services.matching.db import territories as territory_db
from services.matching.db.cluster_tables import TerritoryProfile
from services.matching.db.territorial_analysis import plain_plans
from services.matching.domain.territory_profiles import (
    FOREIGN_RESIDENTS,
    BadHeader,
    csv_records,
    may_coordinate,
    per_thousand,
    reads_profiles,
)
from services.matching.errors import NotAProfileReader, NotAProfileWriter, UnknownTerritory
from services.matching.schemas.territory_profiles import MAX_VALUES, ProfileValueIn
from shared.auth import Principal
from shared.errors import FieldError, UnprocessableContent
from shared.suppression import suppress

_MANY: TypeAdapter[list[ProfileValueIn]] = TypeAdapter(list[ProfileValueIn])


async def require_territory(session: AsyncSession, code: str) -> None:
    if not await territory_db.known_codes(session, [code]):
        raise UnknownTerritory()


async def check_writer(session: AsyncSession, principal: Principal, code: str) -> None:
    """The platform admin, or a coordinator of a cluster whose territories contain ``code``."""
    if principal.is_platform_admin:
        return
    if may_coordinate(principal) and principal.organization_id is not None:
        clusters = await cluster_scope.coordinated_cluster_ids(session, principal.organization_id)
        roots = await territory_profiles.coordinated_territories(session, clusters)
        if code in await territory_db.subtree_codes(session, roots):
            return
    raise NotAProfileWriter()


def _field_errors(error: ValidationError, prefix: str) -> list[FieldError]:
    return [
        FieldError(
            field=".".join([prefix, *(str(part) for part in item["loc"])]),
            message=item["msg"],
            code=item["type"],
        )
        for item in error.errors()
    ]


def parse_json(document: Any) -> list[ProfileValueIn]:
    """One value (an object) or a list of them; errors name ``body.<index>.<field>``."""
    try:
        if isinstance(document, list):
            return _MANY.validate_python(document)
        return [ProfileValueIn.model_validate(document)]
    except ValidationError as error:
        raise UnprocessableContent(
            "Invalid profile values; nothing was stored.", errors=_field_errors(error, "body")
        ) from error


def parse_csv(text: str) -> list[ProfileValueIn]:
    """Every line checked; any bad line refuses the whole file, each named by its line."""
    try:
        records = csv_records(text)
    except BadHeader as error:
        raise UnprocessableContent(
            "Invalid CSV.",
            errors=[FieldError(field="body.line.1", message=str(error), code="header")],
        ) from error
    values, errors = [], []
    for line, fields in records:
        extra = fields.pop("extra_columns", None)
        if extra is not None:
            errors.append(
                FieldError(field=f"body.line.{line}", message="too many columns", code="columns")
            )
            continue
        try:
            values.append(ProfileValueIn.model_validate(fields))
        except ValidationError as error:
            errors += _field_errors(error, f"body.line.{line}")
    if errors:
        raise UnprocessableContent("Invalid CSV lines; nothing was stored.", errors=errors)
    return values


async def create(
    session: AsyncSession, principal: Principal, code: str, values: list[ProfileValueIn]
) -> list[TerritoryProfile]:
    if not values:
        raise UnprocessableContent(
            "No values.", errors=[FieldError(field="body", message="no values", code="empty")]
        )
    if len(values) > MAX_VALUES:
        message = f"at most {MAX_VALUES} values at once"
        raise UnprocessableContent(
            message, errors=[FieldError(field="body", message=message, code="too_long")]
        )
    rows = [
        TerritoryProfile(
            id=uuid.uuid4(),
            territory_code=code,
            kind=value.kind,
            variable=value.variable,
            value_number=value.value if isinstance(value.value, Decimal) else None,
            value_text=value.value if isinstance(value.value, str) else None,
            unit=value.unit,
            reference_year=value.reference_year,
            source=value.source,
            source_url=value.source_url,
            created_by=principal.subject,
        )
        for value in values
    ]
    await territory_profiles.add(session, rows)
    return rows


def as_read(row: TerritoryProfile) -> dict[str, Any]:
    value: float | str = (
        float(row.value_number) if row.value_number is not None else str(row.value_text)
    )
    return {
        "id": str(row.id),
        "kind": row.kind,
        "variable": row.variable,
        "value": value,
        "unit": row.unit,
        "reference_year": row.reference_year,
        "source": row.source,
        "source_url": row.source_url,
        "created_at": row.created_at.isoformat(),
    }


async def read(
    session: AsyncSession, principal: Principal, code: str, *, history: bool
) -> dict[str, Any]:
    if not reads_profiles(principal):
        raise NotAProfileReader()
    await require_territory(session, code)
    await plain_plans(session)
    rows = await territory_profiles.values(session, code, history=history)
    latest = rows if not history else await territory_profiles.values(session, code, history=False)
    return {
        "territory": code,
        "items": [as_read(row) for row in rows],
        "next_cursor": None,
        "computed": await computed(session, code, latest),
    }


def _residents(latest: list[TerritoryProfile]) -> TerritoryProfile | None:
    for row in latest:
        if row.variable == FOREIGN_RESIDENTS and row.value_number is not None:
            return row
    return None


async def computed(
    session: AsyncSession, code: str, latest: list[TerritoryProfile]
) -> dict[str, Any]:
    """Ponte's own figures for ``code`` and every unit under it."""
    codes = await territory_db.subtree_codes(session, [code])
    residents = _residents(latest)
    population = float(residents.value_number) if residents and residents.value_number else None
    points = await territory_profiles.service_points(session, codes)
    by_kind = {row.kind: row.points for row in points if row.kind is not None}
    total = next((row for row in points if row.kind is None), None)
    people = await territory_profiles.people(session, codes)
    median = total.median_minutes if total is not None else None
    return {
        "service_points": {
            "total": total.points if total is not None else 0,
            "by_kind": by_kind,
            "per_1000_foreign_residents": (
                {kind: per_thousand(count, population) for kind, count in by_kind.items()}
                if population
                else None
            ),
            "foreign_residents": (
                {
                    "value": population,
                    "reference_year": residents.reference_year,
                    "source": residents.source,
                }
                if residents is not None
                else None
            ),
            "note": None
            if residents is not None
            else f"no `{FOREIGN_RESIDENTS}` value in the profile: no figures per 1,000",
        },
        "median_minutes_from_transport_hub": float(median) if median is not None else None,
        "offers": {
            row.type: {
                "offers": row.offers,
                "seats": int(row.seats),
                "seats_left": int(row.seats_left),
            }
            for row in await territory_profiles.offers(session, codes)
        },
        "people": {
            "total": suppress(next((r.people for r in people if r.need is None), 0)),
            "by_need": {r.need: suppress(r.people) for r in people if r.need is not None},
        },
    }
