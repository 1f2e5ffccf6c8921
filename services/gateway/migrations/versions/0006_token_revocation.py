"""token revocation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "token_revocation",
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_token_revocation")),
    )
    op.create_index(
        op.f("ix_token_revocation_not_before"), "token_revocation", ["not_before"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_token_revocation_not_before"), table_name="token_revocation")
    op.drop_table("token_revocation")
