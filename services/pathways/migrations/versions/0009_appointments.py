"""appointments: a meeting with a person, its place, operator, language support and attendance

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appointment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column(
            "organization_id",
            sa.Uuid(),
            nullable=False,
            comment="the organisation that booked it",
        ),
        sa.Column("pathway_id", sa.Uuid(), nullable=True),
        sa.Column("step", sa.String(length=16), nullable=True, comment="the loop step it serves"),
        sa.Column("action_id", sa.Uuid(), nullable=True),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("service_point_id", sa.Uuid(), nullable=True, comment="matching's service point"),
        sa.Column(
            "service_point_name",
            sa.String(length=200),
            nullable=True,
            comment="its name when booked (what the person is shown)",
        ),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column(
            "operator_id", sa.String(length=100), nullable=False, comment="the operator's user id"
        ),
        sa.Column("interpreter_needed", sa.Boolean(), nullable=False),
        sa.Column("cultural_mediator_needed", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=True, comment="ISO 639-1"),
        sa.Column("purpose", sa.String(length=120), nullable=True),
        sa.Column("attendance", sa.String(length=16), nullable=False),
        sa.Column("attendance_reason", sa.String(length=32), nullable=True),
        sa.Column("attendance_recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attendance_recorded_by", sa.String(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "(service_point_id IS NULL) <> (address IS NULL)", name=op.f("ck_appointment_one_place")
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["pathway_action.id"],
            name=op.f("fk_appointment_action_id_pathway_action"),
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_appointment_pathway_id_pathway")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
    )
    op.create_index("ix_appointment_start", "appointment", ["start_at", "id"])
    op.create_index("ix_appointment_beneficiary", "appointment", ["beneficiary_id", "start_at"])
    op.create_index("ix_appointment_operator", "appointment", ["operator_id", "start_at"])


def downgrade() -> None:
    op.drop_index("ix_appointment_operator", table_name="appointment")
    op.drop_index("ix_appointment_beneficiary", table_name="appointment")
    op.drop_index("ix_appointment_start", table_name="appointment")
    op.drop_table("appointment")
