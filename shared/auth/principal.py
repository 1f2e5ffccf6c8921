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
    # Coordinates a cluster for its organisation (the cluster's coordinator organisation): sees
    # the cluster's aggregates across its members, never a person's record (no case role).
    CLUSTER_COORDINATOR = "cluster_coordinator"


# Roles that hold no other: a platform admin administers the platform, never people's data, and a
# person's own account (beneficiary) is never staff. Accounts cannot combine them (the gateway's
# users API and a database constraint refuse it); a token that does is refused people's data.
EXCLUSIVE_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.BENEFICIARY})
# Who works on people's cases for their organisation, and who serves the people referred to it.
CASE_ROLES = frozenset({Role.ORG_ADMIN, Role.OPERATOR, Role.PARTNER_SYSTEM})
PROVIDER_ROLES = frozenset({Role.PROVIDER, Role.ORG_ADMIN})
# An organisation's own people: who administer its accounts and read its indicators.
STAFF_ROLES = frozenset({Role.ORG_ADMIN, Role.OPERATOR})
# Who read indicators: an organisation's staff, and the platform admin across organisations.
REPORT_ROLES = frozenset({Role.ORG_ADMIN, Role.OPERATOR, Role.PLATFORM_ADMIN})
# Who connect systems to an organisation: its admin and its partner systems (webhooks, batches).
INTEGRATION_ROLES = frozenset({Role.ORG_ADMIN, Role.PARTNER_SYSTEM})
# Every role that acts inside an organisation (the platform admin reads the catalogue too).
ORGANIZATION_SIDE_ROLES = frozenset(
    {Role.ORG_ADMIN, Role.OPERATOR, Role.PARTNER_SYSTEM, Role.PROVIDER}
)


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

    def acts_as(self, *roles: Role) -> bool:
        """Holds one of ``roles`` in an organisation, and neither platform admin nor beneficiary:
        the test of every rule over people's data (separation of duties), whatever else the
        token carries."""
        return (
            self.organization_id is not None
            and self.roles.isdisjoint(EXCLUSIVE_ROLES)
            and not self.roles.isdisjoint(roles)
        )

    @property
    def works_on_cases(self) -> bool:
        """Registers and follows people for its organisation (never a platform admin)."""
        return self.acts_as(*CASE_ROLES)

    def in_organization(self, organization_id: uuid.UUID | None) -> bool:
        return organization_id is not None and self.organization_id == organization_id
