"""Searching ESCO's labels: the query's bound, the language of the labels, the search; and
resolving free text to skills (``domain.skill_resolution``)."""

from __future__ import annotations

import asyncio

from fastapi import Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import taxonomy_search
from services.matching.db.taxonomy_search import Hit
from services.matching.domain.esco import LabelKind
from services.matching.domain.skill_resolution import Candidate, resolver_of
from services.matching.domain.taxonomy import Taxonomy
from services.matching.errors import QueryLength
from services.matching.service.indexes import Indexes
from services.matching.taxonomy.schemas import ResolvedSkill, SkillResolution
from services.matching.taxonomy.search import DEFAULT_LANGUAGE, negotiate

MAX_QUERY_LENGTH = 100


def query(q: str) -> str:
    stripped = q.strip()
    if not 1 <= len(stripped) <= MAX_QUERY_LENGTH:
        raise QueryLength()
    return stripped


async def language_of(
    session: AsyncSession, language: str | None, accept_language: str | None, response: Response
) -> str:
    if language is not None:
        chosen = language.lower()
        response.headers["Content-Language"] = chosen
        return chosen
    chosen = await caller_language(session, accept_language)
    labelled_in(response, chosen)
    return chosen


async def caller_language(session: AsyncSession, accept_language: str | None) -> str:
    """The imported label language the caller prefers (``Accept-Language``), else English."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    return negotiate(accept_language, await taxonomy_search.imported_languages(session))


def labelled_in(response: Response, language: str) -> None:
    """A response whose labels follow ``Accept-Language`` says so, for clients and caches."""
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language"


async def search(
    session: AsyncSession, kind: LabelKind, text: str, language: str, limit: int
) -> list[Hit]:
    return await taxonomy_search.search(session, kind, text, language, limit)


async def resolve(
    session: AsyncSession, indexes: Indexes, text: str, language: str | None, limit: int
) -> SkillResolution:
    """What ``text`` means among the skills' labels (of ``language``, or of every imported one).
    The resolver is built once per taxonomy, in a thread, as the ranking indexes are."""
    taxonomy = await indexes.taxonomy(session)
    return await asyncio.to_thread(_resolve, taxonomy, text, language, limit)


def _resolve(taxonomy: Taxonomy, text: str, language: str | None, limit: int) -> SkillResolution:
    found = resolver_of(taxonomy).resolve(text, [language] if language else None)

    def shown(candidate: Candidate) -> ResolvedSkill:
        return ResolvedSkill(
            uri=candidate.uri,
            preferred_label=taxonomy.label(candidate.uri),
            matched_label=candidate.label,
            language=candidate.language,
            confidence=candidate.confidence,
        )

    return SkillResolution(
        text=text,
        resolved=shown(found.resolved) if found.resolved is not None else None,
        candidates=[shown(candidate) for candidate in found.candidates[:limit]],
    )
