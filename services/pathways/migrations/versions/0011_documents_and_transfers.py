"""a copy of intake's expiring documents and of its transfer requests (from its events): a
document about to expire is a task of the organisation running the person's pathway, a pending
transfer one of the receiving organisation

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 23:30:00
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
        "person_document",
        sa.Column("id", sa.Uuid(), nullable=False, comment="intake's document id"),
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("section", sa.String(length=16), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_document")),
    )
    op.create_index(
        "ix_person_document_person",
        "person_document",
        ["beneficiary_id"],
        postgresql_where=sa.text("NOT deleted"),
    )
    op.create_table(
        "transfer_request",
        sa.Column("id", sa.Uuid(), nullable=False, comment="intake's transfer id"),
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column("from_organization_id", sa.Uuid(), nullable=False),
        sa.Column("to_organization_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_request")),
    )
    op.create_index(
        "ix_transfer_request_pending",
        "transfer_request",
        ["to_organization_id"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_transfer_request_person", "transfer_request", ["beneficiary_id"])


def downgrade() -> None:
    op.drop_index("ix_transfer_request_person", table_name="transfer_request")
    op.drop_index("ix_transfer_request_pending", table_name="transfer_request")
    op.drop_table("transfer_request")
    op.drop_index("ix_person_document_person", table_name="person_document")
    op.drop_table("person_document")
