"""Who may see and manage which users and clients: pure rules over the principal and the account.

Separation of duties. A platform admin administers the platform: it adds organisations and their
first org admins, manages the platform's own admins, deactivates any staff account and lists or
revokes any API client; it never creates credentials inside an organisation, gives staff roles
there or sets a password there, so that it never acts on people's data. An org admin manages its
own organisation's staff and clients. A person's own account (role ``beneficiary``, made by
activating an invitation) is changed by nobody but the person (a new invitation resets its
password), save its deactivation by its organisation's org admins: that cuts off a lost phone at
once, reveals nothing and gives nobody access. Operators may look up colleagues; anyone may read
their own account.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from shared.auth import STAFF_ROLES, Principal, Role
from shared.auth.principal import EXCLUSIVE_ROLES

ASSIGNABLE_BY_ORG_ADMIN = frozenset(
    {Role.ORG_ADMIN, Role.OPERATOR, Role.PROVIDER, Role.CLUSTER_COORDINATOR}
)
# Beneficiary accounts come from invitations and partner systems are API clients, not users.
# A platform admin makes org admins (an organisation's first ones) and, in its own organisation,
# other platform admins; never operators or providers. It may name a cluster's coordinator (a
# role that sees aggregates only) when it sets a cluster up.
ASSIGNABLE_BY_PLATFORM_ADMIN = frozenset({Role.ORG_ADMIN, Role.CLUSTER_COORDINATOR})
ASSIGNABLE_BY_PLATFORM_ADMIN_AT_HOME = frozenset(
    {Role.ORG_ADMIN, Role.PLATFORM_ADMIN, Role.CLUSTER_COORDINATOR}
)


@dataclass(frozen=True)
class Account:
    """The facts of a user account the rules look at."""

    id: uuid.UUID
    organization_id: uuid.UUID
    roles: frozenset[Role]
    is_person: bool  # a person's own app account (it has a beneficiary_id)


@dataclass(frozen=True)
class Change:
    """What a PATCH asks to change (None: not asked)."""

    full_name: bool = False
    password: bool = False
    roles: frozenset[Role] | None = None
    is_active: bool | None = None


def may_list_organization_users(principal: Principal, organization_id: uuid.UUID) -> bool:
    if principal.is_platform_admin:
        return True
    return principal.has(*STAFF_ROLES) and principal.in_organization(organization_id)


def may_view_user(principal: Principal, user_id: uuid.UUID, organization_id: uuid.UUID) -> bool:
    return principal.subject == str(user_id) or may_list_organization_users(
        principal, organization_id
    )


def is_org_admin_of(principal: Principal, organization_id: uuid.UUID) -> bool:
    return principal.acts_as(Role.ORG_ADMIN) and principal.in_organization(organization_id)


def may_manage_users(principal: Principal, organization_id: uuid.UUID) -> bool:
    """May add users to the organisation (which roles: :func:`assignable_roles`)."""
    return principal.is_platform_admin or is_org_admin_of(principal, organization_id)


def assignable_roles(principal: Principal, organization_id: uuid.UUID) -> frozenset[Role]:
    if principal.is_platform_admin:
        if principal.in_organization(organization_id):
            return ASSIGNABLE_BY_PLATFORM_ADMIN_AT_HOME
        return ASSIGNABLE_BY_PLATFORM_ADMIN
    if is_org_admin_of(principal, organization_id):
        return ASSIGNABLE_BY_ORG_ADMIN
    return frozenset()


def roles_problem(roles: frozenset[Role]) -> str | None:
    """Why a set of roles cannot be one account's (None: it can)."""
    exclusive = roles & EXCLUSIVE_ROLES
    if exclusive and len(roles) > 1:
        return f"{sorted(exclusive)[0]} is held alone, never with another role"
    return None


def adds_first_org_admin_only(principal: Principal, organization_id: uuid.UUID) -> bool:
    """A platform admin adds an organisation's first org admin (or one after every org admin has
    left); further ones are added by the organisation's own org admins."""
    return principal.is_platform_admin and not principal.in_organization(organization_id)


def change_refused(principal: Principal, account: Account, change: Change) -> str | None:
    """Why ``principal`` may not make ``change`` to ``account`` (None: it may). Checks who may
    change what; the roles' combination and the password itself are checked apart."""
    if principal.subject == str(account.id):
        if change.roles is not None:
            return "Your roles are changed by another admin, never by yourself."
        if change.is_active is not None and not may_manage_users(
            principal, account.organization_id
        ):
            return "You may change only your own name and password."
        return None  # an admin's own deactivation is refused apart (422)
    if account.is_person:
        deactivation = change == Change(is_active=False)
        if deactivation and is_org_admin_of(principal, account.organization_id):
            return None
        return (
            "A person's app account is changed only by the person (a new invitation resets "
            "it); its organisation's org admins may deactivate it."
        )
    if Role.PLATFORM_ADMIN in account.roles and not principal.is_platform_admin:
        return "Only platform admins change a platform admin's account."
    if principal.is_platform_admin and not principal.in_organization(account.organization_id):
        if change == Change(is_active=False):
            return None
        return (
            "In another organisation a platform admin only deactivates accounts: its org "
            "admins manage their staff."
        )
    if not may_manage_users(principal, account.organization_id):
        return "You may change only your own name and password."
    if change.roles is not None:
        refused = change.roles - assignable_roles(principal, account.organization_id)
        if refused:
            return f"You may not assign the roles: {', '.join(sorted(refused))}."
    return None


def may_create_clients(principal: Principal, organization_id: uuid.UUID) -> bool:
    """Credentials inside an organisation are its org admins' act alone: a client reads the
    organisation's people. Platform admins list and revoke clients (safety), never create them."""
    return is_org_admin_of(principal, organization_id)
