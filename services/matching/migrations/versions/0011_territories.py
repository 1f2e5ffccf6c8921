"""territories: NUTS 2024 regions and LAU municipalities, and the record of their imports

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "territory",
        sa.Column(
            "code",
            sa.String(length=40),
            nullable=False,
            comment="NUTS code (ITI43), or <country>_<LAU code>",
        ),
        sa.Column("scheme", sa.String(length=4), nullable=False, comment="nuts or lau"),
        sa.Column("level", sa.SmallInteger(), nullable=False, comment="NUTS 0-3; 4 for a LAU"),
        sa.Column("parent_code", sa.String(length=40), nullable=True, comment="none for a country"),
        sa.Column(
            "country", sa.String(length=2), nullable=False, comment="Eurostat's code: EL for Greece"
        ),
        sa.Column("name_latin", sa.Text(), nullable=False),
        sa.Column("name_national", sa.Text(), nullable=False, comment="in the national script"),
        sa.Column("name_key", sa.Text(collation="C"), nullable=False),
        sa.Column("national_key", sa.Text(collation="C"), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_territory")),
    )
    op.create_index("ix_territory_parent_code", "territory", ["parent_code"])
    op.create_index("ix_territory_level", "territory", ["level"])
    op.create_index(
        "ix_territory_name_key",
        "territory",
        ["name_key"],
        postgresql_ops={"name_key": "text_pattern_ops"},
    )
    op.create_index(
        "ix_territory_national_key",
        "territory",
        ["national_key"],
        postgresql_ops={"national_key": "text_pattern_ops"},
    )
    op.create_table(
        "territory_import",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "imported_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "files",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment='[{"name", "sha256", "scheme"}] of the files read',
        ),
        sa.Column("counts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_territory_import")),
    )


def downgrade() -> None:
    op.drop_table("territory_import")
    op.drop_index("ix_territory_national_key", table_name="territory")
    op.drop_index("ix_territory_name_key", table_name="territory")
    op.drop_index("ix_territory_level", table_name="territory")
    op.drop_index("ix_territory_parent_code", table_name="territory")
    op.drop_table("territory")
