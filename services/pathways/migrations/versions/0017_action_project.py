"""an action's project: the funded project it is carried out under

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "pathway_action",
        sa.Column(
            "project_id",
            sa.Uuid(),
            sa.ForeignKey("project.id", name="fk_pathway_action_project"),
            nullable=True,
            comment="the funded project it is carried out under (its participant's)",
        ),
    )
    op.create_index(
        "ix_pathway_action_project",
        "pathway_action",
        ["project_id"],
        postgresql_where=sa.text("project_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_pathway_action_project", table_name="pathway_action")
    op.drop_column("pathway_action", "project_id")
