"""The tables of projects and funds: a project (its fund, grant, periods and partners), the people
enrolled in it with the eligibility the fund asks for, and participants' feedback on the support
they received (the result indicators need it). Ids, codes and dates: no names, no free text about
a person."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.pathways.db.models import Base, _timestamp


class Project(Base):
    """A funded project run by a lead organisation with its partners."""

    __tablename__ = "project"
    __table_args__ = (
        Index("ix_project_lead", "organization_id", "starts_on"),
        Index("ix_project_partners", "partner_organization_ids", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(comment="the lead organisation")
    name: Mapped[str] = mapped_column(String(200))
    fund: Mapped[str] = mapped_column(String(16))
    grant_code: Mapped[str | None] = mapped_column(String(80))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reporting_periods: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
    partner_organization_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), server_default=text("'{}'")
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = _timestamp()
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = _timestamp()


class ProjectParticipant(Base):
    """A person enrolled in a project, by an organisation of the project, with the eligibility
    the fund asks for (AMIF: a third-country national)."""

    __tablename__ = "project_participant"
    __table_args__ = (Index("ix_project_participant_person", "beneficiary_id"),)

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), primary_key=True
    )
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(comment="the organisation that enrolled")
    enrolled_on: Mapped[date] = mapped_column(Date)
    third_country_national: Mapped[bool] = mapped_column(Boolean)
    evidence: Mapped[str] = mapped_column(String(32), comment="a code: what showed eligibility")
    evidence_document_id: Mapped[uuid.UUID | None] = mapped_column(
        comment="intake's document that shows it, if one does"
    )
    enrolled_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = _timestamp()


class ParticipantFeedback(Base):
    """A participant's answer to the short questionnaire after an action: whether the support
    helped their integration (AMIF's result indicator), recorded by an operator or by the person
    in the app."""

    __tablename__ = "participant_feedback"
    __table_args__ = (
        Index("ix_participant_feedback_person", "beneficiary_id", "answered_on"),
        Index("ix_participant_feedback_pathway", "pathway_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    pathway_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pathway.id"))
    beneficiary_id: Mapped[uuid.UUID]
    organization_id: Mapped[uuid.UUID] = mapped_column(comment="the pathway's organisation")
    action_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("pathway_action.id"))
    helped_integration: Mapped[str] = mapped_column(String(16))
    satisfaction: Mapped[int | None] = mapped_column(Integer, comment="1 (not at all) to 5")
    answered_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16), comment="operator or self_service")
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = _timestamp()
