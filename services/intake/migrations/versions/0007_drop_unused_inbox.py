"""drop the inbox: intake consumes no events

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 02:45:00.000000
"""

from collections.abc import Sequence

from shared import migration_tables

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    migration_tables.drop_inbox()


def downgrade() -> None:
    migration_tables.create_inbox()
