"""organisations: their territory, by code (matching's territories)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 05:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "organization",
        sa.Column(
            "territory_code",
            sa.String(length=40),
            nullable=True,
            comment="where it is: a territory code of matching's (NUTS or LAU)",
        ),
    )


def downgrade() -> None:
    op.drop_column("organization", "territory_code")
