"""The matching service's tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.access_mirror import access_table, grant_table
from shared.db import make_metadata
from shared.events import inbox_table

metadata = make_metadata()
beneficiary_access = access_table(metadata)
beneficiary_grant = grant_table(metadata)
inbox = inbox_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class CandidateProfile(Base):
    """Matching's read model of a person: the matching-relevant part of the intake record, kept
    from intake's events so ranking never calls intake per person. Deleted on erasure."""

    __tablename__ = "candidate_profile"

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(index=True)
    profile: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
