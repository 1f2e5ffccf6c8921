"""the moment an organisation's access ended, for a sync's tombstones; the records merged into a
person, for erasure and export

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_access_grant_org_ended",
        "access_grant",
        ["organization_id", sa.text("LEAST(revoked_at, expires_at)")],
        unique=False,
    )
    op.create_index(
        "ix_beneficiary_merged_into",
        "beneficiary",
        ["merged_into"],
        unique=False,
        postgresql_where=sa.text("merged_into IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_beneficiary_merged_into",
        table_name="beneficiary",
        postgresql_where=sa.text("merged_into IS NOT NULL"),
    )
    op.drop_index("ix_access_grant_org_ended", table_name="access_grant")
