"""steps out of turn (a rights check at any stage, actions added between steps); a person's
vulnerability level (intake's ILO indicators weigh on the priority need and make pathways urgent)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "pathway_step",
        sa.Column(
            "out_of_turn",
            sa.Boolean(),
            server_default=sa.false(),
            nullable=False,
            comment="recorded outside the loop's turn, leaving its stage where it was",
        ),
    )
    op.add_column(
        "person",
        sa.Column(
            "vulnerability_level",
            sa.String(16),
            nullable=True,
            comment="intake's: critical exactly when ILO forced-labour indicators are recorded",
        ),
    )


def downgrade() -> None:
    op.drop_column("person", "vulnerability_level")
    op.drop_column("pathway_step", "out_of_turn")
