"""Reads of the ESCO tables for the rest of the service: the engine's in-memory taxonomy, the stamp
that tells when a new import landed, and the check of the ESCO URIs an offer names.

``load_taxonomy`` builds the same :class:`Taxonomy` as ``domain.taxonomy.load_csv`` does from the
official files, with six bulk selects (no per-row queries): ~0.6 s for the whole of ESCO.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Literal

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db.taxonomy import EscoImport
from services.matching.domain.esco import ConceptType, LabelKind, Relation
from services.matching.domain.skill_resolution import Label
from services.matching.domain.skill_resolution import LabelKind as ResolverLabelKind
from services.matching.domain.taxonomy import Occupation, Skill, Taxonomy, labels_by_text

# The engine's labels: English, the language every ESCO concept has.
ENGINE_LANGUAGE = "en"
SKILL_GROUP_TYPE = "skill group"  # Skill.type of the hierarchy's groups, as load_csv has it

_SKILLS = text(
    "SELECT s.uri, s.concept_type, s.skill_type, l.label "
    "FROM esco_skill AS s "
    "LEFT JOIN esco_label AS l "
    "ON l.concept_uri = s.uri AND l.language = :language AND l.preferred"
)
_OCCUPATIONS = text(
    "SELECT o.uri, o.isco_group, l.label "
    "FROM esco_occupation AS o "
    "LEFT JOIN esco_label AS l "
    "ON l.concept_uri = o.uri AND l.language = :language AND l.preferred"
)
_ISCO_GROUPS = text(
    "SELECT g.code, l.label "
    "FROM esco_isco_group AS g "
    "LEFT JOIN esco_label AS l "
    "ON l.concept_uri = g.uri AND l.language = :language AND l.preferred"
)
# The big ones aggregated into arrays, which the driver decodes far faster than rows.
_RELATIONS = text(
    "SELECT occupation_uri, relation, array_agg(skill_uri) "
    "FROM esco_occupation_skill GROUP BY occupation_uri, relation"
)
_BROADER = text(
    "SELECT skill_uri, array_agg(broader_uri) FROM esco_skill_broader "
    "WHERE broader_uri <> skill_uri GROUP BY skill_uri"
)
# Every language and kind, for free text (``domain.skill_resolution``), in the files' order (the
# import keeps it in the ids), so that ties resolve as in load_csv.
_ALL_SKILL_LABELS = text(
    "SELECT array_agg(concept_uri ORDER BY id), array_agg(label ORDER BY id), "
    "array_agg(language ORDER BY id), array_agg(preferred ORDER BY id), "
    "array_agg(hidden ORDER BY id) FROM esco_label WHERE kind = :kind"
)


def _kind(preferred: bool, hidden: bool) -> ResolverLabelKind:
    if preferred:
        return ResolverLabelKind.PREFERRED
    return ResolverLabelKind.HIDDEN if hidden else ResolverLabelKind.ALTERNATIVE


async def load_taxonomy(session: AsyncSession) -> Taxonomy:
    """The engine's taxonomy from matching's ESCO tables (English labels)."""
    english = {"language": ENGINE_LANGUAGE}
    skills: dict[str, Skill] = {}
    for uri, concept_type, skill_type, label in await session.execute(_SKILLS, english):
        if concept_type == ConceptType.SKILL_GROUP:
            skills[uri] = Skill(label or uri, SKILL_GROUP_TYPE)
        else:
            skills[uri] = Skill(label or uri, skill_type or "skill")
    occupations = {
        uri: Occupation(label or uri, isco_group)
        for uri, isco_group, label in await session.execute(_OCCUPATIONS, english)
    }
    isco_labels = {
        code: label or code for code, label in await session.execute(_ISCO_GROUPS, english)
    }
    essential: dict[str, frozenset[str]] = {}
    optional: dict[str, frozenset[str]] = {}
    for occupation, relation, skills_needed in await session.execute(_RELATIONS):
        target = essential if relation == Relation.ESSENTIAL else optional
        target[occupation] = frozenset(skills_needed)
    broader = {skill: frozenset(parents) for skill, parents in await session.execute(_BROADER)}
    every = (await session.execute(_ALL_SKILL_LABELS, {"kind": LabelKind.SKILL})).one()
    skill_labels = tuple(
        Label(uri, label, language, _kind(preferred, hidden))
        for uri, label, language, preferred, hidden in zip(
            *(column or [] for column in every), strict=True
        )
    )
    return Taxonomy(
        skills=skills,
        occupations=occupations,
        essential=essential,
        optional={uri: items - essential.get(uri, frozenset()) for uri, items in optional.items()},
        broader=broader,
        isco_parent=_isco_parents(isco_labels, occupations.values()),
        isco_labels=isco_labels,
        skill_by_label=labels_by_text(skill_labels, ENGINE_LANGUAGE),
        skill_labels=skill_labels,
        stamp=await taxonomy_stamp(session),
    )


def _isco_parents(labels: Iterable[str], occupations: Iterable[Occupation]) -> dict[str, str]:
    """ISCO codes nest by prefix ("7112" in "711" in "71" in "7"), as in load_csv."""
    codes = set(labels) | {occupation.isco_group for occupation in occupations}
    return {
        code[:length]: code[: length - 1] for code in codes for length in range(2, len(code) + 1)
    }


async def taxonomy_stamp(session: AsyncSession) -> str | None:
    """Changes whenever an import commits (every import stamps its ``esco_import`` rows); None
    before the first. Cheap enough to ask on every request that needs the taxonomy."""
    imported_at = await session.scalar(select(func.max(EscoImport.imported_at)))
    return None if imported_at is None else imported_at.isoformat()


async def known_uris(
    session: AsyncSession, uris: Collection[str], kind: Literal["skill", "occupation"]
) -> set[str]:
    """Those of ``uris`` that name an ESCO skill (a skill/competence or knowledge concept, not a
    skill group) or an ESCO occupation, per ``kind``."""
    if not uris:
        return set()
    if kind == "skill":
        statement = text(
            "SELECT uri FROM esco_skill WHERE uri = ANY(:uris) AND concept_type = :concept_type"
        ).bindparams(concept_type=ConceptType.SKILL.value)
    else:
        statement = text("SELECT uri FROM esco_occupation WHERE uri = ANY(:uris)")
    rows = await session.scalars(statement, {"uris": list(set(uris))})
    return set(rows)


async def skill_labels(
    session: AsyncSession, uris: Collection[str], language: str
) -> dict[str, str]:
    """The preferred label in ``language`` of each of these concepts that has one."""
    if not uris:
        return {}
    rows = await session.execute(
        text(
            "SELECT concept_uri, label FROM esco_label WHERE concept_uri = ANY(:uris) "
            "AND preferred AND language = :language"
        ),
        {"uris": list(uris), "language": language},
    )
    return {row[0]: row[1] for row in rows}
