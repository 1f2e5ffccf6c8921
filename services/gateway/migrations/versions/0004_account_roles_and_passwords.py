"""account roles and passwords: platform_admin and beneficiary held alone, forced password change

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user_account",
        sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # Existing accounts are brought to the rule first: the bootstrap admin was also org admin of
    # the platform's organisation (it keeps platform_admin only), a person's account is the role
    # beneficiary alone, and a staff account never holds it.
    op.execute(
        "UPDATE user_account SET roles = ARRAY['platform_admin']::varchar(32)[] "
        "WHERE 'platform_admin' = ANY (roles) AND cardinality(roles) > 1"
    )
    op.execute(
        "UPDATE user_account SET roles = ARRAY['beneficiary']::varchar(32)[] "
        "WHERE beneficiary_id IS NOT NULL AND roles <> ARRAY['beneficiary']::varchar(32)[]"
    )
    op.execute(
        "UPDATE user_account SET roles = array_remove(roles, 'beneficiary') "
        "WHERE beneficiary_id IS NULL AND 'beneficiary' = ANY (roles)"
    )
    op.create_check_constraint(
        op.f("ck_user_account_exclusive_roles"),
        "user_account",
        "cardinality(roles) = 1 OR NOT (roles && ARRAY['platform_admin', 'beneficiary']"
        "::varchar(32)[])",
    )
    op.create_check_constraint(
        op.f("ck_user_account_person_account"),
        "user_account",
        "(beneficiary_id IS NOT NULL) = ('beneficiary' = ANY (roles))",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_user_account_person_account"), "user_account", type_="check")
    op.drop_constraint(op.f("ck_user_account_exclusive_roles"), "user_account", type_="check")
    op.drop_column("user_account", "must_change_password")
