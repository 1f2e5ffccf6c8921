"""What pathways keeps of other services' records about a person, from their events: intake's
documents (one about to expire is a task) and transfer requests (a pending one is a task of the
receiving organisation)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from services.pathways.db.models import Base, _timestamp


class PersonDocument(Base):
    """What pathways knows of intake's documents that expire, from its events: enough for a
    reminder (kind, section, expiry). A deleted one stays as a tombstone, so that a copy of its
    upload delivered late does not bring it back."""

    __tablename__ = "person_document"
    __table_args__ = (
        Index("ix_person_document_person", "beneficiary_id", postgresql_where=text("NOT deleted")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, comment="intake's document id")
    beneficiary_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(32))
    section: Mapped[str] = mapped_column(String(16))
    expires_on: Mapped[date | None] = mapped_column(Date)
    deleted: Mapped[bool] = mapped_column(Boolean, server_default=false())
    updated_at: Mapped[datetime] = _timestamp()


class TransferRequest(Base):
    """What pathways knows of intake's transfer requests, from its events: a pending one is a
    task of the receiving organisation."""

    __tablename__ = "transfer_request"
    __table_args__ = (
        Index(
            "ix_transfer_request_pending",
            "to_organization_id",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_transfer_request_person", "beneficiary_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, comment="intake's transfer id")
    beneficiary_id: Mapped[uuid.UUID]
    from_organization_id: Mapped[uuid.UUID]
    to_organization_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(16))
    requested_on: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = _timestamp()
