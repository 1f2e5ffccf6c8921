"""Import the official ESCO CSV export into matching's database, idempotently.

Everything happens in one transaction, so searches see the old taxonomy until the new one is
complete. What the files hold replaces what the tables hold:

- concepts (skills, skill groups, occupations, ISCO groups) are upserted from a ``COPY``-filled
  staging table and the ones no longer in the files deleted, which keeps what other files set
  (an occupation's broader occupation, from the relations archive);
- each language's labels of each kind, and the relations, are deleted and copied in again;
- the word index of the labels is rebuilt in SQL from the labels just copied.

Bulk ``COPY`` through asyncpg is what makes the full export (~150,000 labels, ~124,000
occupation-skill links) take seconds rather than minutes. The statements are in
``db/taxonomy_writer.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services.matching.db import taxonomy_writer
from services.matching.taxonomy.progress import Progress
from services.matching.taxonomy.records import Taxonomy, read_taxonomy
from services.matching.taxonomy.sources import detect_version, find_files


async def import_taxonomy(
    engine: AsyncEngine,
    sources: Sequence[str | Path],
    *,
    version: str | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Import the ESCO files in ``sources`` (zips, directories); returns the rows written per
    table (labels per language as ``labels_<lang>``). ``version`` defaults to the one in the
    archives' names."""
    progress = progress or Progress()
    files = find_files(sources)
    progress.start("reading", sum(file.size for file in files))
    taxonomy = read_taxonomy(files, progress.advance)
    progress.finish()
    version = version or detect_version(sources) or "unknown"
    progress.start("writing", _rows_to_write(taxonomy))
    async with engine.begin() as connection:
        await taxonomy_writer.lock(connection)
        # asyncpg's own connection, for COPY; it runs inside the transaction begun above.
        writer = await taxonomy_writer.Writer.on(connection, progress.advance)
        counts = await writer.write(taxonomy)
        await taxonomy_writer.record(connection, version, taxonomy.languages, counts)
    progress.finish()
    return counts


def _rows_to_write(taxonomy: Taxonomy) -> int:
    tables: list[Sequence[Any] | None] = [
        taxonomy.skills,
        taxonomy.skill_groups,
        taxonomy.occupations,
        taxonomy.isco_groups,
        taxonomy.occupation_skills,
        taxonomy.skill_broader,
        taxonomy.occupation_broader,
        *taxonomy.labels.values(),
    ]
    return sum(len(rows) for rows in tables if rows is not None)
