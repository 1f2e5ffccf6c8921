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

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import beneficiaries, records
from services.intake.db import invitations as repository
from services.intake.db.invitations import Invitation
from services.intake.domain import access
from services.intake.errors import BeneficiaryNotFound, InvitationCodeInvalid
from shared import clock
from shared.auth import Principal

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
    row = await beneficiaries.active_or_404(session, beneficiary_id, lock=True)
    if not access.may_change(principal, row.organization_id):
        raise BeneficiaryNotFound
    assert principal.organization_id is not None
    moment = clock.now()
    await repository.revoke_open(session, row.id, moment)
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
    await repository.add(session, invitation)
    await records.record_change(
        session,
        principal,
        row.id,
        "invitation_created",
        {"invitation_id": str(invitation.id), "expires_at": invitation.expires_at.isoformat()},
    )
    return invitation, code


@dataclass(frozen=True)
class Redeemed:
    beneficiary_id: uuid.UUID
    organization_id: uuid.UUID


async def redeem(session: AsyncSession, code: str, moment: datetime | None = None) -> Redeemed:
    """Use the code once: valid, unused, unrevoked, unexpired, for a person still active."""
    moment = moment or clock.now()
    used = await repository.use(session, code_hash(code), moment)
    if used is None:
        raise InvitationCodeInvalid
    invitation_id, beneficiary_id, organization_id = used
    await records.record_change_by(
        session,
        "self-service",
        organization_id,
        beneficiary_id,
        "invitation_redeemed",
        {"invitation_id": str(invitation_id)},
    )
    return Redeemed(beneficiary_id=beneficiary_id, organization_id=organization_id)
