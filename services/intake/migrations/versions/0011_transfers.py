"""transfers of a person's case to another organisation

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 21:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transfer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column("from_organization_id", sa.Uuid(), nullable=False),
        sa.Column("to_organization_id", sa.Uuid(), nullable=False),
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=2000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiary.id"],
            name=op.f("fk_transfer_beneficiary_id_beneficiary"),
        ),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consent.id"], name=op.f("fk_transfer_consent_id_consent")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer")),
    )
    op.create_index(
        "ix_transfer_from", "transfer", ["from_organization_id", "requested_at", "id"], unique=False
    )
    op.create_index(
        "ix_transfer_to", "transfer", ["to_organization_id", "requested_at", "id"], unique=False
    )
    op.create_index("ix_transfer_person", "transfer", ["beneficiary_id"], unique=False)
    # One pending request per person: two receivers cannot both accept.
    op.create_index(
        "uq_transfer_pending",
        "transfer",
        ["beneficiary_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_transfer_pending", table_name="transfer", postgresql_where=sa.text("status = 'pending'")
    )
    op.drop_index("ix_transfer_person", table_name="transfer")
    op.drop_index("ix_transfer_to", table_name="transfer")
    op.drop_index("ix_transfer_from", table_name="transfer")
    op.drop_table("transfer")
