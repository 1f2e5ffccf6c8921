"""Codes for the places named before territories existed (``... territories resolve``): each offer
and each person's read model with a municipality and no code gets the code of the one LAU with
that name; the others are listed for the operator, with the reason (no municipality has that
name, or several have: which)."""

from __future__ import annotations

import csv
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlalchemy.ext.asyncio import AsyncEngine

from services.matching.db import indexes, territory_resolution
from services.matching.domain.territories import NameResolution
from services.matching.service.territories import resolve
from shared.db import session_factory

OFFER = "offer"
PROFILE = "candidate_profile"
REPORT_COLUMNS = ("kind", "id", "municipality", "reason", "candidates")


@dataclass(frozen=True)
class Unresolved:
    kind: str
    id: uuid.UUID
    municipality: str
    resolution: NameResolution

    def row(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "id": str(self.id),
            "municipality": self.municipality,
            "reason": self.resolution.reason or "",
            "candidates": "; ".join(
                f"{place.code} ({place.name_latin}, in {place.parent_code})"
                for place in self.resolution.candidates
            ),
        }


@dataclass
class Report:
    resolved: dict[str, int] = field(default_factory=lambda: {OFFER: 0, PROFILE: 0})
    unresolved: list[Unresolved] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"resolved": self.resolved, "unresolved": len(self.unresolved)}


def write_csv(unresolved: Iterable[Unresolved], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=REPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(item.row() for item in unresolved)


async def resolve_missing(engine: AsyncEngine) -> Report:
    """One transaction: every code that can be read is written, the index revisions bumped."""
    report = Report()
    async with session_factory(engine)() as session, session.begin():
        offers = await territory_resolution.offers_without_code(session)
        people = await territory_resolution.profiles_without_code(session)
        rows = [(OFFER, row.id, row.municipality) for row in offers] + [
            (PROFILE, row.beneficiary_id, row.municipality) for row in people
        ]
        resolved = await resolve(session, [name for _kind, _id, name in rows])
        codes: dict[tuple[str, str], list[uuid.UUID]] = defaultdict(list)
        for kind, id_, name in rows:
            found = resolved[name]
            if found.code is None:
                report.unresolved.append(Unresolved(kind, id_, name, found))
            else:
                codes[(kind, found.code)].append(id_)
        for (kind, code), ids in sorted(codes.items()):
            write = (
                territory_resolution.set_offer_code
                if kind == OFFER
                else territory_resolution.set_profile_code
            )
            report.resolved[kind] += await write(session, ids, code)
        if report.resolved[OFFER]:
            await indexes.bump_revision(session, indexes.OFFERS)
        if report.resolved[PROFILE]:
            await indexes.bump_revision(session, indexes.PEOPLE)
    return report
