"""how each free-text skill of a profile was read as an ESCO skill, stored with the profile

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Null for the profiles written before: they are read as they are ranked, until they change.
    op.add_column(
        "candidate_profile",
        sa.Column(
            "skill_reading",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=True,
            comment="each free-text skill's ESCO reading and the taxonomy stamp it was read with",
        ),
    )


def downgrade() -> None:
    op.drop_column("candidate_profile", "skill_reading")
