"""``/api/v1/taxonomy``: search ESCO's skills and occupations by label, as a form's autocomplete
does, to pick the URIs that offers and profiles store. Any authenticated role may search.

ESCO classification, European Commission, v1.1.1.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.matching.api.deps import AcceptLanguage
from services.matching.domain.esco import LabelKind
from services.matching.service import taxonomy as taxonomy_service
from services.matching.service.taxonomy import MAX_QUERY_LENGTH
from services.matching.taxonomy.schemas import (
    OccupationMatch,
    OccupationSearch,
    SkillMatch,
    SkillResolution,
    SkillSearch,
)
from shared.auth import CurrentPrincipal
from shared.db import ReadSession
from shared.openapi import problems

router = APIRouter(prefix="/api/v1/taxonomy", tags=["taxonomy"])

Q = Annotated[
    str,
    Query(
        max_length=MAX_QUERY_LENGTH * 2,  # the precise bound applies after stripping, below
        description="1 to 100 characters: the start of a label or of any of its words; case, "
        "accents and punctuation do not matter",
        examples=["brick"],
    ),
]
LanguageParam = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$",
        description="the language of the labels searched; wins over Accept-Language. A "
        "language with no imported labels finds nothing",
        examples=["it"],
    ),
]
Limit = Annotated[int, Query(ge=1, le=50, description="at most this many results")]

_DESCRIPTION = (
    "One result per concept, best first: an exact match of a whole label, then labels that "
    "start with `q`, then labels with a later word that starts with `q`; preferred before "
    "alternative labels, then shorter labels, then alphabetical. Labels are searched in "
    "`language`, else in the first imported language of `Accept-Language`, else in English."
)


@router.get(
    "/skills",
    response_model=SkillSearch,
    responses=problems(401, 422),
    summary="Search ESCO skills and knowledge by label",
    description=_DESCRIPTION,
)
async def search_skills(
    _principal: CurrentPrincipal,
    session: ReadSession,
    response: Response,
    q: Q,
    language: LanguageParam = None,
    limit: Limit = 20,
    accept_language: AcceptLanguage = None,
) -> SkillSearch:
    text = taxonomy_service.query(q)
    chosen = await taxonomy_service.language_of(session, language, accept_language, response)
    hits = await taxonomy_service.search(session, LabelKind.SKILL, text, chosen, limit)
    return SkillSearch(
        language=chosen,
        items=[
            SkillMatch(
                uri=hit.uri,
                preferred_label=hit.preferred_label,
                matched_label=hit.matched_label,
                skill_type=hit.detail_1,
                reuse_level=hit.detail_2,
            )
            for hit in hits
        ],
    )


@router.get(
    "/occupations",
    response_model=OccupationSearch,
    responses=problems(401, 422),
    summary="Search ESCO occupations by label",
    description=_DESCRIPTION,
)
async def search_occupations(
    _principal: CurrentPrincipal,
    session: ReadSession,
    response: Response,
    q: Q,
    language: LanguageParam = None,
    limit: Limit = 20,
    accept_language: AcceptLanguage = None,
) -> OccupationSearch:
    text = taxonomy_service.query(q)
    chosen = await taxonomy_service.language_of(session, language, accept_language, response)
    hits = await taxonomy_service.search(session, LabelKind.OCCUPATION, text, chosen, limit)
    return OccupationSearch(
        language=chosen,
        items=[
            OccupationMatch(
                uri=hit.uri,
                preferred_label=hit.preferred_label,
                matched_label=hit.matched_label,
                isco_group=hit.detail_1,
                code=hit.detail_2,
            )
            for hit in hits
        ],
    )


@router.get(
    "/resolve",
    response_model=SkillResolution,
    responses=problems(401, 422),
    summary="What free text means: the ESCO skill a case worker's words name",
    description="For a form that suggests skills as the operator types, and for checking a "
    "free-text skill before it is stored: the skill the text is taken to mean (`resolved`, null "
    "when unknown or ambiguous) and the closest candidates, with a confidence. Case, accents, "
    "punctuation, plurals, word order and typos do not matter; synonyms (ESCO's alternative and "
    "hidden labels) count. Every imported language is searched unless `language` names one. "
    "Free-text skills of a profile are read the same way when people are ranked.",
)
async def resolve_skill(
    _principal: CurrentPrincipal,
    session: ReadSession,
    request: Request,
    text: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_LENGTH * 2,
            description="1 to 100 characters, as typed",
            examples=["Brick laying."],
        ),
    ],
    language: LanguageParam = None,
    limit: Annotated[int, Query(ge=1, le=5, description="at most this many candidates")] = 5,
) -> SkillResolution:
    wanted = language.lower() if language else None
    indexes = request.app.state.indexes
    return await taxonomy_service.resolve(
        session, indexes, taxonomy_service.query(text), wanted, limit
    )
