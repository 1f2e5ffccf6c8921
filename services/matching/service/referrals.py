"""Referrals: a person proposed for an offer, followed to its end.

proposed -> accepted | rejected (by the provider, with a reason) | dropped (by the referrer)
accepted -> enrolled (the provider; takes a seat) | dropped
enrolled -> completed | dropped (frees the seat)

A proposal needs the person's consent to matching and an eligible person; seats are taken with
one conditional UPDATE, so concurrent enrolments never oversell. The provider sees only what
the referral needs (name, contact, language levels, the relevant skills), snapshotted from
intake when the referral is made. The card and the referrer's note show, and the provider moves
the referral on, only while the person's consent to matching and the referrer's view of them
hold (checked in the query that reads the referral: ``db.referral_access``); when either ends,
``withdrawals`` ends the referral and removes them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import with_expression

from services.matching.db.models import (
    CandidateProfile,
    Offer,
    Referral,
    beneficiary_access,
    beneficiary_grant,
    outbox,
)
from services.matching.db.referral_access import card_allowed
from services.matching.schemas.referrals import (
    ReferralCreate,
    ReferralReasonCode,
    ReferralStatus,
    ReferralUpdate,
)
from services.matching.service import adapters, pathway_links
from shared.access_mirror import visible_condition
from shared.auth import PROVIDER_ROLES, Principal
from shared.contracts import matching as contract
from shared.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Problem,
    ServiceUnavailable,
    UnprocessableContent,
)
from shared.events import emit

ACTIVE = ("proposed", "accepted", "enrolled")
S = ReferralStatus
# (from, to) -> who may make the move: "provider", "referrer" or both
MOVES: dict[tuple[S, S], frozenset[str]] = {
    (S.PROPOSED, S.ACCEPTED): frozenset({"provider"}),
    (S.PROPOSED, S.REJECTED): frozenset({"provider"}),
    (S.PROPOSED, S.DROPPED): frozenset({"referrer"}),
    (S.ACCEPTED, S.ENROLLED): frozenset({"provider"}),
    (S.ACCEPTED, S.DROPPED): frozenset({"provider", "referrer"}),
    (S.ENROLLED, S.COMPLETED): frozenset({"provider"}),
    (S.ENROLLED, S.DROPPED): frozenset({"provider", "referrer"}),
}
NEEDS_REASON = frozenset({S.REJECTED, S.DROPPED})
# The provider's moves forward, which need the person's consent and the referrer's view to hold.
FORWARD = frozenset({S.ACCEPTED, S.ENROLLED, S.COMPLETED})


class ConsentRequired(Problem):
    status, slug, title = 409, "consent-required", "The person has not consented to this"


class ConsentEnded(Problem):
    status, slug, title = 409, "consent-ended", "The consent this referral relied on has ended"


def now() -> datetime:
    return datetime.now(UTC)


def person_visible(principal: Principal, column: Any) -> Any:
    return visible_condition(
        beneficiary_access, beneficiary_grant, column, principal, "profile", now()
    )


def readable(principal: Principal) -> Select[Referral]:
    """The referrer's organisation (while it may see the person) and the provider's; each row
    with ``card_visible``."""
    as_referrer = and_(
        Referral.organization_id == principal.organization_id,
        person_visible(principal, Referral.beneficiary_id),
    )
    as_provider = and_(Referral.provider_organization_id == principal.organization_id)
    statement = select(Referral).options(
        with_expression(Referral.card_visible, card_allowed(now()))
    )
    if principal.organization_id is None:
        return statement.where(False)  # type: ignore[arg-type]
    conditions = []
    if principal.works_on_cases:
        conditions.append(as_referrer)
    if principal.acts_as(*PROVIDER_ROLES):
        conditions.append(as_provider)
    return statement.where(or_(*conditions)) if conditions else statement.where(False)  # type: ignore[arg-type]


async def get_readable(
    session: AsyncSession, principal: Principal, referral_id: uuid.UUID, *, lock: bool = False
) -> Referral:
    statement = readable(principal).where(Referral.id == referral_id)
    if lock:
        statement = statement.with_for_update(of=Referral)
    referral: Referral | None = await session.scalar(statement)
    if referral is None:
        raise NotFound("No such referral.")
    return referral


async def _publish(session: AsyncSession, referral: Referral) -> None:
    await emit(
        session,
        outbox,
        contract.REFERRAL_CHANGED,
        contract.ReferralChanged(
            referral_id=referral.id,
            beneficiary_id=referral.beneficiary_id,
            offer_id=referral.offer_id,
            organization_id=referral.organization_id,
            provider_organization_id=referral.provider_organization_id,
            pathway_id=referral.pathway_id,
            action_id=referral.action_id,
            status=referral.status,
            reason_code=referral.reason_code,
        ),
        source="matching",
    )


async def _card(
    http: httpx.AsyncClient, intake_url: str, token: str, profile: CandidateProfile, offer: Offer
) -> dict[str, Any]:
    try:
        answer = await http.get(
            f"{intake_url}/internal/beneficiaries/{profile.beneficiary_id}/card",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5.0,
        )
        answer.raise_for_status()
        identity: dict[str, Any] = answer.json()
    except (httpx.HTTPError, ValueError) as error:
        raise ServiceUnavailable(
            "The person's contact details cannot be fetched right now; try again."
        ) from error
    wanted = set(offer.required_skills) | set(offer.preferred_skills)
    return {
        **identity,
        "languages": profile.profile.get("languages", []),
        "relevant_skills": [
            skill for skill in profile.profile.get("skills", []) if skill.get("uri") in wanted
        ],
    }


async def propose(
    session: AsyncSession,
    principal: Principal,
    body: ReferralCreate,
    http: httpx.AsyncClient,
    intake_url: str,
    token: str,
    pathways_url: str,
) -> Referral:
    if not principal.works_on_cases:
        raise Forbidden("Your role does not refer people.")
    visible = await session.scalar(
        select(beneficiary_access.c.matching_consent).where(
            beneficiary_access.c.beneficiary_id == body.beneficiary_id,
            person_visible(principal, beneficiary_access.c.beneficiary_id),
        )
    )
    profile = await session.get(CandidateProfile, body.beneficiary_id)
    if visible is None or profile is None:
        raise NotFound("No such person.")
    if not visible:
        raise ConsentRequired(
            "The person has not consented to matching: record that consent first."
        )
    await pathway_links.check(session, principal, body, http, pathways_url, token)
    offer = await session.get(Offer, body.offer_id)
    if offer is None or (
        offer.status == "draft" and offer.organization_id != principal.organization_id
    ):
        raise NotFound("No such offer.")
    reasons = adapters.exclusions(profile, offer, now().date())
    if reasons:
        raise UnprocessableContent(
            "The person is not eligible for this offer.",
            errors=[
                FieldError(field="body.offer_id", message=reason, code="ineligible")
                for reason in reasons
            ],
            excluded_by=reasons,
        )
    moment = now()
    referral = Referral(
        id=uuid.uuid4(),
        beneficiary_id=body.beneficiary_id,
        offer_id=offer.id,
        organization_id=principal.organization_id,
        provider_organization_id=offer.organization_id,
        pathway_id=body.pathway_id,
        action_id=body.action_id,
        status=S.PROPOSED.value,
        note=body.note,
        person_card=await _card(http, intake_url, token, profile, offer),
        history=[{"status": S.PROPOSED.value, "at": moment.isoformat(), "by": principal.subject}],
        created_by=principal.subject,
        created_at=moment,
        updated_at=moment,
    )
    session.add(referral)
    try:
        await session.flush()
    except IntegrityError as error:
        raise Conflict("The person already has an active referral to this offer.") from error
    referral.card_visible = True  # consent and view were checked in this transaction
    await _publish(session, referral)
    return referral


async def move(
    session: AsyncSession, principal: Principal, referral: Referral, body: ReferralUpdate
) -> None:
    old, new = S(referral.status), body.status
    allowed = MOVES.get((old, new))
    if allowed is None:
        nexts = sorted(to.value for (frm, to) in MOVES if frm == old)
        raise Conflict(f"A referral {old.value} cannot become {new.value}.", allowed_statuses=nexts)
    roles = set()
    if referral.provider_organization_id == principal.organization_id and principal.acts_as(
        *PROVIDER_ROLES
    ):
        roles.add("provider")
    if referral.organization_id == principal.organization_id and principal.works_on_cases:
        roles.add("referrer")
    if not roles & allowed:
        raise Forbidden(f"Only the {' or '.join(sorted(allowed))} makes this move.")
    if new in NEEDS_REASON and body.reason is None:
        raise UnprocessableContent(
            "Say why.",
            errors=[FieldError(field="body.reason", message="is required", code="required")],
        )
    if new in FORWARD and not referral.card_visible:
        raise ConsentEnded(
            "The person's consent to matching, or the referring organisation's view of them, "
            "has ended: the referral can only be ended.",
            allowed_statuses=sorted(
                to.value for (frm, to) in MOVES if frm == old and to not in FORWARD
            ),
        )
    await transition(session, referral, new, by=principal.subject, reason=body.reason)


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
    if new == S.ENROLLED:
        taken = await session.execute(
            update(Offer)
            .where(Offer.id == referral.offer_id, Offer.seats_taken < Offer.seats)
            .values(seats_taken=Offer.seats_taken + 1)
            .returning(Offer.id)
        )
        if taken.first() is None:
            raise Conflict("No seats left on this offer.")
    if old == S.ENROLLED and new == S.DROPPED:
        await session.execute(
            update(Offer)
            .where(Offer.id == referral.offer_id)
            .values(seats_taken=Offer.seats_taken - 1)
        )
    moment = now()
    code = reason_code.value if reason_code is not None else None
    referral.status = new.value
    referral.reason = reason
    referral.reason_code = code
    line = {"status": new.value, "at": moment.isoformat(), "by": by, "reason": reason}
    referral.history = [
        *referral.history,
        {**line, **({"reason_code": code} if code else {}), **(entry or {})},
    ]
    referral.version += 1
    referral.updated_at = moment
    await session.flush()
    await _publish(session, referral)


def as_read(referral: Referral, principal: Principal) -> dict[str, Any]:
    """The referral as ``principal`` may read it: the referrer's pathway and action are the
    referrer's (a provider that read them could name them in a referral of its own)."""
    referrer = referral.organization_id == principal.organization_id
    card = referral.card_visible is True  # not loaded: not shown
    return {
        "id": str(referral.id),
        "beneficiary_id": str(referral.beneficiary_id),
        "offer_id": str(referral.offer_id),
        "organization_id": str(referral.organization_id),
        "provider_organization_id": str(referral.provider_organization_id),
        "pathway_id": str(referral.pathway_id) if referral.pathway_id and referrer else None,
        "action_id": str(referral.action_id) if referral.action_id and referrer else None,
        "status": referral.status,
        "reason": referral.reason,
        "reason_code": referral.reason_code,
        "note": referral.note if card else None,
        "score": referral.score,
        "person": referral.person_card if card else None,
        "history": referral.history,
        "created_at": referral.created_at.isoformat(),
        "updated_at": referral.updated_at.isoformat(),
    }
