"""Who may do what in matching, by role and organisation (pure: the queries that apply these
rules to rows are in ``db/``)."""

from __future__ import annotations

import uuid

from shared.auth import ORGANIZATION_SIDE_ROLES, PROVIDER_ROLES, Principal, Role

# Every role inside an organisation reads the catalogue, and the platform admin too.
CATALOGUE_READERS = ORGANIZATION_SIDE_ROLES | {Role.PLATFORM_ADMIN}
# What a referral needs of the person, for the referrer to see.
SECTION = "profile"


def reads_catalogue(principal: Principal) -> bool:
    return principal.has(*CATALOGUE_READERS)


def manages_offers(principal: Principal) -> bool:
    return principal.acts_as(*PROVIDER_ROLES)


def manages_offer(principal: Principal, organization_id: uuid.UUID) -> bool:
    return organization_id == principal.organization_id and manages_offers(principal)


def referral_sides(principal: Principal) -> tuple[bool, bool]:
    """Whether the caller reads referrals as a referrer, and as a provider."""
    if principal.organization_id is None:
        return False, False
    return principal.works_on_cases, manages_offers(principal)


def parties(principal: Principal, referrer: uuid.UUID, provider: uuid.UUID) -> frozenset[str]:
    """Which parties of a referral the caller is: "provider", "referrer", both or none."""
    roles = set()
    if provider == principal.organization_id and manages_offers(principal):
        roles.add("provider")
    if referrer == principal.organization_id and principal.works_on_cases:
        roles.add("referrer")
    return frozenset(roles)
