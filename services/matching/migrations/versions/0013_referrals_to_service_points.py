"""referrals to service points: offer_id nullable, exactly one of offer_id and service_point_id,
one active referral per person and service point

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column(
        "referral",
        "offer_id",
        existing_type=sa.Uuid(),
        nullable=True,
        comment="null for a service point",
    )
    op.create_check_constraint(
        op.f("ck_referral_one_target"),
        "referral",
        "num_nonnulls(offer_id, service_point_id) = 1",
    )
    op.create_index(
        "uq_referral_service_point_active",
        "referral",
        ["beneficiary_id", "service_point_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('proposed', 'accepted', 'enrolled')"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_referral_service_point_active",
        table_name="referral",
        postgresql_where=sa.text("status IN ('proposed', 'accepted', 'enrolled')"),
    )
    op.drop_constraint(op.f("ck_referral_one_target"), "referral", type_="check")
    op.execute("DELETE FROM referral WHERE offer_id IS NULL")
    op.alter_column(
        "referral",
        "offer_id",
        existing_type=sa.Uuid(),
        nullable=False,
        comment=None,
        existing_comment="null for a service point",
    )
