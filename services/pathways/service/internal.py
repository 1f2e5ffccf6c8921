"""What pathways tells the other services: whose a pathway is (matching checks a referral's
pathway when its events have not reached it yet), and everything held about a person (intake's
GDPR export)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pathways.db import appointments as appointment_rows
from services.pathways.db import export as statements
from services.pathways.db import pathways as repository


def _plain(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


async def owner(session: AsyncSession, pathway_id: uuid.UUID) -> dict[str, str]:
    """Ids only: the pathway's person and the organisation that runs it (404 if none)."""
    row = await repository.owner(session, pathway_id)
    return {
        "pathway_id": str(pathway_id),
        "beneficiary_id": str(row.beneficiary_id),
        "organization_id": str(row.organization_id),
    }


async def export(session: AsyncSession, beneficiary_id: uuid.UUID) -> dict[str, Any]:
    pathways = await statements.pathways(session, beneficiary_id)
    ids = [pathway.id for pathway in pathways]
    document: dict[str, Any] = {
        "access": await statements.access(session, beneficiary_id),
        "person": [_plain(row) for row in await statements.person(session, beneficiary_id)],
        "pathways": [_plain(row) for row in pathways],
    }
    for name, model in statements.PER_PATHWAY:
        document[name] = [_plain(row) for row in await statements.of_pathways(session, model, ids)]
    # Appointments are the person's, with or without a pathway.
    document["appointments"] = [
        _plain(row) for row in await appointment_rows.of_person(session, beneficiary_id)
    ]
    for name, model in statements.ABOUT_PERSON:
        rows = await statements.about(session, model, beneficiary_id)
        document[name] = [_plain(row) for row in rows]
    return document
