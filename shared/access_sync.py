"""What a sync reads of the access mirror (``shared.access_mirror``): whom to tell that they may
no longer read a person's section, once, and nobody else.

Each mirror row keeps ``ended_access``: for every ``"<organisation>:<section>"`` that could read
the person until a change of the row, the transaction of that change. A reader is an
organisation that registered the person (every section) or held an unexpired grant naming the
section; one that regains it loses its entry. A sync tells an organisation the ends it has in
its run's range, and the expiries of its grants between the previous sync's moment and this
one's (an expiry writes nothing). So a partner is told when its own access ends, not when
someone else's changes, and an organisation that never read the section is told nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    Table,
    case,
    false,
    literal,
    select,
    union_all,
)

from shared.auth import Principal
from shared.sync import Run

SECTIONS = ("identity", "contact", "profile", "pathway")


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def readers(
    owner: uuid.UUID | str,
    grants: Iterable[Mapping[str, Any]],
    at: datetime,
    erased: bool = False,
) -> set[str]:
    """``"<organisation>:<section>"`` of every reader of the person at ``at``."""
    if erased:
        return set()
    found = {f"{owner}:{section}" for section in SECTIONS}
    for grant in grants:
        expires = grant.get("expires_at")
        if expires is not None and _moment(expires) <= at:
            continue
        found |= {f"{grant['organization_id']}:{section}" for section in grant["sections"]}
    return found


def ended_after(previous: Any, now_readers: set[str], xact: int) -> dict[str, int]:
    """The row's ``ended_access`` once its readers become ``now_readers`` in transaction
    ``xact``: who read it at its previous write (``previous``, the row, or None) and no longer
    does ends now; who reads it now has no end."""
    if previous is None:
        return {}
    ended = {key: int(value) for key, value in (previous.ended_access or {}).items()}
    before = readers(
        previous.owner_organization_id, previous.grants, previous.updated_at, previous.erased
    )
    for key in before - now_readers:
        ended[key] = xact
    for key in now_readers:
        ended.pop(key, None)
    return ended


def lost_people(
    access: Table, grants: Table, principal: Principal, section: str, run: Run, now: datetime
) -> Select[tuple[int, uuid.UUID, bool, uuid.UUID | None]]:
    """``(key, beneficiary_id, erased, merged_into)`` of the people whose ``section`` the caller's
    organisation read and may no longer, told in a sync ``run``: an end in the run's range (a
    consent withdrawn, a case transferred, an erasure, a merge), or a grant of the organisation
    naming the section that expired since the previous sync (at the run's end). ``merged_into``
    only when the caller may read the survivor."""
    from shared.access_mirror import visible_condition  # the mirror's rule, one definition

    org = principal.organization_id
    if org is None or not principal.works_on_cases:
        return select(
            access.c.sync_xact, access.c.beneficiary_id, access.c.erased, access.c.merged_into
        ).where(false())
    gone = ~visible_condition(access, grants, access.c.beneficiary_id, principal, section, now)
    survivor = access.alias("survivor")
    merged_into = case(
        (
            visible_condition(survivor, grants, access.c.merged_into, principal, section, now),
            access.c.merged_into,
        ),
        else_=None,
    ).label("merged_into")
    key = f"{org}:{section}"
    ended_at: ColumnElement[int] = access.c.ended_access[key].as_integer()
    ended = select(
        ended_at.label("key"), access.c.beneficiary_id.label("id"), access.c.erased, merged_into
    ).where(
        access.c.sync_xact >= run.since.xact,  # written at its end or since
        access.c.ended_access.has_key(key),
        ended_at >= run.since.xact,
        ended_at < run.until.xact,
        gone,
    )
    expired_ids = select(grants.c.beneficiary_id).where(
        grants.c.organization_id == org,
        grants.c.sections.contains([section]),
        run.expired(grants.c.expires_at),
    )
    expired = select(
        literal(run.until.xact, BigInteger).label("key"),
        access.c.beneficiary_id.label("id"),
        access.c.erased,
        merged_into,
    ).where(access.c.beneficiary_id.in_(expired_ids), gone)
    return union_all(ended, expired)  # type: ignore[return-value]
