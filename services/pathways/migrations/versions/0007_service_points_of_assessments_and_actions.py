"""service points of assessments and actions: an action's service point, the priority need's

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 05:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "pathway",
        sa.Column(
            "priority_service_point_ids",
            postgresql.ARRAY(sa.Uuid()),
            server_default=sa.text("'{}'"),
            nullable=False,
            comment="the assessment's service points (matching's) answering the priority need",
        ),
    )
    op.add_column(
        "pathway_action",
        sa.Column("service_point_id", sa.Uuid(), nullable=True, comment="matching's service point"),
    )


def downgrade() -> None:
    op.drop_column("pathway_action", "service_point_id")
    op.drop_column("pathway", "priority_service_point_ids")
