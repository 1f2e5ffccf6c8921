"""the case-notes feed (GET /api/v1/notes?since=): a person's notes by commit order (the notes
re-sent when access opens or narrows), and the transfers an organisation received by commit order

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_note_person_sync", "note", ["beneficiary_id", "sync_xact", "id"])
    op.create_index(
        "ix_transfer_to_sync",
        "transfer",
        ["to_organization_id", "sync_xact"],
        postgresql_where=sa.text("status = 'accepted'"),
    )


def downgrade() -> None:
    op.drop_index("ix_transfer_to_sync", table_name="transfer")
    op.drop_index("ix_note_person_sync", table_name="note")
