"""pathways in commit order (shared.sync): a pathway is written whenever one of its actions or steps is, and the access mirror tells whom to tell of what they may no longer see

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 20:40:00
"""

from collections.abc import Sequence

from alembic import op

from shared import migration_tables

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    migration_tables.add_access_sync()
    op.add_column("pathway", migration_tables.sync_xact_column())
    op.create_index("ix_pathway_sync", "pathway", ["sync_xact", "id"])
    migration_tables.create_sync_stamp("pathway")
    migration_tables.create_sync_touch("pathway_action", "pathway", "pathway_id")
    migration_tables.create_sync_touch("pathway_step", "pathway", "pathway_id")


def downgrade() -> None:
    op.execute("DROP TRIGGER touch_sync_pathway ON pathway_step")
    op.execute("DROP TRIGGER touch_sync_pathway ON pathway_action")
    op.execute("DROP TRIGGER stamp_sync_xact ON pathway")
    op.drop_index("ix_pathway_sync", table_name="pathway")
    op.drop_column("pathway", "sync_xact")
    migration_tables.drop_access_sync()
