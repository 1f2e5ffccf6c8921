"""Import the official NUTS and LAU files into matching's database, idempotently.

Both files are read and checked before anything is written: every unit's parent must be among
the NUTS regions read (a LAU whose NUTS 3 is missing refuses the whole import, naming it), and no
code may appear twice. Then, in one transaction, the table is replaced by what the files hold
(searches see the old territories until the new ones are complete) and the import is recorded
with the files' SHA-256: Eurostat corrects the LAU workbook in place, so the digest names the
edition read. The statements are in ``db/territory_writer.py``.

Ranking's in-memory indexes hold each offer's and person's territory chain (``db/places.py``,
read when an index is built): the same transaction bumps both indexes' revisions, so a
municipality moved under another NUTS 3, or a code that now exists, reaches the next ranking.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services.matching.db import indexes, territory_writer
from services.matching.domain.labels import search_key
from services.matching.domain.territories import Scheme, territory_code
from services.matching.territories.files import (
    Territory,
    TerritoryFileError,
    read_lau_xlsx,
    read_nuts_csv,
)

_SHOWN = 10  # missing parents or duplicates named in a refusal


@dataclass
class Read:
    """What the files hold, as rows of the territory table, and the sheets skipped."""

    rows: list[tuple[Any, ...]]
    counts: dict[str, int]
    skipped: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _row(record: Territory) -> tuple[Any, ...]:
    scheme = Scheme(record.scheme.lower())
    return (
        territory_code(scheme, record.country, record.code),
        scheme.value,
        record.level,
        record.parent_code,
        record.country,
        record.name_latin,
        record.name_national,
        search_key(record.name_latin),
        search_key(record.name_national),
    )


def read_files(nuts: Path, lau: Path, on_skip: Callable[[str, str], None] | None = None) -> Read:
    """The rows to write; raises :class:`TerritoryFileError` for a bad file, a unit whose
    parent is not among the NUTS regions read, or a code read twice."""
    skipped: list[str] = []

    def skip(sheet: str, reason: str) -> None:
        skipped.append(f"{sheet}: {reason}")
        if on_skip is not None:
            on_skip(sheet, reason)

    records = [*read_nuts_csv(nuts), *read_lau_xlsx(lau, on_skip=skip)]
    nuts_codes = {record.code for record in records if record.scheme == "NUTS"}
    orphans = [r for r in records if r.parent_code is not None and r.parent_code not in nuts_codes]
    if orphans:
        named = ", ".join(f"{r.key} (parent {r.parent_code})" for r in orphans[:_SHOWN])
        more = f" and {len(orphans) - _SHOWN} more" if len(orphans) > _SHOWN else ""
        raise TerritoryFileError(
            f"{len(orphans)} territories have a parent that is not in the NUTS file {nuts.name}: "
            f"{named}{more}. Import the NUTS file of the same edition as the LAU file; nothing "
            "was imported."
        )
    rows = [_row(record) for record in records]
    twice = [code for code, seen in Counter(row[0] for row in rows).items() if seen > 1]
    if twice:
        raise TerritoryFileError(
            f"codes read more than once: {', '.join(twice[:_SHOWN])}; nothing was imported."
        )
    levels = Counter(record.level for record in records)
    counts = {f"level_{level}": levels[level] for level in sorted(levels)}
    counts["nuts"] = len(nuts_codes)
    counts["lau"] = len(records) - len(nuts_codes)
    return Read(rows, counts, skipped)


async def import_territories(
    engine: AsyncEngine,
    nuts: str | Path,
    lau: str | Path,
    *,
    on_skip: Callable[[str, str], None] | None = None,
) -> dict[str, int]:
    """Replace the territories by those of the NUTS CSV and the LAU workbook; returns the counts
    (per level, and NUTS and LAU in all)."""
    nuts, lau = Path(nuts), Path(lau)
    read = read_files(nuts, lau, on_skip)
    files = [
        {"scheme": Scheme.NUTS.value, "name": nuts.name, "sha256": sha256_of(nuts)},
        {"scheme": Scheme.LAU.value, "name": lau.name, "sha256": sha256_of(lau)},
    ]
    async with engine.begin() as connection:
        await territory_writer.lock(connection)
        await territory_writer.replace(connection, read.rows)
        await territory_writer.record(connection, files, read.counts)
        for index in (indexes.OFFERS, indexes.PEOPLE):
            await indexes.bump_revision(connection, index)
    return read.counts
