"""emergency access: a coded legal basis, the sections it opened, early closing

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Accesses opened before reasons were coded had no legal basis recorded and opened every
    # section: they say so (legacy_unspecified), with the sections they had. The defaults fill
    # the existing rows only; new rows always name both.
    op.add_column(
        "emergency_access",
        sa.Column(
            "reason_code",
            sa.String(length=32),
            nullable=False,
            server_default="legacy_unspecified",
            comment="the legal basis (legacy_unspecified: opened before codes)",
        ),
    )
    op.add_column(
        "emergency_access",
        sa.Column(
            "sections",
            postgresql.ARRAY(sa.String(length=16)),
            nullable=False,
            server_default=sa.text("'{contact,identity,pathway,profile}'"),
        ),
    )
    op.alter_column("emergency_access", "reason_code", server_default=None)
    op.alter_column("emergency_access", "sections", server_default=None)
    op.add_column(
        "emergency_access", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("emergency_access", sa.Column("closed_by", sa.String(length=100), nullable=True))
    op.alter_column(
        "emergency_access",
        "reason",
        existing_type=sa.String(length=2000),
        existing_nullable=False,
        comment="free text; never in events",
    )


def downgrade() -> None:
    op.alter_column(
        "emergency_access",
        "reason",
        existing_type=sa.String(length=2000),
        existing_nullable=False,
        comment=None,
    )
    op.drop_column("emergency_access", "closed_by")
    op.drop_column("emergency_access", "closed_at")
    op.drop_column("emergency_access", "sections")
    op.drop_column("emergency_access", "reason_code")
