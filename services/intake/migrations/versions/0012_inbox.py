"""the inbox again: intake consumes outcomes that change a profile (from pathways and matching)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:00:00.000000
"""

from collections.abc import Sequence

from shared import migration_tables

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    migration_tables.create_inbox()


def downgrade() -> None:
    migration_tables.drop_inbox()
