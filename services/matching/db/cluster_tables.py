"""The cluster's tables in matching's database (same metadata as ``db/models.py``): clusters, their
members and commitments, service points and the territories' profiles.

Matching owns them because it owns what they are measured by: the offers members publish, the
referrals between members, the territories and the read model of the people each member follows.
Territory codes carry no foreign key (the territory import replaces that table whole); the
application checks them where they are written (``service/territories.require_known``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
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
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.db.models import Base, sync_xact_column

CLUSTER_STATUSES = ("forming", "active", "sustaining", "closed")
TIERS = ("low_threshold", "intermediate", "structured")
VARIABLE_KINDS = ("social", "socio_economic", "institutional")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _timestamp() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Cluster(Base):
    """A local network of organisations cooperating on a territory (MEIC)."""

    __tablename__ = "cluster"
    __table_args__ = (
        CheckConstraint(_in("status", CLUSTER_STATUSES), name="status_known"),
        Index("ix_cluster_coordinator", "coordinator_organization_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    territory_codes: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    target_group: Mapped[str | None] = mapped_column(String(500))
    sector_focus: Mapped[list[str]] = mapped_column(
        ARRAY(String(120)), default=list, server_default=text("'{}'")
    )
    status: Mapped[str] = mapped_column(String(12), default="forming")
    coordinator_organization_id: Mapped[uuid.UUID]
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = _timestamp()
    updated_at: Mapped[datetime] = _timestamp()


class ClusterMember(Base):
    """An organisation's membership of a cluster, with its roles in it; ``left_on`` ends it (the
    row stays: the dashboard counts what a former member delivered)."""

    __tablename__ = "cluster_member"
    __table_args__ = (Index("ix_cluster_member_organization", "organization_id"),)

    cluster_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cluster.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = _timestamp()
    updated_at: Mapped[datetime] = _timestamp()


class Commitment(Base):
    """What a member pledges to the cluster for a period ("8 internship seats"), measured against
    what it delivered in that period (computed, never stored)."""

    __tablename__ = "cluster_commitment"
    __table_args__ = (
        Index("ix_cluster_commitment_member", "cluster_id", "organization_id"),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    cluster_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cluster.id", ondelete="CASCADE"))
    organization_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(32), comment="what is measured: seats, referrals...")
    offer_type: Mapped[str | None] = mapped_column(String(24))
    quantity: Mapped[int] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(String(500))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = _timestamp()
    updated_at: Mapped[datetime] = _timestamp()


class ServicePoint(Base):
    """A service at a location (Open Referral HSDS): where a person can be sent for a need."""

    __tablename__ = "service_point"
    __table_args__ = (
        CheckConstraint(_in("tier", TIERS), name="tier_known"),
        Index("ix_service_point_territory", "territory_code"),
        Index("ix_service_point_organization", "organization_id"),
        Index("ix_service_point_needs", "need_domains", postgresql_using="gin"),
        Index("ix_service_point_clusters", "cluster_ids", postgresql_using="gin"),
        Index("ix_service_point_sync", "sync_xact", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    need_domains: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    tier: Mapped[str] = mapped_column(String(16))
    territory_code: Mapped[str] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    opening_hours: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    languages: Mapped[list[str]] = mapped_column(
        ARRAY(String(2)), default=list, server_default=text("'{}'")
    )
    cultural_mediators: Mapped[bool] = mapped_column(Boolean, default=False)
    documents_required: Mapped[bool] = mapped_column(Boolean, default=False)
    access_mode: Mapped[str] = mapped_column(String(16), comment="drop_in, appointment or both")
    access_conditions: Mapped[str | None] = mapped_column(String(500))
    transport_access: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb"), comment="[{hub, minutes}]"
    )
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    url: Mapped[str | None] = mapped_column(String(500))
    cluster_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid),
        default=list,
        server_default=text("'{}'"),
    )
    status: Mapped[str] = mapped_column(String(8), default="active", comment="active or closed")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = _timestamp()
    updated_at: Mapped[datetime] = _timestamp()
    sync_xact: Mapped[int] = sync_xact_column()


class TerritoryProfile(Base):
    """One dated, sourced value of a variable for a territory (social, socio-economic,
    institutional), entered by a coordinator or imported from a CSV."""

    __tablename__ = "territory_profile"
    __table_args__ = (
        CheckConstraint(_in("kind", VARIABLE_KINDS), name="kind_known"),
        CheckConstraint("value_number IS NOT NULL OR value_text IS NOT NULL", name="has_value"),
        Index("ix_territory_profile_territory", "territory_code", "variable", "reference_year"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    territory_code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    variable: Mapped[str] = mapped_column(String(80))
    value_number: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    value_text: Mapped[str | None] = mapped_column(String(500))
    unit: Mapped[str | None] = mapped_column(String(40))
    reference_year: Mapped[int] = mapped_column(SmallInteger)
    source: Mapped[str] = mapped_column(String(300))
    source_url: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = _timestamp()
