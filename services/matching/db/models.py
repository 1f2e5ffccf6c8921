"""The matching service's tables: offers and referrals; its read model of each person (from
intake's and pathways' events) and its copy of who may see whom. The ESCO taxonomy's tables are
in ``db/taxonomy.py``, on the same metadata."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, query_expression

from shared.access_mirror import access_table, grant_table
from shared.db import make_metadata
from shared.events import inbox_table, outbox_tables
from shared.events.outbox import CURRENT_TRANSACTION_ID
from shared.idempotency import idempotency_table

# None is SQL NULL, not the JSON value null: ``IS NULL`` finds what was cleared (a card ended by a
# withdrawal is looked for as ``person_card IS NOT NULL``).
NULLABLE_JSON = JSONB(none_as_null=True)

metadata = make_metadata()
beneficiary_access = access_table(metadata)
beneficiary_grant = grant_table(metadata)
inbox = inbox_table(metadata)
outbox = outbox_tables(metadata)
idempotency = idempotency_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata


def _timestamp() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def sync_xact_column() -> Mapped[int]:
    """The last transaction that wrote the row, stamped by a trigger (``shared.sync``)."""
    return mapped_column(
        BigInteger,
        server_default=text(CURRENT_TRANSACTION_ID),
        comment="the last transaction that wrote the row: a sync's commit order",
    )


class CandidateProfile(Base):
    """Matching's read model of a person: the matching-relevant part of the intake record, kept
    from intake's events so ranking never calls intake per person, and the pathway's priority
    need from pathways' events. Deleted on erasure."""

    __tablename__ = "candidate_profile"

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(index=True)
    profile: Mapped[dict[str, Any]] = mapped_column(JSONB)
    priority_need: Mapped[str | None] = mapped_column(String(32))
    territory_code: Mapped[str | None] = mapped_column(
        String(40), index=True, comment="residence: the code given, or resolved from the name"
    )
    needs: Mapped[list[str]] = mapped_column(
        ARRAY(String(32)), default=list, server_default=text("'{}'")
    )
    # Derived by the database on every write of ``profile`` (migration 0016's function), so no
    # path that writes a profile can leave it stale; the territorial analysis reads it instead
    # of parsing every profile's JSON.
    skill_uris: Mapped[list[str]] = mapped_column(
        ARRAY(Text),
        Computed("profile_skill_uris(profile)", persisted=True),
        comment="the profile's skills' URIs, in the profile's order",
    )
    # {"stamp": the taxonomy's, "skills": {text: {"uri", "confidence"}}}, written with the
    # profile (service/skill_readings.py); null before, or when no taxonomy was loaded
    skill_reading: Mapped[dict[str, Any] | None] = mapped_column(
        NULLABLE_JSON,
        comment="each free-text skill's ESCO reading and the taxonomy stamp it was read with",
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PathwayOwner(Base):
    """Matching's read model of pathways, from pathways' events (``pathway.opened``, every
    ``pathway.step_recorded``, ``pathway.closed``): whose pathway it is and which organisation
    runs it, so that a referral names only a pathway of the referrer's for that person. Ids
    only; repointed on merge."""

    __tablename__ = "pathway_owner"

    pathway_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(index=True)
    organization_id: Mapped[uuid.UUID]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Offer(Base):
    """A training, language course, internship, job or entrepreneurship offer of a cluster member
    (modelled on Open Referral HSDS services)."""

    __tablename__ = "offer"
    __table_args__ = (
        Index("ix_offer_status_starts", "status", "starts_on"),
        Index("ix_offer_organization", "organization_id", "status"),
        Index("ix_offer_territory", "territory_code"),
        Index("ix_offer_clusters", "cluster_ids", postgresql_using="gin"),
        Index("ix_offer_sync", "sync_xact", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(comment="the provider")
    type: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="draft")
    municipality: Mapped[str | None] = mapped_column(String(120))
    territory_code: Mapped[str | None] = mapped_column(String(40))
    cluster_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), default=list, server_default=text("'{}'"), comment="empty: every cluster"
    )
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    schedule: Mapped[str | None] = mapped_column(String(500))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    seats: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    required_skills: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    preferred_skills: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    taught_skills: Mapped[list[str]] = mapped_column(
        ARRAY(Text),
        default=list,
        server_default=text("'{}'"),
        comment="ESCO skills a person learns here (a training's or internship's outcomes)",
    )
    occupation_uri: Mapped[str | None] = mapped_column(Text)
    sector: Mapped[str | None] = mapped_column(String(1), comment="a NACE Rev. 2 section")
    min_language_code: Mapped[str | None] = mapped_column(String(2))
    min_language_level: Mapped[str | None] = mapped_column(String(2))
    min_education_level: Mapped[int | None] = mapped_column(SmallInteger)
    age_min: Mapped[int | None] = mapped_column(SmallInteger)
    age_max: Mapped[int | None] = mapped_column(SmallInteger)
    permit_must_allow_work: Mapped[bool] = mapped_column(Boolean, default=False)
    pay_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    pay_currency: Mapped[str | None] = mapped_column(String(3))
    pay_period: Mapped[str | None] = mapped_column(String(8))
    pay_kind: Mapped[str | None] = mapped_column(String(8))
    languages_of_instruction: Mapped[list[str]] = mapped_column(ARRAY(String(2)), default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = _timestamp()
    updated_at: Mapped[datetime] = _timestamp()
    sync_xact: Mapped[int] = sync_xact_column()


class IndexRevision(Base):
    """How far the data behind each in-memory index has moved: one row per index ("offers",
    "people"), bumped in the transaction of every change the index reads, so each process
    rebuilds an index when, and only when, its data changed. Seats are not counted: enrolments
    would rebuild the offers' index at every seat; the offers a request returns are checked
    against their live seats instead."""

    __tablename__ = "index_revision"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)


class Referral(Base):
    """A person proposed for an offer or a service point, followed to its end: proposed ->
    accepted | rejected -> enrolled -> completed | dropped. A seat is taken at enrolment (a
    service point has none: accepted -> completed)."""

    __tablename__ = "referral"
    __table_args__ = (
        Index(
            "uq_referral_active",
            "beneficiary_id",
            "offer_id",
            unique=True,
            postgresql_where=text("status IN ('proposed', 'accepted', 'enrolled')"),
        ),
        # One active referral per person and service point, as per person and offer.
        Index(
            "uq_referral_service_point_active",
            "beneficiary_id",
            "service_point_id",
            unique=True,
            postgresql_where=text("status IN ('proposed', 'accepted', 'enrolled')"),
        ),
        # A referral goes to an offer or to a service point, never both, never neither.
        CheckConstraint("num_nonnulls(offer_id, service_point_id) = 1", name="one_target"),
        Index("ix_referral_offer", "offer_id", "status"),
        # The lists, oldest first: the referrer's and the provider's.
        Index("ix_referral_referrer", "organization_id", "created_at", "id"),
        Index("ix_referral_provider", "provider_organization_id", "created_at", "id"),
        Index("ix_referral_beneficiary", "beneficiary_id"),
        Index("ix_referral_cluster", "cluster_id", "created_at"),
        Index("ix_referral_sync", "sync_xact", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    beneficiary_id: Mapped[uuid.UUID]
    offer_id: Mapped[uuid.UUID | None] = mapped_column(comment="null for a service point")
    organization_id: Mapped[uuid.UUID] = mapped_column(comment="the referring organisation")
    provider_organization_id: Mapped[uuid.UUID]
    pathway_id: Mapped[uuid.UUID | None]
    service_point_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    cluster_id: Mapped[uuid.UUID | None] = mapped_column(comment="the cluster it was made in")
    action_id: Mapped[uuid.UUID | None]
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    # The moves a cluster's commitments measure, as columns (the history holds them too).
    answered_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), comment="when the provider accepted or rejected it"
    )
    enrolled_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), comment="when it was enrolled"
    )
    reason: Mapped[str | None] = mapped_column(String(500))
    reason_code: Mapped[str | None] = mapped_column(
        String(32), comment="why it ended when the system ended it (consent_withdrawn, ...)"
    )
    note: Mapped[str | None] = mapped_column(String(2000))
    score: Mapped[float | None] = mapped_column(Float)
    # the person's skills held and missing: personal, it goes with the card (withdrawals.py)
    match: Mapped[dict[str, Any] | None] = mapped_column(
        NULLABLE_JSON, comment="the explanation of the match as proposed (criteria and skills)"
    )
    person_card: Mapped[dict[str, Any] | None] = mapped_column(
        NULLABLE_JSON,
        comment="what the provider sees: name, contact, language levels, relevant skills",
    )
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = _timestamp()
    updated_at: Mapped[datetime] = _timestamp()
    # Stamped by a trigger on every write (shared.sync).
    sync_xact: Mapped[int] = sync_xact_column()
    # Loaded with the row by ``referrals.readable``: the person's consent to matching and the
    # referrer's view of them both still hold (``consent_ends.card_allowed``).
    card_visible: Mapped[bool | None] = query_expression()


class CatalogueDeletion(Base):
    """An offer or a service point deleted, as it was published (written by a trigger on the
    deletion): what a sync tells the organisations that read it. Kept ``DELETION_DAYS``: a
    watermark older than that must sync again from 0."""

    __tablename__ = "catalogue_deletion"
    __table_args__ = (
        Index("ix_catalogue_deletion_sync", "kind", "sync_xact", "id"),
        Index("ix_catalogue_deletion_deleted_at", "deleted_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), comment="offer or service_point")
    organization_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(12))
    cluster_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid))
    sync_xact: Mapped[int] = sync_xact_column()
    deleted_at: Mapped[datetime] = _timestamp()


# The taxonomy's tables share this metadata (migrations and tests see one schema).
from services.matching.db import cluster_tables as _cluster_tables  # noqa: E402, F401
from services.matching.db import dashboard_tables as _dashboard_tables  # noqa: E402, F401
from services.matching.db import taxonomy as _taxonomy  # noqa: E402, F401
from services.matching.db import territories as _territories  # noqa: E402, F401
