"""Who is calling: the typed result of verifying a token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    ORG_ADMIN = "org_admin"
    OPERATOR = "operator"
    PARTNER_SYSTEM = "partner_system"
    PROVIDER = "provider"
    BENEFICIARY = "beneficiary"


class PrincipalKind(StrEnum):
    USER = "user"
    CLIENT = "client"


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    kind: PrincipalKind
    organization_id: uuid.UUID | None
    roles: frozenset[Role]
    issuer: str
    expires_at: int
    beneficiary_id: uuid.UUID | None = None
    token_id: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    issued_at: float = 0.0  # the token's iat (seconds since the epoch; ours carry milliseconds)

    def has(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def is_platform_admin(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles

    def in_organization(self, organization_id: uuid.UUID | None) -> bool:
        return organization_id is not None and self.organization_id == organization_id
