"""an action's recognition is SQL NULL when it has none, not the JSON value null

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every action but a recognition, and every erased one, held 'null'::jsonb, which IS NOT NULL.
    op.execute("UPDATE pathway_action SET recognition = NULL WHERE recognition = 'null'::jsonb")


def downgrade() -> None:
    pass  # SQL NULL reads as the JSON null did: nothing to undo
