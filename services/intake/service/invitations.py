"""Inviting a person to the self-service app, and redeeming the invitation.

The registering organisation's case roles invite an active person: a one-time code of ten
characters from an alphabet without look-alikes (31 symbols: ~50 bits), valid for
``invitation_ttl_hours``, stored only as its SHA-256. A new invitation revokes the person's unused
ones (a lost phone means a new invitation). The gateway redeems a code over the internal API when
the person activates the app; the redemption is one conditional UPDATE, so a code works once even
when two phones race. Guessing is bounded by the gateway, which throttles failed activations per
address on top of its request-rate limits."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import repository
from services.intake.db.invitations import Invitation
from services.intake.db.models import Beneficiary, Change
from services.intake.domain import access
from services.intake.service.beneficiaries import now
from shared.auth import Principal
from shared.errors import NotFound

# No 0/O, 1/I/L: read aloud or typed from paper. 31 symbols, 10 of them: 49.5 bits.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise(code: str) -> str:
    """What the person typed, as stored: case, spaces and dashes do not matter."""
    return "".join(code.split()).replace("-", "").upper()


def code_hash(code: str) -> bytes:
    return hashlib.sha256(normalise(code).encode()).digest()


def shown(code: str) -> str:
    """Grouped for reading aloud: ``ABCDE-FGHJK``."""
    return f"{code[:5]}-{code[5:]}"


async def invite(
    session: AsyncSession, principal: Principal, beneficiary_id: uuid.UUID, ttl: timedelta
) -> tuple[Invitation, str]:
    """A new invitation and its code (returned once, never stored); 404 unless the caller's
    organisation registered the active person."""
    row = await repository.any_status(session, beneficiary_id, lock=True)
    if row is None or row.status != "active":
        raise NotFound("No such person.")
    if not access.may_change(principal, row.organization_id):
        raise NotFound("No such person.")
    assert principal.organization_id is not None
    moment = now()
    await revoke_open(session, row.id, moment)
    code = new_code()
    invitation = Invitation(
        id=uuid.uuid4(),
        beneficiary_id=row.id,
        organization_id=principal.organization_id,
        code_hash=code_hash(code),
        created_by=principal.subject,
        created_at=moment,
        expires_at=moment + ttl,
    )
    session.add(invitation)
    await session.flush()
    await repository.record_change(
        session,
        principal,
        row.id,
        "invitation_created",
        {"invitation_id": str(invitation.id), "expires_at": invitation.expires_at.isoformat()},
    )
    return invitation, code


async def revoke_open(session: AsyncSession, beneficiary_id: uuid.UUID, moment: datetime) -> None:
    """End the person's unused invitations (a new one replaces them; an erasure ends them)."""
    await session.execute(
        update(Invitation)
        .where(
            Invitation.beneficiary_id == beneficiary_id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=moment)
    )


@dataclass(frozen=True)
class Redeemed:
    beneficiary_id: uuid.UUID
    organization_id: uuid.UUID


async def redeem(session: AsyncSession, code: str, moment: datetime | None = None) -> Redeemed:
    """Use the code once: valid, unused, unrevoked, unexpired, for a person still active."""
    moment = moment or now()
    active_people = select(Beneficiary.id).where(Beneficiary.status == "active")
    used = (
        await session.execute(
            update(Invitation)
            .where(
                Invitation.code_hash == code_hash(code),
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > moment,
                Invitation.beneficiary_id.in_(active_people),
            )
            .values(used_at=moment)
            .returning(Invitation.id, Invitation.beneficiary_id, Invitation.organization_id)
        )
    ).first()
    if used is None:
        raise NotFound("The code is not valid: wrong, used, replaced or expired.")
    invitation_id, beneficiary_id, organization_id = used
    session.add(
        Change(
            beneficiary_id=beneficiary_id,
            action="invitation_redeemed",
            changes={"invitation_id": str(invitation_id)},
            actor="self-service",
            actor_organization_id=organization_id,
        )
    )
    await session.flush()
    return Redeemed(beneficiary_id=beneficiary_id, organization_id=organization_id)
