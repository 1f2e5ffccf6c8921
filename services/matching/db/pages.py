"""One keyset page of a statement (``shared.pagination``): the rows shown and the next cursor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from shared.pagination import encode_cursor, keyset


async def page(
    session: AsyncSession,
    statement: Select[Any],
    order: Sequence[InstrumentedAttribute[Any]],
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:
    rows = list((await session.scalars(keyset(statement, order, cursor, limit))).all())
    shown = rows[:limit]
    if not shown or len(rows) <= limit:
        return shown, None
    return shown, encode_cursor([getattr(shown[-1], column.key) for column in order])
