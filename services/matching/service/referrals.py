"""Referrals: a person proposed for an offer or a service point, followed to its end.

proposed -> accepted | rejected (by the provider, with a reason) | dropped (by the referrer)
accepted -> enrolled (the provider; takes a seat) | dropped
enrolled -> completed | dropped (frees the seat)
A service point has no seats: accepted -> completed | dropped; enrolled is refused (409).

A proposal needs the person's consent to matching and an eligible person; seats are taken with
one conditional UPDATE, so concurrent enrolments never oversell. The provider sees only what
the referral needs (name, contact, language levels, the relevant skills), snapshotted from
intake when the referral is made. The card and the referrer's note show, and the provider moves
the referral on, only while the person's consent to matching and the referrer's view of them
hold (checked in the query that reads the referral: ``db.access``); when either ends,
``withdrawals`` ends the referral and removes them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.clients.intake import IntakeClient
from services.matching.clients.pathways import PathwaysClient
from services.matching.db import offers, people, referrals
from services.matching.db.cluster_tables import ServicePoint
from services.matching.db.models import CandidateProfile, Offer, Referral, outbox
from services.matching.domain.access import parties
from services.matching.domain.catalogue import Viewer, referral_cluster
from services.matching.domain.referrals import (
    FORWARD,
    NEEDS_REASON,
    ReferralReasonCode,
    ReferralStatus,
    moves_of,
    next_statuses,
)
from services.matching.errors import (
    ConsentEnded,
    MoveNotAllowed,
    NoSeatsLeft,
    NotAReferrer,
    NotEligible,
    NotThisParty,
    OneTarget,
    ReasonCodeOnlyToEnd,
    ReasonRequired,
)
from services.matching.schemas.referrals import ReferralCreate, ReferralUpdate
from services.matching.service import adapters, outcomes, pathway_links, service_points
from shared import clock
from shared.auth import Principal
from shared.contracts import matching as contract
from shared.events import emit

S = ReferralStatus


async def page(
    session: AsyncSession, principal: Principal, **filters: Any
) -> tuple[list[Referral], str | None]:
    """One page of the referrals the caller may read (``db.referrals.page``'s filters)."""
    return await referrals.page(session, principal, **filters)


async def get_movable(
    session: AsyncSession, principal: Principal, referral_id: uuid.UUID
) -> Referral:
    """The referral, locked for a move, if the caller may read it."""
    return await referrals.get_readable(session, principal, referral_id, lock=True)


async def _publish(session: AsyncSession, referral: Referral) -> None:
    await emit(
        session,
        outbox,
        contract.REFERRAL_CHANGED,
        contract.ReferralChanged(
            referral_id=referral.id,
            beneficiary_id=referral.beneficiary_id,
            offer_id=referral.offer_id,
            service_point_id=referral.service_point_id,
            organization_id=referral.organization_id,
            provider_organization_id=referral.provider_organization_id,
            cluster_id=referral.cluster_id,
            pathway_id=referral.pathway_id,
            action_id=referral.action_id,
            status=referral.status,
            reason_code=referral.reason_code,
        ),
        source="matching",
    )


async def _card(
    intake: IntakeClient, profile: CandidateProfile, wanted: set[str]
) -> dict[str, Any]:
    """The provider's card: identity, language levels and the skills the target asks for (none
    for a service point)."""
    identity = await intake.card(profile.beneficiary_id)
    return {
        **identity,
        "languages": profile.profile.get("languages", []),
        "relevant_skills": [
            skill for skill in profile.profile.get("skills", []) if skill.get("uri") in wanted
        ],
    }


def _check_eligible(profile: CandidateProfile, offer: Offer) -> None:
    reasons = adapters.exclusions(profile, offer, clock.today())
    if reasons:
        raise NotEligible(reasons)


# (who sees the catalogue, the person's read model, the offer) -> (score, explanation)
Matched = Callable[[Viewer, CandidateProfile, Offer], Awaitable[tuple[float, dict[str, Any]]]]


async def propose(
    session: AsyncSession,
    principal: Principal,
    body: ReferralCreate,
    intake: IntakeClient,
    pathways: PathwaysClient,
    matched: Matched | None = None,
) -> Referral:
    """``matched``: explains the pair (``explanations.explain_pair`` with the service's indexes),
    kept with a referral to an offer as it was proposed."""
    if not principal.works_on_cases:
        raise NotAReferrer()
    if (body.offer_id is None) == (body.service_point_id is None):
        raise OneTarget()
    profile = await people.get_consented(session, principal, body.beneficiary_id, erased_too=True)
    await pathway_links.check(session, principal, body, pathways)
    target: Offer | ServicePoint
    if body.offer_id is not None:
        seen_by = await offers.viewer(session, principal)
        target = await offers.get_referable(session, principal, body.offer_id, seen_by)
        _check_eligible(profile, target)
        wanted = set(target.required_skills) | set(target.preferred_skills)
        cluster_id = referral_cluster(target.cluster_ids, seen_by.cluster_ids)
        score, match = await matched(seen_by, profile, target) if matched else (None, None)
    else:
        assert body.service_point_id is not None
        target = await service_points.get_referable(session, principal, body.service_point_id)
        wanted = set()
        cluster_id = await service_points.shared_cluster(session, principal, target)
        score, match = None, None
    moment = clock.now()
    referral = Referral(
        id=uuid.uuid4(),
        beneficiary_id=body.beneficiary_id,
        offer_id=body.offer_id,
        service_point_id=body.service_point_id,
        cluster_id=cluster_id,
        organization_id=principal.organization_id,
        provider_organization_id=target.organization_id,
        pathway_id=body.pathway_id,
        action_id=body.action_id,
        status=S.PROPOSED.value,
        note=body.note,
        score=score,
        match=match,
        person_card=await _card(intake, profile, wanted),
        history=[{"status": S.PROPOSED.value, "at": moment.isoformat(), "by": principal.subject}],
        created_by=principal.subject,
        created_at=moment,
        updated_at=moment,
    )
    await referrals.add(session, referral)
    referral.card_visible = True  # consent and view were checked in this transaction
    await _publish(session, referral)
    return referral


async def move(
    session: AsyncSession, principal: Principal, referral: Referral, body: ReferralUpdate
) -> None:
    old, new = S(referral.status), body.status
    to_point = referral.service_point_id is not None
    moves = moves_of(to_point)
    # A party that may never make a referral ``new`` is refused as such whatever its status now,
    # so that its answer does not depend on who moved the referral a moment before.
    movers = frozenset().union(*(who for (_, to), who in moves.items() if to == new))
    mine = parties(principal, referral.organization_id, referral.provider_organization_id)
    if movers and not mine & movers:
        raise NotThisParty(movers)
    allowed = moves.get((old, new))
    if allowed is None:
        raise MoveNotAllowed(old.value, new.value, next_statuses(old, to_service_point=to_point))
    if not mine & allowed:
        raise NotThisParty(allowed)
    code = ReferralReasonCode(body.reason_code) if body.reason_code is not None else None
    if new in NEEDS_REASON and (body.reason is None and code is None):
        raise ReasonRequired()
    if code is not None and new not in NEEDS_REASON:
        raise ReasonCodeOnlyToEnd()
    if code == ReferralReasonCode.OTHER and body.reason is None:
        raise ReasonRequired()
    if new in FORWARD and not referral.card_visible:
        raise ConsentEnded(
            allowed_statuses=next_statuses(old, backward_only=True, to_service_point=to_point)
        )
    await transition(
        session, referral, new, by=principal.subject, reason=body.reason, reason_code=code
    )


async def transition(
    session: AsyncSession,
    referral: Referral,
    new: S,
    *,
    by: str,
    reason: str | None = None,
    reason_code: ReferralReasonCode | None = None,
    entry: dict[str, Any] | None = None,
) -> None:
    """Every move's bookkeeping, whoever makes it: the seat (taken at enrolment, freed when an
    enrolled referral drops), the history (``entry`` adds to its line), the version, the event."""
    old = S(referral.status)
    if new == S.ENROLLED and (
        referral.offer_id is None or not await offers.take_seat(session, referral.offer_id)
    ):
        raise NoSeatsLeft()
    if old == S.ENROLLED and new == S.DROPPED and referral.offer_id is not None:
        await offers.free_seat(session, referral.offer_id)
    moment = clock.now()
    code = reason_code.value if reason_code is not None else None
    referral.status = new.value
    if new == S.ENROLLED:
        referral.enrolled_at = moment
    if new in (S.ACCEPTED, S.REJECTED) and referral.answered_at is None:
        referral.answered_at = moment
    referral.reason = reason
    referral.reason_code = code
    line = {"status": new.value, "at": moment.isoformat(), "by": by, "reason": reason}
    referral.history = [
        *referral.history,
        {**line, **({"reason_code": code} if code else {}), **(entry or {})},
    ]
    referral.version += 1
    referral.updated_at = moment
    await referrals.flush(session)
    await _publish(session, referral)
    if new == S.COMPLETED:
        await outcomes.completed(session, referral, by)


def as_read(referral: Referral, principal: Principal) -> dict[str, Any]:
    """The referral as ``principal`` may read it: the referrer's pathway and action are the
    referrer's (a provider that read them could name them in a referral of its own)."""
    referrer = referral.organization_id == principal.organization_id
    card = referral.card_visible is True  # not loaded: not shown
    return {
        "id": str(referral.id),
        "beneficiary_id": str(referral.beneficiary_id),
        "offer_id": str(referral.offer_id) if referral.offer_id else None,
        "service_point_id": str(referral.service_point_id) if referral.service_point_id else None,
        "organization_id": str(referral.organization_id),
        "provider_organization_id": str(referral.provider_organization_id),
        "cluster_id": str(referral.cluster_id) if referral.cluster_id else None,
        "pathway_id": str(referral.pathway_id) if referral.pathway_id and referrer else None,
        "action_id": str(referral.action_id) if referral.action_id and referrer else None,
        "status": referral.status,
        "reason": referral.reason,
        "reason_code": referral.reason_code,
        "note": referral.note if card else None,
        "score": referral.score,
        "match": referral.match if card else None,
        "person": referral.person_card if card else None,
        "history": referral.history,
        "created_at": referral.created_at.isoformat(),
        "updated_at": referral.updated_at.isoformat(),
    }
