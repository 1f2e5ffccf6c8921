"""Who may see and manage which users and clients: pure rules over the principal.

Platform admins manage organisations and everyone; org admins manage their own organisation's
users and clients; operators may look up colleagues; anyone may read their own account.
"""

from __future__ import annotations

import uuid

from shared.auth import Principal, Role

ASSIGNABLE_BY_ORG_ADMIN = frozenset({Role.ORG_ADMIN, Role.OPERATOR, Role.PROVIDER})
# Beneficiary accounts come from invitations and partner systems are API clients, not users.
ASSIGNABLE_BY_PLATFORM_ADMIN = ASSIGNABLE_BY_ORG_ADMIN | {Role.PLATFORM_ADMIN}


def may_list_organization_users(principal: Principal, organization_id: uuid.UUID) -> bool:
    if principal.is_platform_admin:
        return True
    return principal.has(Role.ORG_ADMIN, Role.OPERATOR) and principal.in_organization(
        organization_id
    )


def may_view_user(principal: Principal, user_id: uuid.UUID, organization_id: uuid.UUID) -> bool:
    return principal.subject == str(user_id) or may_list_organization_users(
        principal, organization_id
    )


def may_manage_users(principal: Principal, organization_id: uuid.UUID) -> bool:
    if principal.is_platform_admin:
        return True
    return Role.ORG_ADMIN in principal.roles and principal.in_organization(organization_id)


def assignable_roles(principal: Principal) -> frozenset[Role]:
    if principal.is_platform_admin:
        return ASSIGNABLE_BY_PLATFORM_ADMIN
    if Role.ORG_ADMIN in principal.roles:
        return ASSIGNABLE_BY_ORG_ADMIN
    return frozenset()


def may_manage_clients(principal: Principal, organization_id: uuid.UUID) -> bool:
    return may_manage_users(principal, organization_id)
