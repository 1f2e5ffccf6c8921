"""Who may see whom, as SQL over matching's copy of intake's access decisions
(``shared.access_mirror``): the people the caller sees (``person_visible``), and when a referral
may still show the person, correlated on a referral's row, so that every read of a card
and every provider's move checks it in the same query as the referral itself.

A referral shows its card (name, contact, languages, skills) and the referrer's note, and may
move on, while both hold:
- the person's consent to matching is active (and the record is neither erased nor merged away);
- the referring organisation still sees the person's ``profile``: it registered them, or holds an
  unexpired grant of that section.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_

from services.matching.db.models import Referral, beneficiary_access, beneficiary_grant
from services.matching.domain.access import SECTION
from shared import clock
from shared.access_mirror import visible_condition
from shared.auth import Principal


def person_visible(principal: Principal, column: Any, now: datetime | None = None) -> Any:
    """The caller may see the person of ``column`` (their ``profile`` section, at ``now``)."""
    return visible_condition(
        beneficiary_access, beneficiary_grant, column, principal, SECTION, now or clock.now()
    )


def consent_active(beneficiary_id: Any) -> ColumnElement[bool]:
    access = beneficiary_access.c
    return exists().where(
        access.beneficiary_id == beneficiary_id,
        access.matching_consent.is_(True),
        access.erased.is_(False),
        access.merged_into.is_(None),
    )


def organisation_sees(
    beneficiary_id: Any, organization_id: Any, now: datetime
) -> ColumnElement[bool]:
    access, grant = beneficiary_access.c, beneficiary_grant.c
    owns = exists().where(
        access.beneficiary_id == beneficiary_id,
        access.owner_organization_id == organization_id,
        access.erased.is_(False),
    )
    granted = exists().where(
        grant.beneficiary_id == beneficiary_id,
        grant.organization_id == organization_id,
        grant.sections.contains([SECTION]),
        or_(grant.expires_at.is_(None), grant.expires_at > now),
    )
    return or_(owns, granted)


def card_allowed(now: datetime) -> ColumnElement[bool]:
    """True for a referral row whose person still consents and whose referrer still sees them."""
    return and_(
        consent_active(Referral.beneficiary_id),
        organisation_sees(Referral.beneficiary_id, Referral.organization_id, now),
    )
