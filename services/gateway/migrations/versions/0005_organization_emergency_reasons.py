"""organisations: the emergency-access reasons each may invoke, and a version for PATCH

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing organisations are entitled to nothing: the platform admin entitles them.
    op.add_column(
        "organization",
        sa.Column(
            "emergency_reasons",
            postgresql.ARRAY(sa.String(length=32)),
            server_default=sa.text("'{}'"),
            nullable=False,
            comment="the emergency-access reasons it may invoke (empty: not entitled)",
        ),
    )
    op.add_column(
        "organization",
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("organization", "version")
    op.drop_column("organization", "emergency_reasons")
