"""when an action ended (done, failed, cancelled), apart from its last change

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "pathway_action",
        sa.Column(
            "ended_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="when it left the open statuses (done, failed, cancelled)",
        ),
    )
    # Until now its last change was the best record of it.
    op.execute(
        "UPDATE pathway_action SET ended_at = updated_at "
        "WHERE status NOT IN ('planned', 'in_progress')"
    )
    op.create_index(
        "ix_pathway_action_internship_done",
        "pathway_action",
        ["ended_at"],
        postgresql_where=sa.text("type = 'internship' AND status = 'done'"),
    )


def downgrade() -> None:
    op.drop_index("ix_pathway_action_internship_done", table_name="pathway_action")
    op.drop_column("pathway_action", "ended_at")
