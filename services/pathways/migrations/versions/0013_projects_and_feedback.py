"""projects and funds: projects, their participants, participants' feedback

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _created() -> sa.Column[object]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "project",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False, comment="the lead organisation"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("fund", sa.String(16), nullable=False),
        sa.Column("grant_code", sa.String(80), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column(
            "reporting_periods",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "partner_organization_ids",
            postgresql.ARRAY(sa.Uuid()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        _created(),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.create_index("ix_project_lead", "project", ["organization_id", "starts_on"])
    op.create_index(
        "ix_project_partners", "project", ["partner_organization_ids"], postgresql_using="gin"
    )
    op.create_table(
        "project_participant",
        sa.Column(
            "project_id",
            sa.Uuid(),
            sa.ForeignKey("project.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("beneficiary_id", sa.Uuid(), primary_key=True),
        sa.Column(
            "organization_id", sa.Uuid(), nullable=False, comment="the organisation that enrolled"
        ),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("third_country_national", sa.Boolean(), nullable=False),
        sa.Column(
            "evidence", sa.String(32), nullable=False, comment="a code: what showed eligibility"
        ),
        sa.Column(
            "evidence_document_id",
            sa.Uuid(),
            nullable=True,
            comment="intake's document that shows it, if one does",
        ),
        sa.Column("enrolled_by", sa.String(100), nullable=False),
        _created(),
    )
    op.create_index("ix_project_participant_person", "project_participant", ["beneficiary_id"])
    op.create_table(
        "participant_feedback",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("pathway_id", sa.Uuid(), sa.ForeignKey("pathway.id"), nullable=False),
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column(
            "organization_id", sa.Uuid(), nullable=False, comment="the pathway's organisation"
        ),
        sa.Column("action_id", sa.Uuid(), sa.ForeignKey("pathway_action.id"), nullable=True),
        sa.Column("helped_integration", sa.String(16), nullable=False),
        sa.Column("satisfaction", sa.Integer(), nullable=True, comment="1 (not at all) to 5"),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False, comment="operator or self_service"),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        _created(),
    )
    op.create_index(
        "ix_participant_feedback_person",
        "participant_feedback",
        ["beneficiary_id", "answered_on"],
    )
    op.create_index("ix_participant_feedback_pathway", "participant_feedback", ["pathway_id"])


def downgrade() -> None:
    op.drop_table("participant_feedback")
    op.drop_table("project_participant")
    op.drop_table("project")
