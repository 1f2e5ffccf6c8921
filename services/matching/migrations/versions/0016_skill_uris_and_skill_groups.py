"""each profile's skill URIs as a generated column; each ESCO skill's top group as a table

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the territorial analysis read from every profile on each request. Silent: a profile whose
# skills are not a list of objects gets no URIs rather than refusing the write.
_FUNCTION = """
CREATE FUNCTION profile_skill_uris(profile jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ARRAY(SELECT jsonb_array_elements_text(
    jsonb_path_query_array(profile, 'strict $.skills[*].uri', '{}', true))) $$
"""

# As db/taxonomy_writer.py fills it at every import (kept here as it was at this revision).
_FILL_GROUPS = """
INSERT INTO esco_skill_group (skill_uri, group_uri, group_number)
WITH RECURSIVE up(skill, node, depth) AS (
    SELECT DISTINCT skill_uri, skill_uri, 0 FROM esco_skill_broader
    UNION
    SELECT up.skill, b.broader_uri, up.depth + 1
    FROM up JOIN esco_skill_broader AS b ON b.skill_uri = up.node
    WHERE up.depth < 10
),
first_group AS (
    SELECT DISTINCT ON (up.skill) up.skill, up.node AS group_uri
    FROM up JOIN esco_skill_broader AS b ON b.skill_uri = up.node
    WHERE up.depth > 0 AND NOT EXISTS (
        SELECT 1 FROM esco_skill_broader AS r WHERE r.skill_uri = b.broader_uri
    )
    ORDER BY up.skill, up.node
)
SELECT skill, group_uri, dense_rank() OVER (ORDER BY group_uri) FROM first_group
"""


def upgrade() -> None:
    op.execute(_FUNCTION)
    # Stored and generated: every existing profile is filled as the table is rewritten.
    op.add_column(
        "candidate_profile",
        sa.Column(
            "skill_uris",
            postgresql.ARRAY(sa.Text()),
            sa.Computed("profile_skill_uris(profile)", persisted=True),
            nullable=False,
            comment="the profile's skills' URIs, in the profile's order",
        ),
    )
    op.create_table(
        "esco_skill_group",
        sa.Column("skill_uri", sa.Text(), nullable=False),
        sa.Column("group_uri", sa.Text(), nullable=False),
        sa.Column("group_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("skill_uri", name=op.f("pk_esco_skill_group")),
    )
    op.execute(_FILL_GROUPS)


def downgrade() -> None:
    op.drop_table("esco_skill_group")
    op.drop_column("candidate_profile", "skill_uris")
    op.execute("DROP FUNCTION profile_skill_uris(jsonb)")
