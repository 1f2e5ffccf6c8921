"""The territory chains ranking reads: for many codes at once, each unit and its ancestors up to
the country, in one statement (``territories.with_ancestors`` reads one code)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.domain.places import Place, places

_CHAINS = text(
    """
WITH RECURSIVE chain AS (
    SELECT t.code AS start, t.code, t.level, t.name_latin, t.parent_code, 0 AS depth
    FROM territory AS t WHERE t.code = ANY(:codes)
    UNION ALL
    SELECT chain.start, p.code, p.level, p.name_latin, p.parent_code, chain.depth + 1
    FROM territory AS p JOIN chain ON p.code = chain.parent_code
    WHERE chain.depth < 8
)
SELECT start, code, level, name_latin FROM chain ORDER BY start, depth
"""
)


async def of_codes(session: AsyncSession, codes: Collection[str | None]) -> dict[str, Place]:
    """The place of each known code among ``codes`` (None and unknown codes are left out)."""
    wanted = sorted({code for code in codes if code})
    if not wanted:
        return {}
    chains: dict[str, list[tuple[str, int, str]]] = {}
    for row in await session.execute(_CHAINS, {"codes": wanted}):
        chains.setdefault(row.start, []).append((row.code, row.level, row.name_latin))
    return places(chains)
