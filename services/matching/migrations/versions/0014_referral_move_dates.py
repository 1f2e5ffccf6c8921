"""when a referral was answered and enrolled, as columns (what commitments measure)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 05:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "referral",
        sa.Column(
            "answered_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="when the provider accepted or rejected it",
        ),
    )
    op.add_column(
        "referral",
        sa.Column(
            "enrolled_at", sa.DateTime(timezone=True), nullable=True, comment="when it was enrolled"
        ),
    )
    # Existing referrals: the first such move of their history.
    op.execute(
        """
        UPDATE referral SET
            answered_at = (SELECT min((line->>'at')::timestamptz)
                           FROM jsonb_array_elements(history) AS line
                           WHERE line->>'status' IN ('accepted', 'rejected')),
            enrolled_at = (SELECT min((line->>'at')::timestamptz)
                           FROM jsonb_array_elements(history) AS line
                           WHERE line->>'status' = 'enrolled')
        WHERE status <> 'proposed'
        """
    )


def downgrade() -> None:
    op.drop_column("referral", "enrolled_at")
    op.drop_column("referral", "answered_at")
