"""The ESCO taxonomy in matching's database (same metadata as ``db/models.py``).

ESCO publishes concepts (skills, skill groups, occupations, ISCO groups), their relations and their
labels per language; the tables follow that split so that one language's labels can be replaced
without touching the concepts, and the relations without touching either.

No foreign keys between these tables, on purpose: the importer replaces whole tables in bulk
(``COPY``), per-row constraint triggers would cost more than the rest of the import, and the
official files may be imported in any order (the relations zip before the classification).
Matching holds one ESCO version at a time: ESCO URIs are stable across versions, so offers and
profiles keep pointing at the same concepts when a newer version replaces the old one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.db.models import Base


class EscoSkill(Base):
    """A skill or knowledge concept, or a skill group: the groups are kept here too so that the
    hierarchy (``esco_skill_broader``) is walked over one table of nodes."""

    __tablename__ = "esco_skill"

    uri: Mapped[str] = mapped_column(Text, primary_key=True)
    concept_type: Mapped[str] = mapped_column(String(16))
    skill_type: Mapped[str | None] = mapped_column(
        String(16), comment='"skill/competence" or "knowledge"; none for groups (and 6 skills)'
    )
    reuse_level: Mapped[str | None] = mapped_column(
        String(24), comment="transversal, cross-sector, sector-specific, occupation-specific"
    )
    code: Mapped[str | None] = mapped_column(String(24), comment="a skill group's code, e.g. S6.8")
    status: Mapped[str] = mapped_column(String(16))


class EscoOccupation(Base):
    __tablename__ = "esco_occupation"
    __table_args__ = (Index("ix_esco_occupation_isco_group", "isco_group"),)

    uri: Mapped[str] = mapped_column(Text, primary_key=True)
    isco_group: Mapped[str] = mapped_column(String(4), comment="ISCO-08 unit group, e.g. 7112")
    code: Mapped[str | None] = mapped_column(String(32), comment="ESCO code, e.g. 7112.1")
    broader_uri: Mapped[str | None] = mapped_column(
        Text, comment="the broader ESCO occupation, when it is not directly under its ISCO group"
    )
    status: Mapped[str] = mapped_column(String(16))


class EscoIscoGroup(Base):
    """An ISCO-08 group, from major group (1 digit) to unit group (4 digits)."""

    __tablename__ = "esco_isco_group"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    uri: Mapped[str] = mapped_column(Text, unique=True)
    parent_code: Mapped[str | None] = mapped_column(String(4), index=True)
    status: Mapped[str] = mapped_column(String(16))


class EscoSkillBroader(Base):
    """The skills pillar's hierarchy: skill -> broader skill, skill -> skill group, group -> group.
    A skill may have several broader concepts."""

    __tablename__ = "esco_skill_broader"
    __table_args__ = (Index("ix_esco_skill_broader_broader", "broader_uri"),)

    skill_uri: Mapped[str] = mapped_column(Text, primary_key=True)
    broader_uri: Mapped[str] = mapped_column(Text, primary_key=True)


class EscoSkillGroup(Base):
    """Each skill's group one level under the hierarchy's roots, walked from
    ``esco_skill_broader`` at every import (the first by URI when there are several paths);
    ``group_number`` numbers the groups of one import (1, 2, ... in URI order), a compact key
    for the territorial analysis's counts. Skills with no such group have no row."""

    __tablename__ = "esco_skill_group"

    skill_uri: Mapped[str] = mapped_column(Text, primary_key=True)
    group_uri: Mapped[str] = mapped_column(Text)
    group_number: Mapped[int] = mapped_column(Integer)


class EscoOccupationSkill(Base):
    __tablename__ = "esco_occupation_skill"
    # The primary key serves "the skills of an occupation"; this index "the occupations that
    # need a skill" (candidate offers and ISCO neighbours in ranking).
    __table_args__ = (Index("ix_esco_occupation_skill_skill", "skill_uri", "relation"),)

    occupation_uri: Mapped[str] = mapped_column(Text, primary_key=True)
    skill_uri: Mapped[str] = mapped_column(Text, primary_key=True)
    relation: Mapped[str] = mapped_column(String(9))


class EscoLabel(Base):
    """A preferred, alternative or hidden label of a concept in one language. ``search_key`` is the
    label normalised (``taxonomy.normalize.search_key``): case folded, accents stripped."""

    __tablename__ = "esco_label"
    __table_args__ = (
        # Prefix search: text_pattern_ops compares bytes, so a range on it is a prefix range
        # whatever the database's collation.
        Index(
            "ix_esco_label_search",
            "kind",
            "language",
            "search_key",
            postgresql_ops={"search_key": "text_pattern_ops"},
        ),
        # One preferred label per concept and language; also how results get their display label.
        Index(
            "uq_esco_label_preferred",
            "concept_uri",
            "language",
            unique=True,
            postgresql_where=text("preferred"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    concept_uri: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    label: Mapped[str] = mapped_column(Text)
    preferred: Mapped[bool]
    hidden: Mapped[bool] = mapped_column(
        comment="ESCO hidden labels (misspellings, product names): searched, never displayed as "
        "the concept's name"
    )
    search_key: Mapped[str] = mapped_column(Text)


class EscoLabelWord(Base):
    """The normalised label from its second, third, ... word on, so that "bri" finds "lay bricks"
    with the same kind of index range scan as a whole-label prefix (a trigram index would need
    an extension and is slower for prefixes). Rebuilt from ``esco_label`` by the importer."""

    __tablename__ = "esco_label_word"
    __table_args__ = (
        Index(
            "ix_esco_label_word_search",
            "kind",
            "language",
            "word_key",
            postgresql_ops={"word_key": "text_pattern_ops"},
        ),
    )

    label_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True, comment="2 = 2nd word")
    kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    word_key: Mapped[str] = mapped_column(Text)


class EscoImport(Base):
    """What was imported: one row per ESCO version and label language ("" for an import of the
    relations files alone), replaced when the same version and language are imported again."""

    __tablename__ = "esco_import"

    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    counts: Mapped[dict[str, Any]] = mapped_column(JSONB)
