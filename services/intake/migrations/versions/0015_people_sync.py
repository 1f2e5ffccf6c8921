"""people, consents and notes in commit order (shared.sync): a person is written whenever a consent
or a grant on them is; beneficiary.former_readers keeps who could ever read the person (whom a
sync tells of an erasure or a merge); a grant's end and an accepted transfer are stamped, so that
a sync tells a withdrawal once, in the run it happened

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared import migration_tables

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

XACT = "pg_current_xact_id()::text::bigint"

# The owner of a record is one of its readers, at every write (a transfer's receiver too; the
# sender stays in the list).
_READERS_FUNCTION = """
CREATE OR REPLACE FUNCTION ponte_intake_owner_reads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT NEW.organization_id = ANY(NEW.former_readers) THEN
        NEW.former_readers := NEW.former_readers || NEW.organization_id;
    END IF;
    RETURN NEW;
END $$
"""
# A grant written (opened, revoked, moved by a merge) writes its person once per transaction; an
# open grant makes its organisation one of the person's readers. A revoked grant moved to a
# merge's survivor does not: that organisation never read the survivor.
_GRANT_TOUCH_FUNCTION = """
CREATE OR REPLACE FUNCTION ponte_intake_grant_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    reads boolean := NEW.revoked_at IS NULL;
BEGIN
    UPDATE beneficiary SET
        former_readers = CASE
            WHEN reads AND NOT NEW.organization_id = ANY(former_readers)
            THEN former_readers || NEW.organization_id
            ELSE former_readers END
    WHERE id = NEW.beneficiary_id
        AND (sync_xact <> pg_current_xact_id()::text::bigint OR (reads AND NOT NEW.organization_id = ANY(former_readers)));
    RETURN NULL;
END $$
"""
# The transaction that revoked a grant: a sync tells the withdrawal in that run, once.
_GRANT_END_FUNCTION = """
CREATE OR REPLACE FUNCTION ponte_intake_grant_end() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.revoked_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.revoked_at IS NULL) THEN
        NEW.ended_xact := pg_current_xact_id()::text::bigint;
    END IF;
    RETURN NEW;
END $$
"""


def _xact(name: str, comment: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(
        name,
        sa.BigInteger(),
        server_default=None if nullable else sa.text(f"({XACT})"),
        nullable=nullable,
        comment=comment,
    )


def upgrade() -> None:
    # People: stamped, with their readers (filled for the rows there are: the owner, the senders
    # of accepted transfers, every organisation a grant ever opened the record to).
    op.add_column("beneficiary", migration_tables.sync_xact_column())
    op.add_column(
        "beneficiary",
        sa.Column(
            "former_readers",
            postgresql.ARRAY(sa.Uuid()),
            server_default=sa.text("'{}'"),
            nullable=False,
            comment="every organisation that could read the person at some time (owner, former "
            "owner, grantee): whom a sync tells of an erasure or a merge",
        ),
    )
    op.execute(
        "UPDATE beneficiary AS b SET former_readers = ARRAY("
        "SELECT b.organization_id UNION "
        "SELECT g.organization_id FROM access_grant AS g WHERE g.beneficiary_id = b.id UNION "
        "SELECT t.from_organization_id FROM transfer AS t "
        "WHERE t.beneficiary_id = b.id AND t.status = 'accepted')"
    )
    op.create_index("ix_beneficiary_sync", "beneficiary", ["sync_xact", "id"])
    op.create_index(
        "ix_beneficiary_org_sync", "beneficiary", ["organization_id", "sync_xact", "id"]
    )
    migration_tables.create_sync_stamp("beneficiary")
    op.execute(_READERS_FUNCTION)
    op.execute(
        "CREATE TRIGGER owner_reads BEFORE INSERT OR UPDATE ON beneficiary "
        "FOR EACH ROW EXECUTE FUNCTION ponte_intake_owner_reads()"
    )
    # Grants: when one was written and when it was revoked; each write writes the person.
    op.add_column(
        "access_grant",
        _xact("sync_xact", "the last transaction that wrote the row: a sync's commit order"),
    )
    op.add_column(
        "access_grant",
        _xact("ended_xact", "the transaction that revoked the grant (shared.sync)", nullable=True),
    )
    op.create_index("ix_access_grant_org_sync", "access_grant", ["organization_id", "sync_xact"])
    op.create_index(
        "ix_access_grant_org_ended_xact",
        "access_grant",
        ["organization_id", "ended_xact"],
        postgresql_where=sa.text("ended_xact IS NOT NULL"),
    )
    migration_tables.create_sync_stamp("access_grant")
    op.execute(_GRANT_END_FUNCTION)
    op.execute(
        "CREATE TRIGGER stamp_ended_xact BEFORE INSERT OR UPDATE ON access_grant "
        "FOR EACH ROW EXECUTE FUNCTION ponte_intake_grant_end()"
    )
    op.execute(_GRANT_TOUCH_FUNCTION)
    op.execute(
        "CREATE TRIGGER touch_sync_beneficiary AFTER INSERT OR UPDATE ON access_grant "
        "FOR EACH ROW EXECUTE FUNCTION ponte_intake_grant_touch()"
    )
    # Consents come inside their person: one written writes the person.
    migration_tables.create_sync_touch("consent", "beneficiary", "beneficiary_id")
    # Transfers: the sender's access ends in the transaction that accepts.
    op.add_column("transfer", migration_tables.sync_xact_column())
    op.create_index(
        "ix_transfer_from_sync",
        "transfer",
        ["from_organization_id", "sync_xact"],
        postgresql_where=sa.text("status = 'accepted'"),
    )
    migration_tables.create_sync_stamp("transfer")
    # Notes: a feed of their own (a person may have hundreds).
    op.add_column("note", migration_tables.sync_xact_column())
    op.create_index("ix_note_sync", "note", ["sync_xact", "id"])
    migration_tables.create_sync_stamp("note")


def downgrade() -> None:
    op.execute("DROP TRIGGER stamp_sync_xact ON note")
    op.drop_index("ix_note_sync", table_name="note")
    op.drop_column("note", "sync_xact")
    op.execute("DROP TRIGGER stamp_sync_xact ON transfer")
    op.drop_index("ix_transfer_from_sync", table_name="transfer")
    op.drop_column("transfer", "sync_xact")
    op.execute("DROP TRIGGER touch_sync_beneficiary ON consent")
    op.execute("DROP TRIGGER touch_sync_beneficiary ON access_grant")
    op.execute("DROP TRIGGER stamp_ended_xact ON access_grant")
    op.execute("DROP TRIGGER stamp_sync_xact ON access_grant")
    op.execute("DROP FUNCTION ponte_intake_grant_touch()")
    op.execute("DROP FUNCTION ponte_intake_grant_end()")
    op.drop_index("ix_access_grant_org_ended_xact", table_name="access_grant")
    op.drop_index("ix_access_grant_org_sync", table_name="access_grant")
    op.drop_column("access_grant", "ended_xact")
    op.drop_column("access_grant", "sync_xact")
    op.execute("DROP TRIGGER owner_reads ON beneficiary")
    op.execute("DROP FUNCTION ponte_intake_owner_reads()")
    op.execute("DROP TRIGGER stamp_sync_xact ON beneficiary")
    op.drop_index("ix_beneficiary_org_sync", table_name="beneficiary")
    op.drop_index("ix_beneficiary_sync", table_name="beneficiary")
    op.drop_column("beneficiary", "former_readers")
    op.drop_column("beneficiary", "sync_xact")
