"""an offer's sector (a NACE Rev. 2 section), which ranking lifts for people who want to work in it

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "offer",
        sa.Column("sector", sa.String(1), nullable=True, comment="a NACE Rev. 2 section"),
    )


def downgrade() -> None:
    op.drop_column("offer", "sector")
