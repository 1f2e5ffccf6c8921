"""an entrepreneurship action's business milestones

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "pathway_action",
        sa.Column("business", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    # The open entrepreneurship actions get their (undated) milestones, as new ones do.
    op.execute(
        "UPDATE pathway_action SET business = '{}'::jsonb "
        "WHERE type = 'entrepreneurship_workshop' AND business IS NULL"
    )


def downgrade() -> None:
    op.drop_column("pathway_action", "business")
