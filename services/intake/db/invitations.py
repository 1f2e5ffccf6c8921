"""Invitations to the self-service app: a one-time code an operator gives the person, stored only
as its SHA-256, used once, before it expires (on the intake metadata, imported by ``models``)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, LargeBinary, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from services.intake.db.models import Base


class Invitation(Base):
    __tablename__ = "invitation"
    __table_args__ = (
        Index(
            "ix_invitation_open",
            "beneficiary_id",
            postgresql_where=text("used_at IS NULL AND revoked_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"))
    organization_id: Mapped[uuid.UUID] = mapped_column(
        comment="the inviting organisation: the account's organisation"
    )
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), comment="a newer invitation replaced it"
    )
