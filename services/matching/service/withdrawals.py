"""Referrals that end without their parties: when the person's consent to matching ends
(withdrawn in intake or in the app, or the person erased), or when the referring organisation no
longer sees the person (its sharing consent withdrawn, an access expired).

Each such referral still active is dropped with a coded reason (``reason_code``), an enrolled one
frees its seat, and ``referral.status_changed`` goes out (pathways moves the referrer's action);
every such referral of the person, active or not, loses the card (name, contact) and the
referrer's note. The rule is the one reads and moves check (``db.access``), applied to
the state the access mirror holds: so it is idempotent, and a redelivered or reordered
``beneficiary.access_changed`` changes nothing twice.

An expiry sends no event: ``sweep_forever`` looks, every ``every_seconds``, at the people with an
expired grant. Until it has, reads and moves already treat the card as gone.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.matching.db import referrals as repository
from services.matching.domain.referrals import ACTIVE, ReferralStatus
from services.matching.domain.referrals import ReferralReasonCode as Code
from services.matching.service import referrals
from shared import clock
from shared.logging import get_logger
from shared.worker import cancel_and_wait

_log = get_logger("ponte.matching.withdrawals")
# The words beside the code (``reason``), for readers that show only the text.
REASONS = {
    Code.CONSENT_WITHDRAWN: "the person's consent to matching ended",
    Code.ACCESS_ENDED: "the referring organisation no longer sees the person",
    Code.PERSON_ERASED: "the person's data was erased",
    Code.MERGED: "a duplicate record's referral: the survivor has one to the same offer or point",
}


async def end_unseen(
    session: AsyncSession,
    beneficiary_ids: Collection[uuid.UUID],
    *,
    code: Code | None = None,
    skip_locked: bool = False,
) -> int:
    """End the referrals of these people that may no longer show the person; the number changed.
    ``code`` overrides the reason (an erasure); otherwise it is ``consent_withdrawn`` when the
    person's consent ended, ``access_ended`` when only the referrer's view did."""
    if not beneficiary_ids:
        return 0
    moment = clock.now()
    rows = await repository.unseen(session, beneficiary_ids, moment, skip_locked=skip_locked)
    for referral, consented in rows:
        referral.person_card = None
        referral.match = None
        referral.note = None
        if referral.status in ACTIVE:
            reason = code or (Code.ACCESS_ENDED if consented else Code.CONSENT_WITHDRAWN)
            await referrals.transition(
                session,
                referral,
                ReferralStatus.DROPPED,
                by="system",
                reason=REASONS[reason],
                reason_code=reason,
            )
        else:
            referral.version += 1
            referral.updated_at = moment
    await repository.flush(session)
    return len(rows)


ERASED = "[erased]"  # in place of a text that was written, and no longer is
# What stays of a referral's history line after an erasure: who (an account id), when, the
# status and the codes; the words (a rejection's or a decline's reason) go.
HISTORY_KEYS = ("status", "at", "by", "person", "reason_code")


async def erase(session: AsyncSession, beneficiary_id: uuid.UUID) -> list[uuid.UUID]:
    """An erased person's referrals: ended first (``end_unseen``, ``person_erased``), then every
    text in them goes, whoever wrote it (an operator or a provider may type the person's name
    into a reason): the card, the note, the reason and the history's reasons. Ids, offer,
    statuses, codes and dates stay (seats and outcomes). Answers the referrals' ids."""
    await end_unseen(session, [beneficiary_id], code=Code.PERSON_ERASED)
    ids = []
    for referral in await repository.of_person_locked(session, beneficiary_id):
        ids.append(referral.id)
        referral.person_card = None
        referral.match = None
        referral.note = None
        referral.reason = ERASED if referral.reason is not None else None
        referral.history = [
            {
                **{key: line[key] for key in HISTORY_KEYS if key in line},
                **({"reason": ERASED} if line.get("reason") else {}),
            }
            for line in referral.history
        ]
        referral.version += 1
    await repository.flush(session)
    return ids


async def repoint_merged(
    session: AsyncSession, merged_id: uuid.UUID, survivor_id: uuid.UUID
) -> None:
    """The merged record's referrals become the survivor's, so that they go on under the
    survivor's consent; one still active to an offer the survivor has an active referral to is
    ended (``merged``): a person has one active referral per offer."""
    for referral in await repository.merged_duplicates(session, merged_id, survivor_id):
        await referrals.transition(
            session,
            referral,
            ReferralStatus.DROPPED,
            by="system",
            reason=REASONS[Code.MERGED],
            reason_code=Code.MERGED,
        )
    await repository.repoint(session, merged_id, survivor_id)
    await end_unseen(session, [survivor_id])


async def end_expired(session: AsyncSession) -> int:
    """The referrals of the people one of whose grants has expired (no event says so)."""
    people = await repository.people_with_expired_grants(session, clock.now())
    return await end_unseen(session, people, skip_locked=True)


async def sweep_forever(sessions: async_sessionmaker[AsyncSession], every_seconds: float) -> None:
    """Every ``every_seconds`` (and a random tenth more, so that replicas spread out)."""
    while True:
        await asyncio.sleep(every_seconds * (1 + random.uniform(0, 0.1)))  # noqa: S311 - jitter
        try:
            async with sessions() as session, session.begin():
                ended = await end_expired(session)
            if ended:
                _log.info("referrals_ended_on_expiry", referrals=ended)
        except Exception as error:  # try again later; never take the service down
            _log.error("referral_expiry_sweep_error", error=type(error).__name__)


def start_sweep(
    sessions: async_sessionmaker[AsyncSession], every_seconds: float
) -> asyncio.Task[None]:
    return asyncio.create_task(sweep_forever(sessions, every_seconds), name="referral-expiry")


async def stop_sweep(task: asyncio.Task[None] | None) -> None:
    await cancel_and_wait(task)
