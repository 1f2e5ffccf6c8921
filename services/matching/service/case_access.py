"""Who may rank a person: case workers (403 otherwise) who see the person (404) and whose person
consented to matching (409); the rules of matches, candidates, allocations, the territorial
context and the skill readings alike."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import people as people_repository
from services.matching.db.models import CandidateProfile
from services.matching.errors import NotACaseWorker
from shared.auth import Principal


def require_case_role(principal: Principal) -> None:
    if not principal.works_on_cases:
        raise NotACaseWorker()


async def consented_profile(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID
) -> CandidateProfile:
    """The person's read model, if the caller may see them and they consented to matching."""
    require_case_role(principal)
    return await people_repository.get_consented(session, principal, beneficiary_id)
