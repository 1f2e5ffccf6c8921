"""the skills an offer teaches (a training's outcomes), for "what would make this job reachable"

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "offer",
        sa.Column(
            "taught_skills",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
            comment="ESCO skills a person learns here (a training's or internship's outcomes)",
        ),
    )


def downgrade() -> None:
    op.drop_column("offer", "taught_skills")
