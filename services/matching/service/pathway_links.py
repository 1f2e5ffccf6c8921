"""A referral's pathway: one the referring organisation runs for the same person, or none.

Pathways applies a referral's status to the action the referral names, and the ids come from the
referrer's request body, so the proposal checks them where matching can know. Matching keeps
whose each pathway is (``PathwayOwner``, from pathways' events). A pathway it has not heard of
(opened a moment ago, its event still on the way; or opened before this read model existed) is
asked of pathways once (``GET /internal/pathways/{id}/owner``) and remembered: one call on a
miss, never per item. Pathways unreachable then: 503, nothing stored (fail closed). Another
organisation's pathway, another person's, or one pathways does not know: the same 422, which
tells nothing about other organisations' pathways. Matching does not hear of actions: pathways
checks that the action belongs to the pathway, person and organisation when it applies the event.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db.models import PathwayOwner, beneficiary_access
from services.matching.schemas.referrals import ReferralCreate
from shared.auth import Principal
from shared.errors import FieldError, ServiceUnavailable, UnprocessableContent


async def check(
    session: AsyncSession,
    principal: Principal,
    body: ReferralCreate,
    http: httpx.AsyncClient,
    pathways_url: str,
    token: str,
) -> None:
    if body.pathway_id is None:
        if body.action_id is not None:
            raise UnprocessableContent(
                "Name the pathway of the action.",
                errors=[
                    FieldError(
                        field="body.pathway_id",
                        message="is required with action_id",
                        code="required",
                    )
                ],
            )
        return
    if await session.get(PathwayOwner, body.pathway_id) is None:
        await _learn(session, http, pathways_url, token, body.pathway_id)
    merged_here = select(beneficiary_access.c.beneficiary_id).where(
        beneficiary_access.c.merged_into == body.beneficiary_id
    )
    owned = await session.scalar(
        select(PathwayOwner.pathway_id).where(
            PathwayOwner.pathway_id == body.pathway_id,
            PathwayOwner.organization_id == principal.organization_id,
            or_(
                PathwayOwner.beneficiary_id == body.beneficiary_id,
                PathwayOwner.beneficiary_id.in_(merged_here),
            ),
        )
    )
    if owned is None:
        raise UnprocessableContent(
            "The pathway is not one your organisation runs for this person.",
            errors=[
                FieldError(
                    field="body.pathway_id",
                    message="is not a pathway of your organisation for this person",
                    code="not_your_pathway",
                )
            ],
        )


async def _learn(
    session: AsyncSession,
    http: httpx.AsyncClient,
    pathways_url: str,
    token: str,
    pathway_id: uuid.UUID,
) -> None:
    """Ask pathways whose the pathway is, and keep the answer (as its events would have)."""
    try:
        answer = await http.get(
            f"{pathways_url}/internal/pathways/{pathway_id}/owner",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5.0,
        )
        if answer.status_code == 404:
            return  # no such pathway: refused like another's
        answer.raise_for_status()
        owner = answer.json()
        values = {
            "pathway_id": uuid.UUID(str(owner["pathway_id"])),
            "beneficiary_id": uuid.UUID(str(owner["beneficiary_id"])),
            "organization_id": uuid.UUID(str(owner["organization_id"])),
        }
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        raise ServiceUnavailable(
            "The referral's pathway cannot be checked right now; try again."
        ) from error
    if values["pathway_id"] != pathway_id:
        return
    await session.execute(
        insert(PathwayOwner)
        .values(**values, updated_at=datetime.now(UTC))
        .on_conflict_do_nothing(index_elements=[PathwayOwner.pathway_id])
    )
