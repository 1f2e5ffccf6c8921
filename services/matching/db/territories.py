"""Territories in matching's database (same metadata as ``db/models.py``): one row per NUTS region
or LAU, reference data imported from the official files (``territories/importer.py``).

``name_key`` and ``national_key`` are the names normalised like ESCO labels (``domain/labels.py``:
case folded, accents stripped), indexed with ``text_pattern_ops`` so that a name prefix is one
index range scan, without an extension. ``parent_code`` has no foreign key: the importer replaces
the whole table in one transaction and checks every parent before writing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Identity,
    Index,
    Row,
    SmallInteger,
    String,
    Text,
    and_,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.db import pages
from services.matching.db.models import Base
from services.matching.domain.labels import prefix_upper_bound
from services.matching.domain.territories import LAU_LEVEL


class Territory(Base):
    __tablename__ = "territory"
    __table_args__ = (
        Index("ix_territory_parent_code", "parent_code"),
        Index("ix_territory_level", "level"),
        Index("ix_territory_name_key", "name_key", postgresql_ops={"name_key": "text_pattern_ops"}),
        Index(
            "ix_territory_national_key",
            "national_key",
            postgresql_ops={"national_key": "text_pattern_ops"},
        ),
    )

    code: Mapped[str] = mapped_column(
        String(40), primary_key=True, comment="NUTS code (ITI43), or <country>_<LAU code>"
    )
    scheme: Mapped[str] = mapped_column(String(4), comment="nuts or lau")
    level: Mapped[int] = mapped_column(SmallInteger, comment="NUTS 0-3; 4 for a LAU")
    parent_code: Mapped[str | None] = mapped_column(String(40), comment="none for a country")
    country: Mapped[str] = mapped_column(String(2), comment="Eurostat's code: EL for Greece")
    name_latin: Mapped[str] = mapped_column(Text)
    name_national: Mapped[str] = mapped_column(Text, comment="in the national script")
    # Byte order ("C"): lists sort the same in every database collation.
    name_key: Mapped[str] = mapped_column(Text(collation="C"))
    national_key: Mapped[str] = mapped_column(Text(collation="C"))


class TerritoryImport(Base):
    """What was imported, one row per import: the files (names and SHA-256) and the counts."""

    __tablename__ = "territory_import"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    files: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, comment='[{"name", "sha256", "scheme"}] of the files read'
    )
    counts: Mapped[dict[str, Any]] = mapped_column(JSONB)


# ---------------------------------------------------------------------------------------- reads

# Broader units first, then alphabetical by the normalised Latin name; the code breaks ties.
ORDER = (Territory.level, Territory.name_key, Territory.code)


async def page(
    session: AsyncSession,
    *,
    key: str | None,
    level: int | None,
    parent: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Territory], str | None]:
    """One page of the territories whose Latin or national name starts with ``key`` (already
    normalised by ``domain.labels.search_key``), of ``level``, under ``parent``."""
    statement = select(Territory)
    if key:
        bound = prefix_upper_bound(key)
        statement = statement.where(
            or_(
                and_(Territory.name_key.op("~>=~")(key), Territory.name_key.op("~<~")(bound)),
                and_(
                    Territory.national_key.op("~>=~")(key),
                    Territory.national_key.op("~<~")(bound),
                ),
            )
        )
    if level is not None:
        statement = statement.where(Territory.level == level)
    if parent is not None:
        statement = statement.where(Territory.parent_code == parent)
    return await pages.page(session, statement, ORDER, cursor, limit)


# The unit and its ancestors, the unit first (depth 0), up to its country.
_CHAIN = text(
    """
WITH RECURSIVE chain AS (
    SELECT t.*, 0 AS depth FROM territory AS t WHERE t.code = :code
    UNION ALL
    SELECT p.*, chain.depth + 1 FROM territory AS p JOIN chain ON p.code = chain.parent_code
    WHERE chain.depth < 8
)
SELECT code, scheme, level, parent_code, country, name_latin, name_national
FROM chain ORDER BY depth
"""
)


async def with_ancestors(session: AsyncSession, code: str) -> list[Row[Any]]:
    """``code``'s row then its parent's, up to the country; empty when there is no ``code``."""
    return list(await session.execute(_CHAIN, {"code": code}))


async def known_codes(session: AsyncSession, codes: list[str]) -> set[str]:
    """Those of ``codes`` that name a territory."""
    if not codes:
        return set()
    found = await session.scalars(select(Territory.code).where(Territory.code.in_(codes)))
    return set(found)


# The units at and under each of the roots (a NUTS region's regions and municipalities).
_SUBTREE = text(
    """
WITH RECURSIVE tree AS (
    SELECT code, 0 AS depth FROM territory WHERE code = ANY(:roots)
    UNION ALL
    SELECT t.code, tree.depth + 1 FROM territory AS t JOIN tree ON t.parent_code = tree.code
    WHERE tree.depth < 8
)
SELECT DISTINCT code FROM tree
"""
)


async def subtree_codes(session: AsyncSession, roots: list[str]) -> list[str]:
    """Every code at or under ``roots`` (unknown roots add nothing)."""
    if not roots:
        return []
    return list(await session.scalars(_SUBTREE, {"roots": roots}))


async def laus_named(session: AsyncSession, keys: list[str]) -> list[Territory]:
    """The municipalities (LAU) whose Latin or national name, normalised like ``name_key``, is
    one of ``keys``, in code order."""
    if not keys:
        return []
    found = await session.scalars(
        select(Territory)
        .where(
            Territory.level == LAU_LEVEL,
            or_(Territory.name_key.in_(keys), Territory.national_key.in_(keys)),
        )
        .order_by(Territory.code)
    )
    return list(found)
