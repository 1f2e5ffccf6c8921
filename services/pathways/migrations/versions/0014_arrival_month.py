"""the month a person arrived, for the indicators' arrival band

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Filled by intake's next beneficiary.updated of each person; intake can re-announce all.
    op.add_column(
        "person",
        sa.Column(
            "arrival_month",
            sa.Date(),
            nullable=True,
            comment="the arrival date's month (its first day): the indicators' arrival band",
        ),
    )


def downgrade() -> None:
    op.drop_column("person", "arrival_month")
