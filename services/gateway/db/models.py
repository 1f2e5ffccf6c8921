"""Identity tables owned by the gateway: organisations, users, API clients, tokens, keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.gateway.domain.organizations import OrganizationType
from shared.db import make_metadata
from shared.idempotency import idempotency_table

metadata = make_metadata()
# Idempotency-Key records of the gateway's own creates (organisations, users, clients).
idempotency = idempotency_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata


def _now_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


_TYPES = ", ".join(f"'{kind.value}'" for kind in OrganizationType)


class Organization(Base):
    __tablename__ = "organization"
    __table_args__ = (CheckConstraint(f"type IN ({_TYPES})", name="type_known"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))
    municipality: Mapped[str | None] = mapped_column(String(120))
    territory_code: Mapped[str | None] = mapped_column(
        String(40), comment="where it is: a territory code of matching's (NUTS or LAU)"
    )
    contact_email: Mapped[str | None] = mapped_column(String(254))
    emergency_reasons: Mapped[list[str]] = mapped_column(
        ARRAY(String(32)),
        default=list,
        server_default=text("'{}'"),
        comment="the emergency-access reasons it may invoke (empty: not entitled)",
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = _now_column()


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        # platform_admin and beneficiary are held alone (separation of duties: the platform's
        # admin never works on people's data; a person's own account is never staff) ...
        CheckConstraint(
            "cardinality(roles) = 1 OR NOT (roles && ARRAY['platform_admin', 'beneficiary']"
            "::varchar(32)[])",
            name="exclusive_roles",
        ),
        # ... and the role beneficiary is exactly a person's own account.
        CheckConstraint(
            "(beneficiary_id IS NOT NULL) = ('beneficiary' = ANY (roles))", name="person_account"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    beneficiary_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # The password was chosen by someone else (an admin creating or resetting the account): it
    # only lets the holder choose their own (grant_type=password with new_password).
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = _now_column()
    updated_at: Mapped[datetime] = _now_column()
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiClient(Base):
    """A partner system's credentials (OAuth 2 client credentials grant)."""

    __tablename__ = "api_client"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    name: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    created_by: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = _now_column()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RefreshToken(Base):
    """One link of a rotation chain; a family is every token descended from one login."""

    __tablename__ = "refresh_token"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    issued_at: Mapped[datetime] = _now_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SigningKey(Base):
    __tablename__ = "signing_key"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(10))
    private_key_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = _now_column()
    activates_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginThrottle(Base):
    """Consecutive failed logins per account or per address (key ``account:`` / ``address:``)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


from services.gateway.db import revocations as revocations  # noqa: E402 - its table, on this metadata
