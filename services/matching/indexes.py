"""The engine's in-memory indexes in a service process, kept in step with the database.

- The taxonomy: loaded from matching's ESCO tables, reloaded when a new import lands.
- The open offers (``OfferIndex``): rebuilt when the catalogue's revision moves (every offer
  create, change or delete bumps it in its own transaction). Seats are not part of the revision:
  enrolments would rebuild the index at every seat; the few offers a request returns are checked
  against their live seats instead.
- The people with consent to matching (``PersonIndex``): rebuilt in the background when older
  than ``people_ttl`` seconds. Profiles change with every intake event, so this index may lag by
  that much; every candidate it yields is re-read live (visibility, consent, profile) before it
  is shown, so a lag can delay a new candidate, never show a wrong one.

Builds run in a worker thread (numpy and scipy release the GIL for most of it), one at a time.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.matching import adapters
from services.matching.db.models import (
    CandidateProfile,
    Offer,
    OfferCatalogue,
    beneficiary_access,
)
from services.matching.db.taxonomy_read import load_taxonomy, taxonomy_stamp
from services.matching.domain.candidates import PersonIndex
from services.matching.domain.ranker import OfferIndex
from services.matching.domain.taxonomy import Taxonomy

CATALOGUE_ROW = 1
# The offer columns ranking reads (no descriptions: the index holds 50,000 offers).
OFFER_COLUMNS = (
    Offer.id,
    Offer.organization_id,
    Offer.type,
    Offer.title,
    Offer.status,
    Offer.municipality,
    Offer.latitude,
    Offer.longitude,
    Offer.starts_on,
    Offer.ends_on,
    Offer.seats,
    Offer.seats_taken,
    Offer.required_skills,
    Offer.preferred_skills,
    Offer.occupation_uri,
    Offer.min_language_code,
    Offer.min_language_level,
    Offer.min_education_level,
    Offer.age_min,
    Offer.age_max,
    Offer.permit_must_allow_work,
    Offer.languages_of_instruction,
)


async def bump_catalogue(session: AsyncSession) -> None:
    """Call in the transaction of any change to offers' ranking fields."""
    await session.execute(
        text(
            "INSERT INTO offer_catalogue (id, revision) VALUES (:id, 1) "
            "ON CONFLICT (id) DO UPDATE SET revision = offer_catalogue.revision + 1"
        ),
        {"id": CATALOGUE_ROW},
    )


def summary(row: Any) -> dict[str, Any]:
    """What a match shows of its offer."""
    return {
        "id": str(row.id),
        "type": row.type,
        "title": row.title,
        "organization_id": str(row.organization_id),
        "municipality": row.municipality,
        "starts_on": row.starts_on.isoformat() if row.starts_on else None,
        "ends_on": row.ends_on.isoformat() if row.ends_on else None,
        "seats": row.seats,
        "seats_left": max(0, row.seats - row.seats_taken),
    }


@dataclass(frozen=True)
class OfferCatalogueIndex:
    index: OfferIndex
    summaries: dict[str, dict[str, Any]]
    revision: tuple[Any, ...]


@dataclass(frozen=True)
class PeopleIndex:
    index: PersonIndex
    built_at: float
    seconds: float  # how long the build took


# A build this quick is redone in the request that finds the index stale (always fresh for a
# cluster of a few thousand people); slower ones are redone in the background.
INLINE_REBUILD_SECONDS = 0.25


class Indexes:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], people_ttl: float) -> None:
        self._sessions = sessions
        self._people_ttl = people_ttl
        self._lock = asyncio.Lock()
        self._taxonomy: tuple[str | None, Taxonomy] | None = None
        self._offers: OfferCatalogueIndex | None = None
        self._people: PeopleIndex | None = None
        self._people_refresh: asyncio.Task[None] | None = None

    async def _revision(self, session: AsyncSession) -> tuple[Any, ...]:
        revision = await session.scalar(
            select(OfferCatalogue.revision).where(OfferCatalogue.id == CATALOGUE_ROW)
        )
        return (revision or 0, await taxonomy_stamp(session))

    async def taxonomy(self, session: AsyncSession) -> Taxonomy:
        stamp = await taxonomy_stamp(session)
        if self._taxonomy is None or self._taxonomy[0] != stamp:
            async with self._lock:
                if self._taxonomy is None or self._taxonomy[0] != stamp:
                    self._taxonomy = (stamp, await load_taxonomy(session))
        return self._taxonomy[1]

    async def offers(self, session: AsyncSession) -> OfferCatalogueIndex:
        revision = await self._revision(session)
        current = self._offers
        if current is not None and current.revision == revision:
            return current
        taxonomy = await self.taxonomy(session)
        async with self._lock:
            current = self._offers
            if current is not None and current.revision == revision:
                return current
            rows = (
                await session.execute(
                    select(*OFFER_COLUMNS).where(Offer.status == "open").order_by(Offer.id)
                )
            ).all()
            offers = [adapters.offer(row) for row in rows]
            index = await asyncio.to_thread(OfferIndex, offers, taxonomy)
            self._offers = OfferCatalogueIndex(
                index, {str(row.id): summary(row) for row in rows}, revision
            )
            return self._offers

    async def people(self) -> PersonIndex:
        current = self._people
        if current is None:
            await self._build_people()
            assert self._people is not None
            return self._people.index
        if time.monotonic() - current.built_at <= self._people_ttl:
            return current.index
        if current.seconds <= INLINE_REBUILD_SECONDS:
            await self._build_people()
            assert self._people is not None
            return self._people.index
        if self._people_refresh is None or self._people_refresh.done():
            self._people_refresh = asyncio.create_task(self._build_people())
        return current.index

    async def _build_people(self) -> None:
        async with self._sessions() as session:
            taxonomy = await self.taxonomy(session)
            started = time.monotonic()
            rows = (
                await session.execute(
                    select(
                        CandidateProfile.beneficiary_id,
                        CandidateProfile.profile,
                        CandidateProfile.priority_need,
                    )
                    .join(
                        beneficiary_access,
                        beneficiary_access.c.beneficiary_id == CandidateProfile.beneficiary_id,
                    )
                    .where(
                        beneficiary_access.c.matching_consent.is_(True),
                        beneficiary_access.c.erased.is_(False),
                        beneficiary_access.c.merged_into.is_(None),
                    )
                    .order_by(CandidateProfile.beneficiary_id)
                )
            ).all()
        people = [adapters.person(row[0], row[1], row[2]) for row in rows]
        index = await asyncio.to_thread(PersonIndex, people, taxonomy)
        self._people = PeopleIndex(index, started, time.monotonic() - started)


def today() -> date:
    return datetime.now(UTC).date()
