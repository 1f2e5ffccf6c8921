"""Webhook tables: an organisation's subscriptions, the queue and log of deliveries with every
attempt, and what the gateway keeps to decide who may receive an event (its copy of intake's
access decisions, and the ids of the events it has applied).

Declared on the gateway's metadata (``services/gateway/db/models.py`` imports this module), so its
migrations create them like the identity tables.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.gateway.db.models import Base, metadata
from services.gateway.webhooks.domain import DeliveryStatus, SubscriptionStatus, WebhookPayload
from shared.access_mirror import access_table
from shared.events import inbox_table

# Who may see which person, from intake's beneficiary.access_changed / erased / merged.
beneficiary_access = access_table(metadata)
# The events from the services already applied (each id once).
inbox = inbox_table(metadata)


def _in(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class WebhookSubscription(Base):
    """An organisation's endpoint and the event types it wants. ``secret`` signs every delivery
    (Standard Webhooks); it is kept as it is because the gateway must sign with it: a secret at
    rest, like the signing keys."""

    __tablename__ = "webhook_subscription"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(SubscriptionStatus)})", name="status"),
        CheckConstraint(f"payload IN ({_in(WebhookPayload)})", name="payload"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(100)))
    payload: Mapped[str] = mapped_column(
        String(16),
        default=WebhookPayload.IDS.value,
        server_default=WebhookPayload.IDS.value,
        comment="ids, or resource: also the resource as the subscriber may read it at delivery",
    )
    description: Mapped[str | None] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(String(120))
    previous_secret: Mapped[str | None] = mapped_column(String(120))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default=SubscriptionStatus.ACTIVE.value)
    failing_since: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), comment="first failure of the current run of failures"
    )
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WebhookDelivery(Base):
    """One event for one subscription: the queue (``pending`` rows by ``next_attempt_at``) and the
    log. ``data`` is the reduced payload (ids and states); the body is rendered from it, the same
    bytes at every attempt."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(DeliveryStatus)})", name="status"),
        UniqueConstraint("subscription_id", "event_id", name="uq_webhook_delivery_event"),
        Index("ix_webhook_delivery_log", "subscription_id", "created_at", "id"),
        Index(
            "ix_webhook_delivery_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID] = mapped_column(comment="the webhook-id header")
    event_type: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    beneficiary_id: Mapped[uuid.UUID | None] = mapped_column(
        index=True, comment="the person the event is about: erasure drops what is still pending"
    )
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(SmallInteger)
    last_error: Mapped[str | None] = mapped_column(String(200))
    queued_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        server_default=func.now(),
        comment="start of the current series of attempts (a redelivery starts a new one)",
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WebhookAttempt(Base):
    """One HTTP attempt of a delivery: when, the status code or the error (a class name, never a
    response body), how long it took."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    error: Mapped[str | None] = mapped_column(String(200))
    duration_ms: Mapped[int] = mapped_column(Integer)
