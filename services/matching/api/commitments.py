"""``/api/v1/clusters/{id}/commitments`` and ``/{commitment_id}``: what members pledge, read with
what they delivered (``pledged``, ``delivered``, ``ratio``; delivered is null for kind other)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db.cluster_tables import Commitment
from services.matching.db.models import idempotency
from services.matching.schemas.commitments import (
    CommitmentCreate,
    CommitmentPage,
    CommitmentRead,
    CommitmentUpdate,
)
from services.matching.service import commitments
from shared.auth import CurrentPrincipal
from shared.db import DbSession, ReadSession
from shared.etags import check_if_match
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import CursorParam, Limit
from shared.responses import json_response

router = APIRouter(
    prefix="/api/v1/clusters/{cluster_id}/commitments",
    tags=["clusters"],
    route_class=idempotent_routes(idempotency),
)


async def _read(session: AsyncSession, commitment: Commitment, status_code: int = 200) -> Response:
    delivered = await commitments.delivered(session, [commitment])
    headers = (
        {"Location": f"/api/v1/clusters/{commitment.cluster_id}/commitments/{commitment.id}"}
        if status_code == 201
        else None
    )
    return json_response(
        commitments.as_read(commitment, delivered.get(commitment.id)),
        status_code,
        version=commitment.version,
        headers=headers,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CommitmentRead,
    responses=problems(403, 404, 409, 422),
    summary="Pledge for a period (the coordinator; a member's org admin for its own organisation)",
)
async def create_commitment(
    cluster_id: uuid.UUID, body: CommitmentCreate, principal: CurrentPrincipal, session: DbSession
) -> Response:
    commitment = await commitments.create(session, principal, cluster_id, body)
    return await _read(session, commitment, status.HTTP_201_CREATED)


@router.get(
    "",
    response_model=CommitmentPage,
    responses=problems(404),
    summary="The cluster's commitments, each with what it delivered",
)
async def list_commitments(
    cluster_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: ReadSession,
    organization_id: Annotated[uuid.UUID | None, Query(description="only this member's")] = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    shown, next_cursor = await commitments.page(
        session,
        principal,
        cluster_id,
        organization_id=organization_id,
        limit=limit,
        cursor=cursor,
    )
    delivered = await commitments.delivered(session, shown)
    return json_response(
        {
            "items": [commitments.as_read(c, delivered.get(c.id)) for c in shown],
            "next_cursor": next_cursor,
        }
    )


@router.get(
    "/{commitment_id}",
    response_model=CommitmentRead,
    responses=problems(404),
    summary="One commitment, with what it delivered",
)
async def read_commitment(
    cluster_id: uuid.UUID,
    commitment_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: ReadSession,
) -> Response:
    commitment = await commitments.get(session, principal, cluster_id, commitment_id)
    return await _read(session, commitment)


@router.patch(
    "/{commitment_id}",
    response_model=CommitmentRead,
    responses=problems(403, 404, 409, 412, 422, 428),
    summary="Change a commitment (If-Match); fields present replace the stored ones",
)
async def update_commitment(
    cluster_id: uuid.UUID,
    commitment_id: uuid.UUID,
    body: CommitmentUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    commitment = await commitments.update(
        session,
        principal,
        cluster_id,
        commitment_id,
        body,
        lambda version: check_if_match(request, version),
    )
    return await _read(session, commitment)
