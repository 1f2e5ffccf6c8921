"""The person's own pathways and appointments in the self-service app (role ``beneficiary``);
what they see and what they do not is in ``service/me.py`` and ``service/appointments.py``. The
person's id comes from the token, never from the path."""

from __future__ import annotations

from fastapi import APIRouter

from services.pathways.schemas.appointments import OwnAppointments
from services.pathways.schemas.me import OwnPathways
from services.pathways.service import appointments, me
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


@router.get(
    "/appointments",
    response_model=OwnAppointments,
    responses=problems(403),
    summary="The person's own appointments not yet over: when, where, why, language support",
    description="Cancelled ones are listed with `cancelled: true`, so the person knows.",
)
async def own_appointments(person: CurrentPerson, session: ReadSession) -> OwnAppointments:
    return await appointments.own(session, person)
