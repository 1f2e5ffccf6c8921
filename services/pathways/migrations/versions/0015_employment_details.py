"""the job an employment change enters: sector (NACE), employer, contract, hours

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "employment_change",
        sa.Column("sector", sa.String(1), nullable=True, comment="NACE Rev. 2 section"),
    )
    op.add_column("employment_change", sa.Column("employer_organization_id", sa.Uuid()))
    op.add_column("employment_change", sa.Column("employer_name", sa.String(200)))
    op.add_column("employment_change", sa.Column("contract_type", sa.String(16)))
    op.add_column("employment_change", sa.Column("weekly_hours", sa.SmallInteger()))


def downgrade() -> None:
    for column in (
        "weekly_hours",
        "contract_type",
        "employer_name",
        "employer_organization_id",
        "sector",
    ):
        op.drop_column("employment_change", column)
