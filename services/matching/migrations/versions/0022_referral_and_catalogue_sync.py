"""referrals, offers and service points in commit order (shared.sync): a trigger stamps sync_xact
on every write; a deleted offer or service point is logged (catalogue_deletion, kept 90 days) so
that a sync can tell it

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared import migration_tables

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYNCED = ("referral", "offer", "service_point")
LOGGED = ("offer", "service_point")
# The row as it was published; the log forgets what is older than the sync horizon
# (services.matching.db.catalogue_sync.DELETION_DAYS).
_LOG_FUNCTION = """
CREATE OR REPLACE FUNCTION ponte_log_catalogue_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO catalogue_deletion (id, kind, organization_id, status, cluster_ids)
    VALUES (OLD.id, TG_ARGV[0], OLD.organization_id, OLD.status, OLD.cluster_ids)
    ON CONFLICT (id) DO NOTHING;
    DELETE FROM catalogue_deletion WHERE deleted_at < now() - interval '90 days';
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    for table in SYNCED:
        op.add_column(table, migration_tables.sync_xact_column())
        op.create_index(f"ix_{table}_sync", table, ["sync_xact", "id"])
        migration_tables.create_sync_stamp(table)
    op.create_table(
        "catalogue_deletion",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="offer or service_point"),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("cluster_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        migration_tables.sync_xact_column(),
        sa.Column(
            "deleted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_deletion")),
    )
    op.create_index("ix_catalogue_deletion_sync", "catalogue_deletion", ["kind", "sync_xact", "id"])
    op.create_index("ix_catalogue_deletion_deleted_at", "catalogue_deletion", ["deleted_at"])
    op.execute(_LOG_FUNCTION)
    for table in LOGGED:
        op.execute(
            f"CREATE TRIGGER log_catalogue_deletion AFTER DELETE ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION ponte_log_catalogue_deletion('{table}')"
        )


def downgrade() -> None:
    for table in LOGGED:
        op.execute(f"DROP TRIGGER log_catalogue_deletion ON {table}")
    op.execute("DROP FUNCTION ponte_log_catalogue_deletion()")
    op.drop_table("catalogue_deletion")
    for table in SYNCED:
        op.execute(f"DROP TRIGGER stamp_sync_xact ON {table}")
        op.drop_index(f"ix_{table}_sync", table_name=table)
        op.drop_column(table, "sync_xact")
