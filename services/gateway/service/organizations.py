"""Organisations: only platform admins add and change them (and so decide which may break the
glass on which legal basis); every signed-in caller may read the directory."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.db import repository
from services.gateway.db.models import Organization
from services.gateway.schemas.organizations import OrganizationCreate, OrganizationUpdate
from shared.auth import Principal, Role
from shared.errors import Conflict, Forbidden
from shared.territory_client import TerritoryClient, Unresolved, unresolved

NAME_TAKEN = "An organisation with this name exists."


def _platform_admin(principal: Principal, doing: str) -> None:
    if Role.PLATFORM_ADMIN not in principal.roles:
        raise Forbidden(f"Only platform admins {doing} organisations.")


def _territory(code: str | None) -> dict[str, str]:
    return {"body.territory_code": code} if code is not None else {}


async def create(
    session: AsyncSession,
    principal: Principal,
    body: OrganizationCreate,
    territories: TerritoryClient,
) -> Organization:
    _platform_admin(principal, "add")
    if await repository.organization_by_name(session, body.name):
        raise Conflict(NAME_TAKEN)
    await territories.require_known(_territory(body.territory_code))
    values = body.model_dump()
    values["emergency_reasons"] = sorted(set(values["emergency_reasons"]))
    organization = Organization(**values)
    try:
        await repository.add(session, organization)
    except IntegrityError as error:  # a concurrent create with the same name
        raise Conflict(NAME_TAKEN) from error
    return organization


async def page(session: AsyncSession, cursor: str | None, limit: int) -> Sequence[Organization]:
    return await repository.organizations_page(session, cursor, limit)


async def update(
    session: AsyncSession,
    principal: Principal,
    organization_id: uuid.UUID,
    body: OrganizationUpdate,
    check_version: Callable[[int], None],
    territories: TerritoryClient,
) -> Organization:
    _platform_admin(principal, "change")  # before the lookup: the answer tells nothing
    # Checked before the row is locked (matching may take a while to answer).
    await territories.require_known(_territory(body.territory_code))
    organization = await repository.listed_organization(session, organization_id, lock=True)
    check_version(organization.version)
    changes = body.model_dump(exclude_unset=True)
    if "emergency_reasons" in changes:
        changes["emergency_reasons"] = sorted(set(changes["emergency_reasons"]))
    name = changes.get("name")
    if name is not None and name != organization.name:
        if await repository.organization_by_name(session, name):
            raise Conflict(NAME_TAKEN)
    for field, value in changes.items():
        setattr(organization, field, value)
    organization.version += 1
    try:
        await repository.flush(session)
    except IntegrityError as error:  # a concurrent change to the same name
        raise Conflict(NAME_TAKEN) from error
    return organization


async def resolve_territories(
    session: AsyncSession, territories: TerritoryClient
) -> tuple[int, list[Unresolved]]:
    """Every organisation with a municipality and no territory code gets the code of the one
    municipality with that name (a new version); the others are listed with the reason."""
    rows = await repository.organizations_without_territory(session)
    resolution = await territories.resolve(row.municipality for row in rows if row.municipality)
    left: list[Unresolved] = []
    resolved = 0
    for organization in rows:
        name = organization.municipality or ""
        not_read = unresolved(resolution, organization.id, name)
        if not_read is not None:
            left.append(not_read)
            continue
        organization.territory_code = resolution.codes[name]
        organization.version += 1
        resolved += 1
    await repository.flush(session)
    return resolved, left
