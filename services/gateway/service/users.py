"""Users of the organisations: org admins manage their own organisation's staff; platform admins
add organisations' first org admins and their own colleagues, and deactivate accounts; a person's
app account is the person's (see ``domain.access``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.db import credentials, repository
from services.gateway.db.models import User
from services.gateway.domain import access
from services.gateway.schemas.users import UserCreate, UserUpdate
from services.gateway.service.auth import TokenIssuer
from services.gateway.service.passwords import require_strong_password
from shared import clock
from shared.auth import Principal, Role
from shared.errors import Conflict, FieldError, Forbidden, UnprocessableContent


def _check_roles(principal: Principal, organization_id: uuid.UUID, roles: frozenset[Role]) -> None:
    refused = roles - access.assignable_roles(principal, organization_id)
    if refused:
        raise Forbidden(f"You may not assign the roles: {', '.join(sorted(refused))}.")
    _check_combination(roles)


def _check_combination(roles: frozenset[Role]) -> None:
    if problem := access.roles_problem(roles):
        raise UnprocessableContent(
            "These roles cannot be one account's.",
            errors=[FieldError(field="body.roles", message=problem, code="combination")],
        )


async def create(
    session: AsyncSession, principal: Principal, body: UserCreate, issuer: TokenIssuer
) -> User:
    organization_id = body.organization_id or principal.organization_id
    if organization_id is None or not access.may_manage_users(principal, organization_id):
        raise Forbidden("You may add users to your own organisation only.")
    if await repository.get_organization(session, organization_id) is None:
        raise UnprocessableContent(
            "Unknown organisation.",
            errors=[
                FieldError(
                    field="body.organization_id", message="no such organisation", code="unknown"
                )
            ],
        )
    roles = frozenset(body.roles)
    _check_roles(principal, organization_id, roles)
    if (
        Role.ORG_ADMIN in roles
        and access.adds_first_org_admin_only(principal, organization_id)
        and await repository.has_active_org_admin(session, organization_id)
    ):
        raise Conflict(
            "The organisation has an org admin: further org admins are added by its org admins."
        )
    email = str(body.email).lower()
    require_strong_password(body.password, email)
    if await repository.user_by_email(session, email):
        raise Conflict("A user with this e-mail address exists.")
    user = User(
        organization_id=organization_id,
        email=email,
        full_name=body.full_name,
        password_hash=await issuer.hashing.hash(body.password),
        must_change_password=True,  # the creator chose it: the user chooses their own
        roles=sorted(roles),
    )
    try:
        await repository.add(session, user)
    except IntegrityError as error:
        raise Conflict("A user with this e-mail address exists.") from error
    return user


# The users the caller may see, a keyset page (of one organisation if named).
page = repository.users_page


async def update(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    body: UserUpdate,
    issuer: TokenIssuer,
    address: str,
    check_version: Callable[[int], None],
) -> User:
    user = await repository.visible_user(session, principal, user_id, lock=True)
    is_self = principal.subject == str(user.id)
    change = access.Change(
        full_name=body.full_name is not None,
        password=body.password is not None,
        roles=frozenset(body.roles) if body.roles is not None else None,
        is_active=body.is_active,
    )
    account = access.Account(
        id=user.id,
        organization_id=user.organization_id,
        roles=frozenset(Role(role) for role in user.roles),
        is_person=user.beneficiary_id is not None,
    )
    if refused := access.change_refused(principal, account, change):
        raise Forbidden(refused)
    check_version(user.version)
    now = clock.now()
    if body.password is not None and is_self:
        await _confirm_current_password(session, issuer, user, body.current_password, address)
    if change.roles is not None:
        _check_combination(change.roles)
        user.roles = sorted(change.roles)
    if body.is_active is not None:
        if is_self and not body.is_active:
            raise UnprocessableContent(
                "You cannot deactivate your own account.",
                errors=[FieldError(field="body.is_active", message="own account", code="self")],
            )
        user.is_active = body.is_active
    if body.full_name is not None:
        user.full_name = body.full_name
    if body.password is not None:
        require_strong_password(
            body.password, user.email, current=body.current_password if is_self else None
        )
        user.password_hash = await issuer.hashing.hash(body.password)
        # Set by an admin, it only lets the holder choose their own at the next sign-in.
        user.must_change_password = not is_self
    if body.password is not None or body.is_active is False or body.roles is not None:
        # Sessions started under the old password, status or roles must not live on.
        await credentials.revoke_user_tokens(session, user.id, now)
    user.version += 1
    user.updated_at = now
    await repository.flush(session)
    return user


async def _confirm_current_password(
    session: AsyncSession, issuer: TokenIssuer, user: User, current: str | None, address: str
) -> None:
    """Your own password changes only with the current one; a wrong one counts as a failed
    sign-in (and is committed, though the answer is an error)."""
    field = "body.current_password"
    if current is None:
        raise UnprocessableContent(
            "Send your current password to change it.",
            errors=[FieldError(field=field, message="is required", code="required")],
        )
    if not await issuer.confirm_password(session, user, user.email, current, address):
        await repository.commit(session)
        raise UnprocessableContent(
            "The current password is wrong.",
            errors=[FieldError(field=field, message="is wrong", code="wrong_password")],
        )
