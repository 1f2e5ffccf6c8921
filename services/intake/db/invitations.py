"""Invitations to the self-service app: a one-time code an operator gives the person, stored only
as its SHA-256, used once, before it expires (on the intake metadata, imported by ``models``), and
its statements."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, LargeBinary, String, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.intake.db.models import Base, Beneficiary


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


async def add(session: AsyncSession, invitation: Invitation) -> None:
    session.add(invitation)
    await session.flush()


async def revoke_open(session: AsyncSession, beneficiary_id: uuid.UUID, moment: datetime) -> None:
    """End the person's unused invitations (a new one replaces them; an erasure ends them)."""
    await session.execute(
        update(Invitation)
        .where(
            Invitation.beneficiary_id == beneficiary_id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=moment)
    )


async def use(
    session: AsyncSession, code_hash: bytes, moment: datetime
) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID] | None:
    """Mark the code used, in one conditional UPDATE (a code works once even when two phones
    race): valid, unused, unrevoked, unexpired, for a person still active. The invitation's id,
    person and organisation, or None."""
    active_people = select(Beneficiary.id).where(Beneficiary.status == "active")
    used = (
        await session.execute(
            update(Invitation)
            .where(
                Invitation.code_hash == code_hash,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > moment,
                Invitation.beneficiary_id.in_(active_people),
            )
            .values(used_at=moment)
            .returning(Invitation.id, Invitation.beneficiary_id, Invitation.organization_id)
        )
    ).first()
    if used is None:
        return None
    invitation_id, beneficiary_id, organization_id = used
    return invitation_id, beneficiary_id, organization_id
