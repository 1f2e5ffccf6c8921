"""Internal endpoints (never routed by the gateway; the services' shared token): what pathways
holds about a person, for intake's GDPR export; whose a pathway is, for matching's check of a
referral's pathway when its events have not reached matching yet."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import select

from services.pathways.db.models import (
    Action,
    EmploymentChange,
    FollowUp,
    Pathway,
    Person,
    RightsViolation,
    Step,
    TimelineEntry,
    beneficiary_access,
)
from shared.db import ReadSession
from shared.errors import NotFound
from shared.events import internal_auth

router = APIRouter(
    prefix="/internal", include_in_schema=False, dependencies=[Depends(internal_auth)]
)


def _plain(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


@router.get("/pathways/{pathway_id}/owner")
async def owner(pathway_id: uuid.UUID, session: ReadSession) -> dict[str, str]:
    """Ids only: the pathway's person and the organisation that runs it."""
    row = (
        await session.execute(
            select(Pathway.beneficiary_id, Pathway.organization_id).where(Pathway.id == pathway_id)
        )
    ).first()
    if row is None:
        raise NotFound("No such pathway.")
    return {
        "pathway_id": str(pathway_id),
        "beneficiary_id": str(row.beneficiary_id),
        "organization_id": str(row.organization_id),
    }


@router.get("/beneficiaries/{beneficiary_id}/export")
async def export(beneficiary_id: uuid.UUID, session: ReadSession) -> dict[str, Any]:
    pathways = (
        await session.scalars(select(Pathway).where(Pathway.beneficiary_id == beneficiary_id))
    ).all()
    ids = [pathway.id for pathway in pathways]
    document: dict[str, Any] = {
        "access": [
            dict(row._mapping)
            for row in await session.execute(
                select(beneficiary_access).where(
                    beneficiary_access.c.beneficiary_id == beneficiary_id
                )
            )
        ],
        "person": [
            _plain(row)
            for row in await session.scalars(
                select(Person).where(Person.beneficiary_id == beneficiary_id)
            )
        ],
        "pathways": [_plain(row) for row in pathways],
    }
    for name, model in (
        ("steps", Step),
        ("actions", Action),
        ("rights_violations", RightsViolation),
        ("employment", EmploymentChange),
        ("follow_ups", FollowUp),
        ("timeline", TimelineEntry),
    ):
        rows: Any = (
            await session.scalars(select(model).where(model.pathway_id.in_(ids))) if ids else []
        )
        document[name] = [_plain(row) for row in rows]
    return document
