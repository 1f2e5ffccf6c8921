"""referrals in commit order (shared.sync): a trigger stamps sync_xact on every write

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

from alembic import op

from shared import migration_tables

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("referral", migration_tables.sync_xact_column())
    op.create_index("ix_referral_sync", "referral", ["sync_xact", "id"])
    migration_tables.create_sync_stamp("referral")


def downgrade() -> None:
    op.execute("DROP TRIGGER stamp_sync_xact ON referral")
    op.drop_index("ix_referral_sync", table_name="referral")
    op.drop_column("referral", "sync_xact")
