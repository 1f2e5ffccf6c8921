"""The ESCO importer's statements: the import's lock, the bulk writes (``COPY`` through asyncpg,
upserts from staging tables, the label word index rebuilt in SQL) and the import's record."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.matching.db.taxonomy import (
    EscoImport,
    EscoIscoGroup,
    EscoLabel,
    EscoLabelWord,
    EscoOccupation,
    EscoOccupationSkill,
    EscoSkill,
    EscoSkillBroader,
    EscoSkillGroup,
)
from services.matching.domain.esco import ConceptType

if TYPE_CHECKING:
    from services.matching.taxonomy.records import Taxonomy as ReadTaxonomy

# Two imports at once would interleave their deletes and copies; the second waits.
_LOCK = 7_331_000_001
_SKILL = EscoSkill.__tablename__
_OCCUPATION = EscoOccupation.__tablename__
_ISCO = EscoIscoGroup.__tablename__
_LABEL = EscoLabel.__tablename__
_WORD = EscoLabelWord.__tablename__
_SKILL_COLUMNS = ("uri", "concept_type", "skill_type", "reuse_level", "code", "status")
_OCCUPATION_COLUMNS = ("uri", "isco_group", "code", "status")
_ISCO_COLUMNS = ("code", "uri", "parent_code", "status")
_LABEL_COLUMNS = ("concept_uri", "kind", "language", "label", "preferred", "hidden", "search_key")
_GROUP = EscoSkillGroup.__tablename__
# Each skill's group one level under the roots (a node with a broader concept that has none),
# walked up to ten levels; the first such group by URI when there are several paths. The
# territorial analysis joins this instead of walking the hierarchy on every request.
_FILL_GROUPS = f"""
DELETE FROM {_GROUP};
INSERT INTO {_GROUP} (skill_uri, group_uri, group_number)
WITH RECURSIVE up(skill, node, depth) AS (
    SELECT DISTINCT skill_uri, skill_uri, 0 FROM {EscoSkillBroader.__tablename__}
    UNION
    SELECT up.skill, b.broader_uri, up.depth + 1
    FROM up JOIN {EscoSkillBroader.__tablename__} AS b ON b.skill_uri = up.node
    WHERE up.depth < 10
),
first_group AS (
    SELECT DISTINCT ON (up.skill) up.skill, up.node AS group_uri
    FROM up JOIN {EscoSkillBroader.__tablename__} AS b ON b.skill_uri = up.node
    WHERE up.depth > 0 AND NOT EXISTS (
        SELECT 1 FROM {EscoSkillBroader.__tablename__} AS r WHERE r.skill_uri = b.broader_uri
    )
    ORDER BY up.skill, up.node
)
SELECT skill, group_uri, dense_rank() OVER (ORDER BY group_uri) FROM first_group
"""  # noqa: S608 - table names only
# The SQL below is assembled from these table and column names, never from the files' content
# (which travels as COPY data or bound parameters): hence the S608 exemptions.


async def lock(connection: AsyncConnection) -> None:
    """Wait for any other import to commit (held until this transaction ends)."""
    await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})


class Writer:
    """Writes a read taxonomy through asyncpg's own connection (for ``COPY``), inside the
    transaction its SQLAlchemy connection began."""

    def __init__(self, db: Any, advance: Callable[[int], None]) -> None:
        self._db = db  # asyncpg.Connection
        self._advance = advance

    @classmethod
    async def on(cls, connection: AsyncConnection, advance: Callable[[int], None]) -> Writer:
        raw = await connection.get_raw_connection()
        return cls(raw.driver_connection, advance)

    def _ticking(self, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
        """The rows, moving the progress bar as COPY consumes them."""
        pending = 0
        for row in rows:
            pending += 1
            if pending == 5000:
                self._advance(pending)
                pending = 0
            yield row
        self._advance(pending)

    async def _copy(self, table: str, columns: Sequence[str], rows: Sequence[Any]) -> None:
        await self._db.copy_records_to_table(
            table, records=self._ticking(rows), columns=list(columns)
        )

    async def write(self, taxonomy: ReadTaxonomy) -> dict[str, int]:
        counts: dict[str, int] = {}
        if taxonomy.skills is not None:
            await self._upsert_skills(ConceptType.SKILL, taxonomy.skills)
            counts["skills"] = len(taxonomy.skills)
        if taxonomy.skill_groups is not None:
            await self._upsert_skills(ConceptType.SKILL_GROUP, taxonomy.skill_groups)
            counts["skill_groups"] = len(taxonomy.skill_groups)
        if taxonomy.occupations is not None:
            await self._upsert(_OCCUPATION, "uri", _OCCUPATION_COLUMNS, taxonomy.occupations)
            counts["occupations"] = len(taxonomy.occupations)
        if taxonomy.isco_groups is not None:
            await self._upsert(_ISCO, "code", _ISCO_COLUMNS, taxonomy.isco_groups)
            counts["isco_groups"] = len(taxonomy.isco_groups)
        if taxonomy.occupation_skills is not None:
            table = EscoOccupationSkill.__tablename__
            await self._db.execute(f"DELETE FROM {table}")  # noqa: S608
            columns = ("occupation_uri", "skill_uri", "relation")
            await self._copy(table, columns, taxonomy.occupation_skills)
            counts["occupation_skills"] = len(taxonomy.occupation_skills)
        if taxonomy.skill_broader is not None:
            table = EscoSkillBroader.__tablename__
            await self._db.execute(f"DELETE FROM {table}")  # noqa: S608
            await self._copy(table, ("skill_uri", "broader_uri"), taxonomy.skill_broader)
            counts["skill_broader"] = len(taxonomy.skill_broader)
        if taxonomy.occupation_broader is not None:
            await self._set_occupation_broader(taxonomy.occupation_broader)
            counts["occupation_broader"] = len(taxonomy.occupation_broader)
        await self._db.execute(_FILL_GROUPS)  # from the hierarchy as it now is
        for (kind, language), labels in sorted(taxonomy.labels.items()):
            words = await self._replace_labels(kind, language, labels)
            key = f"labels_{language}"
            counts[key] = counts.get(key, 0) + len(labels)
            counts[f"label_words_{language}"] = counts.get(f"label_words_{language}", 0) + words
        # Fresh statistics, or the planner guesses on tables it last saw empty.
        tables = (
            _SKILL,
            _OCCUPATION,
            _ISCO,
            _LABEL,
            _WORD,
            _GROUP,
            EscoOccupationSkill.__tablename__,
        )
        await self._db.execute(f"ANALYZE {', '.join(tables)}, {EscoSkillBroader.__tablename__}")
        return counts

    async def _stage(self, table: str, columns: Sequence[str], rows: Sequence[Any]) -> str:
        stage = f"import_{table}"
        await self._db.execute(
            f"CREATE TEMP TABLE {stage} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        await self._copy(stage, columns, rows)
        return stage

    async def _upsert(
        self,
        table: str,
        key: str,
        columns: Sequence[str],
        rows: Sequence[Any],
        scope: str = "TRUE",
    ) -> None:
        """Insert or update ``rows`` and delete the rows in ``scope`` that are not among them;
        columns not in ``columns`` keep their values."""
        stage = await self._stage(table, columns, rows)
        names = ", ".join(columns)
        updates = ", ".join(f"{column} = excluded.{column}" for column in columns if column != key)
        await self._db.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} "  # noqa: S608
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
        )
        await self._db.execute(
            f"DELETE FROM {table} AS t WHERE {scope} "  # noqa: S608
            f"AND NOT EXISTS (SELECT FROM {stage} AS s WHERE s.{key} = t.{key})"
        )
        await self._db.execute(f"DROP TABLE {stage}")

    async def _upsert_skills(self, concept_type: ConceptType, rows: Sequence[Any]) -> None:
        # Skills and skill groups share the table but come from different files: each file
        # replaces its own concept type only.
        scope = f"t.concept_type = '{concept_type.value}'"
        await self._upsert(_SKILL, "uri", _SKILL_COLUMNS, rows, scope=scope)

    async def _set_occupation_broader(self, links: Sequence[tuple[str, str]]) -> None:
        await self._db.execute(
            f"UPDATE {_OCCUPATION} SET broader_uri = NULL WHERE broader_uri IS NOT NULL"  # noqa: S608
        )
        await self._db.execute(
            f"UPDATE {_OCCUPATION} AS o SET broader_uri = r.broader_uri "  # noqa: S608
            "FROM unnest($1::text[], $2::text[]) AS r(uri, broader_uri) WHERE o.uri = r.uri",
            [uri for uri, _broader in links],
            [broader for _uri, broader in links],
        )
        self._advance(len(links))

    async def _replace_labels(self, kind: str, language: str, labels: Sequence[Any]) -> int:
        """Replace one kind's labels in one language; returns the word rows written."""
        where = "kind = $1 AND language = $2"
        await self._db.execute(f"DELETE FROM {_WORD} WHERE {where}", kind, language)  # noqa: S608
        await self._db.execute(f"DELETE FROM {_LABEL} WHERE {where}", kind, language)  # noqa: S608
        await self._copy(_LABEL, _LABEL_COLUMNS, labels)
        # Each label from its 2nd, 3rd... word on: search keys are single-space separated.
        status: str = await self._db.execute(
            f"INSERT INTO {_WORD} (label_id, position, kind, language, word_key) "  # noqa: S608
            "SELECT l.id, p.position, l.kind, l.language, "
            "array_to_string(w.words[p.position:], ' ') "
            f"FROM {_LABEL} AS l "
            "CROSS JOIN LATERAL (SELECT string_to_array(l.search_key, ' ') AS words) AS w "
            "CROSS JOIN LATERAL generate_series(2, cardinality(w.words)) AS p(position) "
            "WHERE l.kind = $1 AND l.language = $2",
            kind,
            language,
        )
        return int(status.rsplit(" ", 1)[-1])  # "INSERT 0 <rows>"


async def record(
    connection: AsyncConnection, version: str, languages: list[str], counts: dict[str, int]
) -> None:
    """One esco_import row per label language ("" when only relations were imported)."""
    for language in languages or [""]:
        own = {
            name: count
            for name, count in counts.items()
            if not name.startswith(("labels_", "label_words_")) or name.endswith(f"_{language}")
        }
        statement = insert(EscoImport).values(version=version, language=language, counts=own)
        await connection.execute(
            statement.on_conflict_do_update(
                index_elements=["version", "language"],
                set_={"counts": statement.excluded.counts, "imported_at": text("now()")},
            )
        )
