"""Searching ESCO's labels: the query's bound, the language of the labels, the search."""

from __future__ import annotations

from fastapi import Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import taxonomy_search
from services.matching.db.taxonomy_search import Hit
from services.matching.domain.esco import LabelKind
from services.matching.errors import QueryLength
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
    else:
        response.headers["Vary"] = "Accept-Language"
        chosen = DEFAULT_LANGUAGE
        if accept_language:
            available = await taxonomy_search.imported_languages(session)
            chosen = negotiate(accept_language, available)
    response.headers["Content-Language"] = chosen
    return chosen


async def search(
    session: AsyncSession, kind: LabelKind, text: str, language: str, limit: int
) -> list[Hit]:
    return await taxonomy_search.search(session, kind, text, language, limit)
