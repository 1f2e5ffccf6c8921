"""several grants per organisation: beneficiary_grant keyed by the grant's place too

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 21:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A consent and an emergency access for one organisation are two grants: the old key
    # (person, organisation) refused the second, and the event stalled the stream behind it.
    op.add_column(
        "beneficiary_grant",
        sa.Column("seq", sa.SmallInteger(), server_default="0", nullable=False),
    )
    op.alter_column("beneficiary_grant", "seq", server_default=None)
    op.drop_constraint("pk_beneficiary_grant", "beneficiary_grant", type_="primary")
    op.create_primary_key(
        "pk_beneficiary_grant", "beneficiary_grant", ["beneficiary_id", "organization_id", "seq"]
    )


def downgrade() -> None:
    op.execute("DELETE FROM beneficiary_grant WHERE seq > 0")
    op.drop_constraint("pk_beneficiary_grant", "beneficiary_grant", type_="primary")
    op.create_primary_key(
        "pk_beneficiary_grant", "beneficiary_grant", ["beneficiary_id", "organization_id"]
    )
    op.drop_column("beneficiary_grant", "seq")
