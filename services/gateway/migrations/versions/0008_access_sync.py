"""the access mirror's commit order and former readers (shared.sync), as in every service

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 20:40:00
"""

from collections.abc import Sequence

from shared import migration_tables

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    migration_tables.add_access_sync()


def downgrade() -> None:
    migration_tables.drop_access_sync()
