"""The label search behind ``GET /api/v1/taxonomy/skills`` and ``/occupations``, as SQL.

One SQL statement per search, two index range scans: the whole normalised label
(``ix_esco_label_search``) and each of its later words (``ix_esco_label_word_search``), both on
``text_pattern_ops``, so the range is written with the pattern operators ``~>=~`` and ``~<~``
(a plain ``>=`` would compare in the database's collation and could not use those indexes). The
range ``key <= k < prefix_upper_bound(key)`` is "k starts with key" and stays indexable in the
generic plan of a prepared statement, where ``LIKE $1 || '%'`` would not.

Ranking, best first: an exact match of the whole label; a prefix of the whole label before a
prefix of a later word; preferred, then alternative, then hidden labels; shorter labels; then
alphabetical (on the normalised label). Each concept appears once, with its best-ranked label.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.domain.esco import DEFAULT_LANGUAGE, LabelKind
from services.matching.domain.labels import prefix_upper_bound, search_key


def _ranking(alias: str = "") -> str:
    # search_key in byte order: alphabetical on the normalised label, the same in every
    # database collation and cheaper to sort than the collation's order.
    return ", ".join(
        expression.format(alias)
        for expression in (
            "{}exact DESC",
            "{}word",
            "{}preferred DESC",
            "{}hidden",
            "length({}label)",
            '{}search_key COLLATE "C"',
            '{}label COLLATE "C"',
            '{}concept_uri COLLATE "C"',
        )
    )


# The word branch runs only when the whole labels name fewer than :limit concepts: any whole-label
# hit outranks any word hit, so the later words could not make the page (the subquery is a
# one-time filter; a one-letter query then sorts ~20,000 labels instead of ~60,000).
_SEARCH = """
WITH whole AS MATERIALIZED (
    SELECT l.concept_uri, l.label, l.search_key, l.preferred, l.hidden,
           l.search_key = :key AS exact, false AS word
    FROM esco_label AS l
    WHERE l.kind = :kind AND l.language = :language
      AND l.search_key ~>=~ :key AND l.search_key ~<~ :bound
), hits AS (
    SELECT * FROM whole
    UNION ALL
    SELECT l.concept_uri, l.label, l.search_key, l.preferred, l.hidden, false, true
    FROM esco_label_word AS w
    JOIN esco_label AS l ON l.id = w.label_id
    WHERE w.kind = :kind AND w.language = :language
      AND w.word_key ~>=~ :key AND w.word_key ~<~ :bound
      AND (SELECT count(DISTINCT concept_uri) FROM whole) < :limit
), best AS (
    SELECT DISTINCT ON (concept_uri COLLATE "C") *
    FROM hits
    ORDER BY concept_uri COLLATE "C", {ranking}
), top AS (
    SELECT * FROM best ORDER BY {ranking} LIMIT :limit
)
SELECT top.concept_uri, top.label, top.hidden,
       coalesce(own.label, english.label) AS preferred_label, {details}
FROM top
LEFT JOIN {table} AS concept ON concept.uri = top.concept_uri
LEFT JOIN esco_label AS own
       ON own.concept_uri = top.concept_uri AND own.language = :language AND own.preferred
LEFT JOIN esco_label AS english
       ON english.concept_uri = top.concept_uri AND english.language = :fallback
      AND english.preferred
ORDER BY {top_ranking}
"""
_STATEMENTS = {
    LabelKind.SKILL: text(
        _SEARCH.format(
            ranking=_ranking(),
            top_ranking=_ranking("top."),
            table="esco_skill",
            details="concept.skill_type AS detail_1, concept.reuse_level AS detail_2",
        )
    ),
    LabelKind.OCCUPATION: text(
        _SEARCH.format(
            ranking=_ranking(),
            top_ranking=_ranking("top."),
            table="esco_occupation",
            details="concept.isco_group AS detail_1, concept.code AS detail_2",
        )
    ),
}


@dataclass(frozen=True)
class Hit:
    uri: str
    preferred_label: str
    matched_label: str
    # skill_type and reuse_level of a skill; isco_group and code of an occupation
    detail_1: str | None
    detail_2: str | None


async def search(
    session: AsyncSession, kind: LabelKind, query: str, language: str, limit: int
) -> list[Hit]:
    """The concepts of ``kind`` with a label in ``language`` that starts, or has a word that
    starts, with ``query`` (case, accents and punctuation aside)."""
    key = search_key(query)
    if not key:  # only punctuation: nothing to look for
        return []
    parameters = {
        "kind": kind.value,
        "language": language,
        "fallback": DEFAULT_LANGUAGE,
        "key": key,
        "bound": prefix_upper_bound(key),
        "limit": limit,
    }
    rows = await session.execute(_STATEMENTS[kind], parameters)
    hits = []
    for uri, label, hidden, preferred_label, detail_1, detail_2 in rows:
        shown = preferred_label or label
        # Hidden labels (misspellings, brand names) find a concept but are never shown.
        hits.append(Hit(uri, shown, shown if hidden else label, detail_1, detail_2))
    return hits


async def imported_languages(session: AsyncSession) -> set[str]:
    """The label languages imported so far."""
    rows = await session.scalars(
        text("SELECT DISTINCT language FROM esco_import WHERE language <> ''")
    )
    return set(rows)
