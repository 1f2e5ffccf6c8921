"""pathway owners: matching's read model of whose pathway it is, from pathways' events

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 08:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A referral named any pathway and action in its body; pathways applied the referral's
    # status to it. Matching now knows whose each pathway is, and refuses another's at proposal.
    op.create_table(
        "pathway_owner",
        sa.Column("pathway_id", sa.Uuid(), nullable=False),
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pathway_id", name=op.f("pk_pathway_owner")),
    )
    op.create_index(
        op.f("ix_pathway_owner_beneficiary_id"), "pathway_owner", ["beneficiary_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pathway_owner_beneficiary_id"), table_name="pathway_owner")
    op.drop_table("pathway_owner")
