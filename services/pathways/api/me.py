"""The person's own pathways in the self-service app (role ``beneficiary``); what they see and
what they do not is in ``service/me.py``. The person's id comes from the token, never from the
path."""

from __future__ import annotations

from fastapi import APIRouter

from services.pathways.schemas.me import OwnPathways
from services.pathways.service import me
from shared.auth.person import CurrentPerson
from shared.db import ReadSession
from shared.openapi import problems

router = APIRouter(prefix="/api/v1/me", tags=["self-service"])


@router.get(
    "/pathways",
    response_model=OwnPathways,
    responses=problems(403),
    summary="The person's own open pathways: stage, current actions, next follow-up",
)
async def own_pathways(person: CurrentPerson, session: ReadSession) -> OwnPathways:
    return await me.own_pathways(session, person)
