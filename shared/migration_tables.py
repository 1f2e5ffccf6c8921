"""The shared tables, for a new migration to create (or drop) in one call: the outbox, the inbox,
the idempotency records and the access mirror.

They are written out here as ``op`` calls, frozen like any migration, not derived from the
declarations in ``shared.events``, ``shared.idempotency`` and ``shared.access_mirror``: a migration
must create tomorrow what it creates today. When a declaration changes, the migration that
changes it alters the table, and the helper here changes with it (``tests/test_migration_tables``
holds them to what the services' migrations produce). The old migrations keep their own copies.

In a migration::

    from shared import migration_tables

    def upgrade() -> None:
        migration_tables.create_outbox()

    def downgrade() -> None:
        migration_tables.drop_outbox()
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


def _created_at(name: str) -> sa.Column[object]:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def create_outbox() -> None:
    """``outbox_event`` and ``outbox_cursor`` (``shared.events.outbox_tables``)."""
    op.create_table(
        "outbox_cursor",
        sa.Column("subscriber", sa.String(length=100), nullable=False),
        sa.Column(
            "last_transaction_id", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("last_seq", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("failures", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "last_error",
            sa.String(length=200),
            nullable=True,
            comment="error class or HTTP status; never data",
        ),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        _created_at("updated_at"),
        sa.PrimaryKeyConstraint("subscriber", name=op.f("pk_outbox_cursor")),
    )
    op.create_table(
        "outbox_event",
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "transaction_id",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id()::text::bigint)"),
            nullable=False,
            comment="the emitting transaction; delivery order is (transaction_id, seq)",
        ),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("version", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox_event")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_event_id")),
    )
    op.create_index("ix_outbox_event_position", "outbox_event", ["transaction_id", "seq"])
    op.create_index(op.f("ix_outbox_event_type"), "outbox_event", ["type"])


def drop_outbox() -> None:
    op.drop_table("outbox_event")
    op.drop_table("outbox_cursor")


def create_inbox() -> None:
    """``inbox_event`` (``shared.events.inbox_table``)."""
    op.create_table(
        "inbox_event",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        _created_at("received_at"),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_inbox_event")),
    )
    op.create_index("ix_inbox_event_received_at", "inbox_event", ["received_at"])


def drop_inbox() -> None:
    op.drop_table("inbox_event")


def create_idempotency() -> None:
    """``idempotency_record`` (``shared.idempotency.idempotency_table``)."""
    op.create_table(
        "idempotency_record",
        sa.Column("caller", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column(
            "headers",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=True,
            comment="other headers replayed: content type, ETag, ...",
        ),
        sa.Column(
            "resource_id",
            sa.Uuid(),
            nullable=True,
            comment="what the request created; erasure deletes its rows",
        ),
        _created_at("created_at"),
        sa.PrimaryKeyConstraint("caller", "key", name=op.f("pk_idempotency_record")),
    )
    op.create_index("ix_idempotency_record_created_at", "idempotency_record", ["created_at"])
    op.create_index("ix_idempotency_record_resource_id", "idempotency_record", ["resource_id"])


def drop_idempotency() -> None:
    op.drop_table("idempotency_record")


def create_access_mirror(*, grants: bool = True) -> None:
    """``beneficiary_access`` (``shared.access_mirror.access_table``) and, with ``grants``, its
    grants as rows, ``beneficiary_grant`` (``grant_table``)."""
    op.create_table(
        "beneficiary_access",
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column("owner_organization_id", sa.Uuid(), nullable=False),
        sa.Column("grants", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("matching_consent", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("erased", sa.Boolean(), nullable=False),
        sa.Column("merged_into", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *access_sync_columns(),
        sa.PrimaryKeyConstraint("beneficiary_id", name=op.f("pk_beneficiary_access")),
    )
    op.create_index(
        op.f("ix_beneficiary_access_owner_organization_id"),
        "beneficiary_access",
        ["owner_organization_id"],
    )
    op.create_index("ix_beneficiary_access_sync_xact", "beneficiary_access", ["sync_xact"])
    create_sync_stamp("beneficiary_access")
    if not grants:
        return
    op.create_table(
        "beneficiary_grant",
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False),
        sa.Column("sections", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint(
            "beneficiary_id", "organization_id", "seq", name=op.f("pk_beneficiary_grant")
        ),
    )
    op.create_index(
        "ix_beneficiary_grant_organization",
        "beneficiary_grant",
        ["organization_id", "beneficiary_id"],
    )


def drop_access_mirror(*, grants: bool = True) -> None:
    if grants:
        op.drop_table("beneficiary_grant")
    op.drop_table("beneficiary_access")


def sync_xact_column() -> sa.Column[object]:
    """``sync_xact`` (``shared.sync``): the last transaction that wrote the row."""
    return sa.Column(
        "sync_xact",
        sa.BigInteger(),
        server_default=sa.text("(pg_current_xact_id()::text::bigint)"),
        nullable=False,
        comment="the last transaction that wrote the row: a sync's commit order",
    )


def access_sync_columns() -> list[sa.Column[object]]:
    """What a sync reads of ``beneficiary_access``: when it changed, and whose reading of which
    section ended when (told once)."""
    return [
        sync_xact_column(),
        sa.Column(
            "ended_access",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
            comment="organisation:section -> the transaction that ended its reading of the "
            "person (shared.access_sync): whom a sync tells, once",
        ),
    ]


_STAMP_FUNCTION = """
CREATE OR REPLACE FUNCTION ponte_stamp_sync_xact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.sync_xact := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END $$
"""
# A child row written: its parent (TG_ARGV[0], by the child's column TG_ARGV[1]) is written too,
# once per transaction, so that a sync of the parent carries the child.
_TOUCH_FUNCTION = """
CREATE OR REPLACE FUNCTION ponte_touch_sync_parent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'UPDATE %I SET sync_xact = 0 WHERE id = $1 AND sync_xact <> $2', TG_ARGV[0]
    ) USING (to_jsonb(NEW) ->> TG_ARGV[1])::uuid, pg_current_xact_id()::text::bigint;
    RETURN NULL;
END $$
"""


def create_sync_stamp(table: str) -> None:
    """Stamp ``table.sync_xact`` with the writing transaction on every insert and update,
    whatever statement writes (an ORM flush, a bulk ``UPDATE``, a consumer's upsert)."""
    op.execute(_STAMP_FUNCTION)
    op.execute(
        f"CREATE TRIGGER stamp_sync_xact BEFORE INSERT OR UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION ponte_stamp_sync_xact()"
    )


def create_sync_touch(child: str, parent: str, column: str) -> None:
    """A write of a ``child`` row is a write of its ``parent`` (named by ``column``)."""
    op.execute(_TOUCH_FUNCTION)
    op.execute(
        f"CREATE TRIGGER touch_sync_{parent} AFTER INSERT OR UPDATE ON {child} "
        f"FOR EACH ROW EXECUTE FUNCTION ponte_touch_sync_parent('{parent}', '{column}')"
    )


def add_access_sync() -> None:
    """``access_sync_columns`` on an existing ``beneficiary_access`` (no ends recorded before)."""
    for column in access_sync_columns():
        op.add_column("beneficiary_access", column)
    op.create_index("ix_beneficiary_access_sync_xact", "beneficiary_access", ["sync_xact"])
    create_sync_stamp("beneficiary_access")


def drop_access_sync() -> None:
    op.execute("DROP TRIGGER stamp_sync_xact ON beneficiary_access")
    op.drop_index("ix_beneficiary_access_sync_xact", table_name="beneficiary_access")
    op.drop_column("beneficiary_access", "ended_access")
    op.drop_column("beneficiary_access", "sync_xact")
