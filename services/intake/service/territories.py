"""Where people live, by territory code: a code given is checked against matching's territories
(422 naming the field when unknown, 503 with nothing stored when matching does not answer); and
``resolve_missing``, for the records named before codes existed, through the normal path of a
change (the history, then ``beneficiary.updated`` so matching's read model follows)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db import beneficiaries
from services.intake.domain.record import changes
from services.intake.service import versions
from shared.territory_client import TerritoryClient, Unresolved, unresolved

# Who the history names for the changes of ``resolve_missing``.
RESOLVER = "system:territories-resolve"


async def unknown_codes(matching: TerritoryClient, codes: dict[int, str]) -> dict[int, str]:
    """Of ``codes`` (key -> code), those naming no territory."""
    known = await matching.known_codes(codes.values()) if codes else set()
    return {key: code for key, code in codes.items() if code not in known}


@dataclass
class Report:
    resolved: int = 0
    unresolved: list[Unresolved] = field(default_factory=list)


async def resolve_missing(session: AsyncSession, matching: TerritoryClient) -> Report:
    """Every active record with a municipality and no code gets the code of the one municipality
    with that name (a new version, its history, ``beneficiary.updated``); the others are listed
    with the reason. In the caller's transaction."""
    rows = await beneficiaries.without_territory(session)
    resolution = await matching.resolve(row.municipality for row in rows if row.municipality)
    report = Report()
    for row in rows:
        left = unresolved(resolution, row.id, row.municipality or "")
        if left is not None:
            report.unresolved.append(left)
            continue
        code = resolution.codes[row.municipality or ""]
        assert code is not None
        before = dict(row.profile)
        after = {**before, "territory_code": code}
        versions.set_profile(row, after, RESOLVER)
        await session.flush()
        await versions.announce(session, row, RESOLVER, None, "updated", changes(before, after))
        report.resolved += 1
    return report
