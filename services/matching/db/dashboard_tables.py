"""The cluster dashboard's read model (same metadata as ``db/models.py``): counters kept exact by
PostgreSQL triggers on ``referral``, ``cluster_member`` and ``candidate_profile`` (migration 0015,
which says how), so that the dashboard reads a few hundred rows rather than every referral.

A cluster's referrals are those made in it and those made in no cluster between two of its members
(former ones included); each such referral counts in every row below for that cluster. Counters
may hold zero rows (a count that went back to nothing): readers skip them. No row is read by an
API but the dashboard's, and none names a person outside the per-person rows that count them."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.db.models import Base


class DashboardNetwork(Base):
    """Referrals per referrer, provider and target (an offer, or a service point): the target's
    type is read with the dashboard, so that an offer's type or a point's kind may change."""

    __tablename__ = "cluster_dashboard_network"

    cluster_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    referrer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    target_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    to_service_point: Mapped[bool] = mapped_column(Boolean)
    referrals: Mapped[int] = mapped_column(Integer)


class DashboardOutcome(Base):
    """Referrals enrolled, completed or dropped per organisation and side (referrer, provider)."""

    __tablename__ = "cluster_dashboard_outcome"

    cluster_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    side: Mapped[str] = mapped_column(String(12), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), primary_key=True)
    referrals: Mapped[int] = mapped_column(Integer)


class DashboardReachPair(Base):
    """How many of the cluster's referrals tie an organisation (either side) to a person: the
    reference count behind ``DashboardReach``."""

    __tablename__ = "cluster_dashboard_reach_pair"

    cluster_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    referrals: Mapped[int] = mapped_column(Integer)


class DashboardReach(Base):
    """Distinct people per organisation: its pairs whose count is above zero."""

    __tablename__ = "cluster_dashboard_reach"

    cluster_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    people: Mapped[int] = mapped_column(Integer)


class DashboardPerson(Base):
    """A person's referrals in the cluster, and those enrolled, completed or dropped: what moves
    between places when the person's residence changes."""

    __tablename__ = "cluster_dashboard_person"
    __table_args__ = (Index("ix_cluster_dashboard_person_beneficiary", "beneficiary_id"),)

    cluster_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    referrals: Mapped[int] = mapped_column(Integer)
    enrolled: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)
    dropped: Mapped[int] = mapped_column(Integer)


class DashboardPlace(Base):
    """People (with a referral in the cluster) and their outcomes per residence as the profile
    says it ('' for none): a municipality is rolled up to its NUTS 3 region when read, so that
    the territory import may change."""

    __tablename__ = "cluster_dashboard_place"

    cluster_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    territory_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    people: Mapped[int] = mapped_column(Integer)
    enrolled: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)
    dropped: Mapped[int] = mapped_column(Integer)
