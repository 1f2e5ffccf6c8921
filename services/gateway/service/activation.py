"""A person activates the self-service app with the one-time code their organisation gave them.

Intake owns invitations and redeems the code (once, atomically) over its internal API; the gateway
then keeps the person's account: a ``user_account`` row with the role ``beneficiary`` and their
``beneficiary_id``, in the inviting organisation, with no e-mail address (its sign-in name is a
generated handle) and a password only if the person chose one. Tokens carry ``roles:
["beneficiary"]`` and ``bid``; refreshing keeps them (they are read from the account). A new
activation of the same person (a new phone) ends every session of the old one."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.db import credentials, repository
from services.gateway.db.models import User
from services.gateway.domain.passwords import hash_password
from services.gateway.errors import InvalidGrant
from services.gateway.schemas.auth import TokenResponse
from services.gateway.service.auth import TokenIssuer
from services.gateway.service.password_hashing import PasswordHashing
from shared import clock
from shared.auth import Role
from shared.errors import Conflict, ServiceUnavailable
from shared.logging import get_logger
from shared.offload import run_in_thread

_log = get_logger("ponte.gateway.activation")
# Never a valid argon2 hash: an account without a password cannot use the password grant.
NO_PASSWORD = "!no-password"  # noqa: S105 - a marker, not a password
_HANDLE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


@dataclass(frozen=True)
class Invitation:
    beneficiary_id: uuid.UUID
    organization_id: uuid.UUID


def new_handle() -> str:
    """The account's sign-in name for the password grant: short, typeable, not personal data."""
    return "p-" + "".join(secrets.choice(_HANDLE_ALPHABET) for _ in range(10))


async def redeem(http: httpx.AsyncClient, intake_url: str, token: str, code: str) -> Invitation:
    """Intake uses the code once; ``InvalidGrant`` when it is wrong, used or expired."""
    try:
        answer = await http.post(
            f"{intake_url}/internal/invitations/redeem",
            json={"code": code},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5.0,
        )
    except httpx.HTTPError as error:
        raise ServiceUnavailable("Activation is not possible right now; try again.") from error
    if answer.status_code in (404, 422):
        raise InvalidGrant("The code is not valid: it is wrong, used, replaced or expired.")
    if answer.status_code != 200:
        _log.warning("redeem_failed", status=answer.status_code)
        raise ServiceUnavailable("Activation is not possible right now; try again.")
    body = answer.json()
    return Invitation(uuid.UUID(body["beneficiary_id"]), uuid.UUID(body["organization_id"]))


async def account_for(
    session: AsyncSession,
    invitation: Invitation,
    password: str | None,
    *,
    hashing: PasswordHashing | None = None,
) -> User:
    """The person's account, created on the first activation and renewed on the next ones.
    ``hashing``: the process's bounded hashing pool (requests always pass it)."""
    if await repository.get_organization(session, invitation.organization_id) is None:
        raise Conflict("The organisation that invited you no longer exists.")
    if not password:
        password_hash = NO_PASSWORD
    elif hashing is not None:
        password_hash = await hashing.hash(password)
    else:
        password_hash = await run_in_thread(hash_password, password)
    user = await repository.person_account(session, invitation.beneficiary_id, lock=True)
    now = clock.now()
    if user is None:
        user = User(
            id=uuid.uuid4(),
            organization_id=invitation.organization_id,
            email=new_handle(),
            full_name="",
            password_hash=password_hash,
            roles=[Role.BENEFICIARY.value],
            beneficiary_id=invitation.beneficiary_id,
            is_active=True,
        )
        session.add(user)
    else:
        await credentials.revoke_user_tokens(session, user.id, now)  # the old phone signs out
        user.organization_id = invitation.organization_id
        user.password_hash = password_hash
        user.roles = [Role.BENEFICIARY.value]
        user.is_active = True
        user.version += 1
        user.updated_at = now
    await session.flush()
    return user


async def activate(
    session: AsyncSession,
    issuer: TokenIssuer,
    http: httpx.AsyncClient,
    *,
    code: str,
    password: str | None,
    address: str,
) -> tuple[User, TokenResponse]:
    """Failed codes count against the caller's address like failed sign-ins (so codes cannot be
    guessed faster than the throttle allows)."""
    now = clock.now()
    key = f"activation:{address}"
    await issuer.refuse_if_blocked(session, [key], now)
    settings = issuer.settings
    try:
        invitation = await redeem(
            http, settings.upstreams()["intake"], settings.internal_token, code
        )
    except InvalidGrant:
        await credentials.record_failure(session, key, issuer.address_policy, now)
        raise
    user = await account_for(session, invitation, password, hashing=issuer.hashing)
    _log.info("beneficiary_activated", user_id=str(user.id))
    return user, await issuer.new_session(session, user)
