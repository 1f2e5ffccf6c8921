"""webhook subscriptions: the payload mode (ids, or the resource as the subscriber may read it)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "webhook_subscription",
        sa.Column(
            "payload",
            sa.String(length=16),
            server_default="ids",
            nullable=False,
            comment="ids, or resource: also the resource as the subscriber may read it at delivery",
        ),
    )
    op.create_check_constraint(
        op.f("ck_webhook_subscription_payload"),
        "webhook_subscription",
        "payload IN ('ids', 'resource')",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_webhook_subscription_payload"), "webhook_subscription")
    op.drop_column("webhook_subscription", "payload")
