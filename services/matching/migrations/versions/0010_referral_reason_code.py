"""referral reason code: why the system ended a referral (consent withdrawn, access ended, ...)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "referral",
        sa.Column(
            "reason_code",
            sa.String(length=32),
            nullable=True,
            comment="why it ended when the system ended it (consent_withdrawn, ...)",
        ),
    )


def downgrade() -> None:
    op.drop_column("referral", "reason_code")
