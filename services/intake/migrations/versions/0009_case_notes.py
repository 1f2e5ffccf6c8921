"""case notes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:00:48.676294
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Immutable notes: no updated_at, no version; a correction is a new row naming the old.
    op.create_table(
        "note",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column("section", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("pathway_id", sa.Uuid(), nullable=True, comment="pathways' id, not checked"),
        sa.Column("action_id", sa.Uuid(), nullable=True, comment="pathways' id, not checked"),
        sa.Column("referral_id", sa.Uuid(), nullable=True, comment="matching's id, not checked"),
        sa.Column("corrects", sa.Uuid(), nullable=True),
        sa.Column("author_id", sa.String(length=100), nullable=False),
        sa.Column("author_organization_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"], ["beneficiary.id"], name=op.f("fk_note_beneficiary_id_beneficiary")
        ),
        sa.ForeignKeyConstraint(["corrects"], ["note.id"], name=op.f("fk_note_corrects_note")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note")),
    )
    op.create_index(
        "ix_note_corrects",
        "note",
        ["corrects"],
        unique=False,
        postgresql_where=sa.text("corrects IS NOT NULL"),
    )
    op.create_index("ix_note_person", "note", ["beneficiary_id", "created_at", "id"], unique=False)
    op.create_index(
        "ix_note_person_pathway",
        "note",
        ["beneficiary_id", "pathway_id", "created_at", "id"],
        unique=False,
        postgresql_where=sa.text("pathway_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_note_person_pathway",
        table_name="note",
        postgresql_where=sa.text("pathway_id IS NOT NULL"),
    )
    op.drop_index("ix_note_person", table_name="note")
    op.drop_index(
        "ix_note_corrects", table_name="note", postgresql_where=sa.text("corrects IS NOT NULL")
    )
    op.drop_table("note")
