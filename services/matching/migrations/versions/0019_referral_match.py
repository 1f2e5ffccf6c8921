"""the match a referral was proposed on: its score's explanation and the skills held and missing;
a cleared card is SQL NULL, not JSON null

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A card cleared was stored as the JSON value null, which IS NOT NULL: each later withdrawal
    # found such a referral again and moved its version. SQL NULL from now on (models.py).
    op.execute("UPDATE referral SET person_card = NULL WHERE person_card = 'null'::jsonb")
    op.execute(
        "UPDATE candidate_profile SET skill_reading = NULL WHERE skill_reading = 'null'::jsonb"
    )
    # Null for the referrals proposed before, and for those to a service point (no score).
    op.add_column(
        "referral",
        sa.Column(
            "match",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=True,
            comment="the explanation of the match as proposed (criteria and skills)",
        ),
    )


def downgrade() -> None:
    op.drop_column("referral", "match")
