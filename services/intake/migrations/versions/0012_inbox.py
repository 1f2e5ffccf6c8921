"""inbox: intake consumes events (outcomes recorded in pathways that change a profile)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_event",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_inbox_event")),
    )
    op.create_index("ix_inbox_event_received_at", "inbox_event", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_inbox_event_received_at", table_name="inbox_event")
    op.drop_table("inbox_event")
