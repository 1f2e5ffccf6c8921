"""The OAuth 2 grants: password (people), client credentials (partner systems) and refresh-token
rotation with reuse detection. HTTP-free: the token endpoint parses the form and calls these."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.db import credentials, repository, revocations
from services.gateway.db.models import ApiClient, User
from services.gateway.domain.passwords import needs_rehash
from services.gateway.domain.throttling import ThrottlePolicy, retry_after_seconds
from services.gateway.errors import InvalidClient, InvalidGrant, PasswordChangeRequired
from services.gateway.schemas.auth import TokenResponse
from services.gateway.service.password_hashing import PasswordHashing
from services.gateway.service.signing_keys import SigningKeys
from services.gateway.settings import GatewaySettings
from shared import clock
from shared.auth import PrincipalKind
from shared.errors import TooManyRequests
from shared.logging import get_logger

_log = get_logger("ponte.gateway.identity")


async def set_own_password(
    session: AsyncSession, hashing: PasswordHashing, user: User, password: str, now: datetime
) -> None:
    """The holder chose ``password`` (checked by the caller): the one an admin set, if any, is
    spent, and sessions started under the old one end."""
    user.password_hash = await hashing.hash(password)
    user.must_change_password = False
    user.version += 1
    user.updated_at = now
    await credentials.revoke_user_tokens(session, user.id, now)


def throttle_keys(email: str, address: str) -> tuple[str, str, str]:
    """The failed sign-in counters a password attempt touches: the account at this address (a
    digest, so that a long e-mail address and address fit the key), the address across accounts,
    and the account from everywhere."""
    account = email.strip().lower()
    pair = hashlib.sha256(f"{account}\n{address}".encode()).hexdigest()
    return f"login:{pair}", f"address:{address}", f"account:{account}"


@dataclass(frozen=True)
class TokenIssuer:
    keys: SigningKeys
    settings: GatewaySettings
    hashing: PasswordHashing = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hashing", PasswordHashing.from_settings(self.settings))

    def _policy(self, free_attempts: int, max_block_seconds: int | None = None) -> ThrottlePolicy:
        return ThrottlePolicy(
            free_attempts=free_attempts,
            window=timedelta(seconds=self.settings.login_failure_window_seconds),
            max_block=timedelta(seconds=max_block_seconds or self.settings.login_max_block_seconds),
        )

    @property
    def pair_policy(self) -> ThrottlePolicy:
        """One account from one address: the owner mistyping, or a guesser that slows itself."""
        return self._policy(self.settings.login_free_attempts_per_account_address)

    @property
    def address_policy(self) -> ThrottlePolicy:
        return self._policy(self.settings.login_free_attempts_per_address)

    @property
    def account_policy(self) -> ThrottlePolicy:
        """The account-wide brake on guesses spread over many addresses: a higher threshold and
        short blocks, so that strangers' failures can slow the owner but never lock them out."""
        return self._policy(
            self.settings.login_free_attempts_per_account,
            self.settings.login_account_max_block_seconds,
        )

    async def access_token(
        self,
        *,
        subject: str,
        kind: PrincipalKind,
        organization_id: uuid.UUID,
        roles: list[str],
        beneficiary_id: uuid.UUID | None,
        now: datetime,
    ) -> str:
        issued = int(now.timestamp())
        claims = {
            "iss": self.settings.auth_issuer,
            "aud": self.settings.auth_audience,
            "sub": subject,
            "kind": kind.value,
            "org": str(organization_id),
            "roles": sorted(roles),
            # With milliseconds (a NumericDate may have them, RFC 7519 2): compared with the
            # time the subject's tokens were revoked (revocation.py), which may be this second.
            "iat": revocations.now_in_milliseconds(),
            "nbf": issued,
            "exp": issued + self.settings.access_token_ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        if beneficiary_id is not None:
            claims["bid"] = str(beneficiary_id)
        return await self.keys.sign(claims)

    async def _for_user(
        self, session: AsyncSession, user: User, family_id: uuid.UUID, now: datetime
    ) -> TokenResponse:
        refresh = secrets.token_urlsafe(32)
        await credentials.store_refresh_token(
            session,
            token=refresh,
            user_id=user.id,
            family_id=family_id,
            now=now,
            ttl=timedelta(seconds=self.settings.refresh_token_ttl_seconds),
        )
        access = await self.access_token(
            subject=str(user.id),
            kind=PrincipalKind.USER,
            organization_id=user.organization_id,
            roles=user.roles,
            beneficiary_id=user.beneficiary_id,
            now=now,
        )
        return TokenResponse(
            access_token=access,
            expires_in=self.settings.access_token_ttl_seconds,
            refresh_token=refresh,
        )

    @staticmethod
    async def _hold(session: AsyncSession, user_id: uuid.UUID) -> None:
        """The account may have been erased since it was read (a password check takes a while):
        then no session for it, rather than a 500 on a refresh token pointing at nobody. Called
        before anything about the account changes; from here to commit it cannot go away."""
        if not await repository.hold_user(session, user_id):
            raise InvalidGrant("The account is no longer active.")

    async def new_session(self, session: AsyncSession, user: User) -> TokenResponse:
        """Tokens for an account that has just proven itself another way (an activation code)."""
        await self._hold(session, user.id)
        now = clock.now()
        user.last_login_at = now
        return await self._for_user(session, user, uuid.uuid4(), now)

    async def refuse_if_blocked(
        self, session: AsyncSession, keys: list[str], now: datetime
    ) -> None:
        wait = retry_after_seconds(await credentials.blocked_until(session, keys), now)
        if wait:
            raise TooManyRequests(
                "Too many failed sign-in attempts; wait before trying again.", retry_after=wait
            )

    async def confirm_password(
        self, session: AsyncSession, user: User | None, email: str, password: str, address: str
    ) -> bool:
        """Whether ``password`` is the active account ``user``'s. A wrong one counts as a failed
        sign-in against the account at this address, the address and the account; while any of
        them is blocked, ``TooManyRequests``. Another address's failures block this one only
        through the account-wide brake (``account_policy``). The caller commits the counts
        before answering with an error."""
        now = clock.now()
        pair_key, address_key, account_key = throttle_keys(email, address)
        await self.refuse_if_blocked(session, [pair_key, address_key, account_key], now)
        valid = await self.hashing.verify(user.password_hash if user else None, password)
        if user is None or not valid or not user.is_active:
            await credentials.record_failure(session, pair_key, self.pair_policy, now)
            await credentials.record_failure(session, address_key, self.address_policy, now)
            await credentials.record_failure(session, account_key, self.account_policy, now)
            _log.info("login_failed", user_id=str(user.id) if user else None)
            return False
        # The owner proved themselves: their counters start again. The address's does not (an
        # attacker signing in to an account of their own between guesses must not reset it).
        await credentials.clear_failures(session, pair_key)
        await credentials.clear_failures(session, account_key)
        return True

    async def password_grant(
        self,
        session: AsyncSession,
        *,
        email: str,
        password: str,
        address: str,
        new_password: str | None = None,
    ) -> TokenResponse:
        """``new_password`` (already checked by the caller): the holder replaces ``password`` with
        their own; required while the password is one an admin chose (must_change_password)."""
        user = await repository.user_by_email(session, email.strip())
        confirmed = await self.confirm_password(session, user, email, password, address)
        if not confirmed or user is None:
            raise InvalidGrant("The e-mail address or the password is wrong.")
        await self._hold(session, user.id)
        now = clock.now()
        if new_password is not None:
            await set_own_password(session, self.hashing, user, new_password, now)
        elif user.must_change_password:
            raise PasswordChangeRequired(
                "Your password was set by an administrator: choose your own, sent as new_password "
                "with this sign-in.",
                password_change_required=True,
            )
        elif needs_rehash(user.password_hash):
            # Made with older parameters (argon2-cffi's defaults: 64 MiB a check): now that the
            # password is known, store it under the current ones.
            user.password_hash = await self.hashing.hash(password)
        user.last_login_at = now
        return await self._for_user(session, user, uuid.uuid4(), now)

    async def refresh_grant(self, session: AsyncSession, *, refresh_token: str) -> TokenResponse:
        now = clock.now()
        row = await credentials.refresh_token_for_update(session, refresh_token)
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            raise InvalidGrant("The refresh token is not valid.")
        if row.used_at is not None:
            # A rotated token came back: someone holds a copy. End the whole session family.
            await credentials.revoke_family(session, row.family_id, now)
            _log.warning("refresh_token_reuse", user_id=str(row.user_id), family=str(row.family_id))
            raise InvalidGrant("The refresh token was already used; sign in again.")
        user = await repository.get_user_by_id(session, row.user_id)
        if user is None or not user.is_active:
            await credentials.revoke_family(session, row.family_id, now)
            raise InvalidGrant("The account is no longer active.")
        await self._hold(session, user.id)
        row.used_at = now
        return await self._for_user(session, user, row.family_id, now)

    async def client_credentials_grant(
        self, session: AsyncSession, *, client_id: str, client_secret: str, address: str
    ) -> TokenResponse:
        now = clock.now()
        address_key = f"address:{address}"
        await self.refuse_if_blocked(session, [address_key], now)
        client: ApiClient | None = await repository.client_by_client_id(session, client_id)
        expected = client.secret_hash if client else credentials.digest(secrets.token_hex(16))
        if (
            client is None
            or client.revoked_at is not None
            or not hmac.compare_digest(expected, credentials.digest(client_secret))
        ):
            await credentials.record_failure(session, address_key, self.address_policy, now)
            raise InvalidClient("Unknown client or wrong secret.")
        access = await self.access_token(
            subject=str(client.id),
            kind=PrincipalKind.CLIENT,
            organization_id=client.organization_id,
            roles=client.roles,
            beneficiary_id=None,
            now=now,
        )
        return TokenResponse(access_token=access, expires_in=self.settings.access_token_ttl_seconds)
