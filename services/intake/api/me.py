"""The person's own record in the self-service app (role ``beneficiary``): a reduced profile,
their consents (see, give, withdraw) and the emergency accesses to their record. The person's id
comes from the token, never from the path."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.intake.db.models import idempotency
from services.intake.domain.enums import CollectionMethod
from services.intake.schemas.consent import ConsentCreate, ConsentRead, OwnEmergencyAccess
from services.intake.schemas.self_service import OwnConsentCreate, OwnProfile
from services.intake.service import consents, emergency
from services.intake.service import me as service
from shared.auth import CurrentPrincipal
from shared.auth.person import CurrentPerson
from shared.db import DbSession
from shared.idempotency_routes import idempotent_routes
from shared.openapi import problems
from shared.pagination import Page, whole
from shared.responses import json_response

router = APIRouter(
    prefix="/api/v1/me", tags=["self-service"], route_class=idempotent_routes(idempotency)
)


@router.get(
    "/profile",
    response_model=OwnProfile,
    responses=problems(403, 404),
    summary="The person's own profile, reduced (self-service app)",
)
async def own_profile(
    person: CurrentPerson, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """With the record's `ETag`: an app's next start asks with `If-None-Match` (a 304)."""
    row = await service.own_profile(session, principal, person)
    document = row.profile
    profile = OwnProfile.model_validate(
        {
            "id": row.id,
            "organization_id": row.organization_id,
            "given_name": row.given_name,
            "family_name": row.family_name,
            "birth_date": row.birth_date,
            "municipality": row.municipality,
            "territory_code": row.territory_code,
            "contact": document.get("contact"),
            "languages": document.get("languages", []),
            "skills": document.get("skills", []),
            "updated_at": row.updated_at,
        }
    )
    return json_response(profile.model_dump(mode="json"), version=row.version)


@router.get(
    "/consents",
    response_model=Page[ConsentRead],
    responses=problems(403, 404),
    summary="The person's own consents, withdrawn ones included",
    description="The whole list in one page: `next_cursor` is always null.",
)
async def own_consents(
    person: CurrentPerson, principal: CurrentPrincipal, session: DbSession
) -> Page[ConsentRead]:
    return whole(
        [consents.as_read(consent) for consent in await consents.listed(session, principal, person)]
    )


@router.post(
    "/consents",
    status_code=status.HTTP_201_CREATED,
    response_model=ConsentRead,
    responses=problems(403, 404, 422),
    summary="Give a consent in the app (sharing opens the named sections at once)",
)
async def give_consent(
    body: OwnConsentCreate,
    person: CurrentPerson,
    principal: CurrentPrincipal,
    session: DbSession,
    response: Response,
) -> ConsentRead:
    consent = await consents.grant(
        session,
        principal,
        person,
        ConsentCreate(
            purpose=body.purpose,
            organization_id=body.organization_id,
            sections=body.sections,
            text_version=body.text_version,
            collection_method=CollectionMethod.MOBILE_APP,
        ),
        by_the_person=True,
    )
    response.headers["Location"] = f"/api/v1/me/consents/{consent.id}"
    return consents.as_read(consent)


@router.delete(
    "/consents/{consent_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(403, 404),
    summary="Withdraw one of the person's consents: takes effect at once (idempotent)",
)
async def withdraw_own_consent(
    consent_id: uuid.UUID, person: CurrentPerson, principal: CurrentPrincipal, session: DbSession
) -> Response:
    await consents.withdraw(session, principal, person, consent_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/emergency-accesses",
    response_model=Page[OwnEmergencyAccess],
    responses=problems(403, 404),
    summary="Who opened the person's record without their consent, why, what and when",
    description="Every emergency access to the person's record (break the glass): the "
    "organisation, the legal basis (reason code), the sections it opened, when it was opened, "
    "when it expires or was closed. The whole list in one page: `next_cursor` is always null.",
)
async def own_emergency_accesses(
    person: CurrentPerson, session: DbSession
) -> Page[OwnEmergencyAccess]:
    return whole(await emergency.of_the_person(session, person))
