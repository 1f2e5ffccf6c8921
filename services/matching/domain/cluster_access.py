"""A cluster's vocabulary (statuses, members' roles) and who may do what with it (pure: the
statements that apply these rules to rows are in ``db/clusters.py``).

Reading: the platform admin every cluster; a cluster coordinator the clusters its organisation
coordinates; the staff, partner systems and providers of a current member organisation their
clusters (read only). Writing the cluster, its members and commitments: the platform admin and the
cluster's coordinator; a member's org admin also pledges for its own organisation. The dashboard:
the platform admin and the coordinator only. Nobody else learns that a cluster exists (404)."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from shared.auth import ORGANIZATION_SIDE_ROLES, Principal, Role


class ClusterStatus(StrEnum):
    FORMING = "forming"
    ACTIVE = "active"
    SUSTAINING = "sustaining"
    CLOSED = "closed"  # final: nothing of the cluster changes after


class MemberRole(StrEnum):
    """An organisation's roles in a cluster (MEIC's actors)."""

    COORDINATOR = "coordinator"  # only the cluster's coordinator organisation, which always has it
    EMPLOYMENT_SERVICE = "employment_service"
    TRAINING_PROVIDER = "training_provider"
    HOST_COMPANY = "host_company"
    EMPLOYER_ASSOCIATION = "employer_association"
    CHAMBER_OF_COMMERCE = "chamber_of_commerce"
    LOCAL_AUTHORITY = "local_authority"
    TRADE_UNION = "trade_union"
    LEGAL_SUPPORT = "legal_support"
    LOW_THRESHOLD_SERVICE = "low_threshold_service"
    MIGRANT_ASSOCIATION = "migrant_association"
    NGO_SUPPORT = "ngo_support"
    HEALTH_SERVICE = "health_service"
    HOUSING_SERVICE = "housing_service"


def is_current(joined_on: date, left_on: date | None, on: date) -> bool:
    """A membership holds on ``on``: joined, not yet left."""
    return joined_on <= on and (left_on is None or left_on > on)


def is_final(status: str) -> bool:
    return status == ClusterStatus.CLOSED


def coordinating_organization(principal: Principal) -> uuid.UUID | None:
    """The organisation whose clusters the caller coordinates, if it is a cluster coordinator."""
    return principal.organization_id if principal.acts_as(Role.CLUSTER_COORDINATOR) else None


def member_organization(principal: Principal) -> uuid.UUID | None:
    """The organisation whose clusters the caller reads as a member's staff, partner or
    provider."""
    return principal.organization_id if principal.acts_as(*ORGANIZATION_SIDE_ROLES) else None


def may_create(principal: Principal, coordinator_organization_id: uuid.UUID) -> bool:
    """The platform admin for any coordinator organisation; a coordinator for its own."""
    return principal.is_platform_admin or (
        coordinating_organization(principal) == coordinator_organization_id
    )


def manages(principal: Principal, coordinator_organization_id: uuid.UUID) -> bool:
    """Changes the cluster, its members and every commitment; reads its dashboard."""
    return principal.is_platform_admin or (
        coordinating_organization(principal) == coordinator_organization_id
    )


def pledges_for(
    principal: Principal, coordinator_organization_id: uuid.UUID, organization_id: uuid.UUID
) -> bool:
    """Makes or changes a commitment of ``organization_id``: the cluster's managers, and that
    member's own org admins."""
    return manages(principal, coordinator_organization_id) or (
        principal.acts_as(Role.ORG_ADMIN) and principal.organization_id == organization_id
    )


def roles_problem(
    roles: list[str], organization_id: uuid.UUID, coordinator_organization_id: uuid.UUID
) -> str | None:
    """Why these roles cannot be the organisation's (None when they can): the coordinator role is
    the coordinator organisation's, and it never loses it."""
    coordinator = organization_id == coordinator_organization_id
    if MemberRole.COORDINATOR in roles and not coordinator:
        return "only the cluster's coordinator organisation has the role coordinator"
    if coordinator and MemberRole.COORDINATOR not in roles:
        return "the coordinator organisation keeps the role coordinator"
    return None
