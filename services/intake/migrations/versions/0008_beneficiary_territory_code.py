"""people: the territory where they live, by code (matching's territories)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 05:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing people have none: ``python -m services.intake.territories resolve`` reads their
    # municipality names where unambiguous and lists the rest.
    op.add_column(
        "beneficiary",
        sa.Column(
            "territory_code",
            sa.String(length=40),
            nullable=True,
            comment="residence: a territory code of matching's (NUTS or LAU)",
        ),
    )


def downgrade() -> None:
    op.drop_column("beneficiary", "territory_code")
