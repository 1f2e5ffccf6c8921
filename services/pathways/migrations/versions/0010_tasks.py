"""tasks: manual tasks, and what was done to derived ones (done, snoozed, reassigned); a copy
of matching's referral states (a referral waiting for an answer is a task); the tasks whose
task.due event was written

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "source_id",
            sa.Uuid(),
            nullable=False,
            comment="what the task is about; a manual one's id",
        ),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("pathway_id", sa.Uuid(), nullable=True),
        sa.Column("beneficiary_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True, comment="a manual task's"),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "assigned_to",
            sa.String(length=100),
            nullable=True,
            comment="a user id; on a derived task, who it was reassigned to",
        ),
        sa.Column("snoozed_until", sa.Date(), nullable=True),
        sa.Column("snooze_reason", sa.Text(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
    )
    op.create_index("uq_task_key", "task", ["kind", "source_id", "due_on"], unique=True)
    op.create_index("ix_task_assignee", "task", ["organization_id", "assigned_to"])
    op.create_index("ix_task_pathway", "task", ["pathway_id"])
    op.create_index("ix_task_beneficiary", "task", ["beneficiary_id"])
    op.create_table(
        "referral",
        sa.Column("id", sa.Uuid(), nullable=False, comment="matching's referral id"),
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column(
            "organization_id", sa.Uuid(), nullable=False, comment="the referring organisation"
        ),
        sa.Column("pathway_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    op.create_index(
        "ix_referral_waiting",
        "referral",
        ["beneficiary_id"],
        postgresql_where=sa.text("status = 'proposed'"),
    )
    op.create_index("ix_referral_pathway", "referral", ["pathway_id"])
    op.create_table(
        "task_due_notice",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "noticed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("kind", "source_id", "due_on", name=op.f("pk_task_due_notice")),
    )


def downgrade() -> None:
    op.drop_table("task_due_notice")
    op.drop_index("ix_referral_pathway", table_name="referral")
    op.drop_index("ix_referral_waiting", table_name="referral")
    op.drop_table("referral")
    op.drop_index("ix_task_beneficiary", table_name="task")
    op.drop_index("ix_task_pathway", table_name="task")
    op.drop_index("ix_task_assignee", table_name="task")
    op.drop_index("uq_task_key", table_name="task")
    op.drop_table("task")
