"""Free-text skills read as ESCO skills when a profile is written, and stored with it, so that
ranking resolves nothing (a full people index of free text would otherwise resolve every text
again at each rebuild, milliseconds apiece). A reading carries the stamp of the taxonomy it was
made with: after an import (a new language, a new version) the engine reads again what was read
with another one, until the profile is written again."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.domain.skillspace import SkillSpace
from services.matching.service import adapters
from services.matching.service.case_access import consented_profile
from services.matching.service.indexes import Indexes
from shared.auth import Principal


class SkillReader:
    """Reads with the taxonomy of the service's indexes; before they exist (a consumer running
    outside the app) it reads nothing, and ranking reads the text itself."""

    def __init__(self) -> None:
        self.indexes: Indexes | None = None

    async def read(self, session: AsyncSession, texts: Sequence[str]) -> dict[str, Any] | None:
        if self.indexes is None or not texts:
            return None
        taxonomy = await self.indexes.taxonomy(session)

        def read_all() -> dict[str, Any]:  # in a thread: the resolver and, once, the space
            space = SkillSpace.of(taxonomy)
            skills = {}
            for text in dict.fromkeys(texts):
                found = space.read_label(text)
                skills[text] = {
                    "uri": found[0] if found else None,
                    "confidence": found[1] if found else None,
                }
            return {"stamp": taxonomy.stamp, "skills": skills}

        return await asyncio.to_thread(read_all)


async def of_person(
    session: AsyncSession,
    indexes: Indexes,
    principal: Principal,
    beneficiary_id: uuid.UUID,
    language: str,
) -> list[dict[str, Any]]:
    """Each skill of the profile, in its order, with the reading ranking uses and candidates."""
    profile = await consented_profile(session, principal, beneficiary_id)
    person = adapters.profile_person(profile)
    taxonomy = await indexes.taxonomy(session)

    def read() -> list[dict[str, Any]]:  # in a thread: the resolver
        space = SkillSpace.of(taxonomy)
        reading = {text: (uri, confidence) for text, uri, confidence in space.reading(person)}

        def shown(uri: str, confidence: float) -> dict[str, Any]:
            return {"uri": uri, "label": taxonomy.label_in(uri, language), "confidence": confidence}

        items = []
        for skill in profile.profile.get("skills") or ():
            text, coded = skill["label"], skill.get("uri")
            uri, confidence = (None, None) if coded else reading.get(text, (None, None))
            candidates = (
                []
                if coded
                else [
                    shown(c.uri, c.confidence)
                    for c in space.resolver.resolve(text).candidates
                    if c.uri in space.column
                ]
            )
            items.append(
                {
                    "label": text,
                    "uri": coded,
                    "verified": bool(skill.get("verified")),
                    "read_as": shown(uri, confidence or 0.0) if uri else None,
                    "candidates": candidates,
                }
            )
        return items

    return await asyncio.to_thread(read)
