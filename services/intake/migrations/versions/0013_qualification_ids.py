"""an id on each qualification of a record, which recognition procedures name

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One statement, in place: the order of the list is kept, and a qualification that has an id
    # keeps it. Erased and merged records hold no qualifications.
    op.execute(
        """
        UPDATE beneficiary
        SET profile = jsonb_set(
            profile,
            '{qualifications}',
            (
                SELECT jsonb_agg(
                    CASE WHEN item ? 'id' THEN item
                         ELSE item || jsonb_build_object('id', gen_random_uuid()::text)
                    END
                    ORDER BY position
                )
                FROM jsonb_array_elements(profile -> 'qualifications')
                    WITH ORDINALITY AS listed(item, position)
            )
        )
        WHERE jsonb_typeof(profile -> 'qualifications') = 'array'
          AND jsonb_array_length(profile -> 'qualifications') > 0
        """
    )


def downgrade() -> None:
    """The ids stay: older code ignores them (its schema refuses them on input only)."""
