"""``/api/v1/beneficiaries/{id}/skill-readings``: how matching reads a person's skills."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from services.matching.api.deps import AcceptLanguage, MatchingIndexes
from services.matching.schemas.skill_readings import SkillReadingList
from services.matching.service import skill_readings, taxonomy
from shared.auth import CurrentPrincipal
from shared.db import ReadSession
from shared.openapi import problems

router = APIRouter(prefix="/api/v1", tags=["matching"])


@router.get(
    "/beneficiaries/{beneficiary_id}/skill-readings",
    response_model=SkillReadingList,
    responses=problems(403, 404, 409),
    summary="How each skill of a person's profile is read as an ESCO skill, with candidates",
    description="Free-text skills are read as ESCO skills when the profile is written (in any "
    "imported language; synonyms, typos, punctuation and word order do not matter) and ranked "
    "as such. To confirm or correct a reading, record the chosen `uri` on that skill of the "
    "profile with `verified: true` (`PATCH /api/v1/beneficiaries/{id}`): the skill is then "
    "coded, and read as nothing else. Labels follow `Accept-Language`. The rules of `matches` "
    "apply (case workers who see the person; 409 `consent-required` without consent to "
    "matching).",
)
async def read_skill_readings(
    beneficiary_id: uuid.UUID,
    response: Response,
    engine: MatchingIndexes,
    principal: CurrentPrincipal,
    session: ReadSession,
    accept_language: AcceptLanguage = None,
) -> SkillReadingList:
    language = await taxonomy.caller_language(session, accept_language)
    items = await skill_readings.of_person(
        session, engine.indexes, principal, beneficiary_id, language
    )
    taxonomy.labelled_in(response, language)
    return SkillReadingList.model_validate({"items": items})
