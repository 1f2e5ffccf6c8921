"""The engine's in-memory indexes in a service process, kept in step with the database.

- The taxonomy: loaded from matching's ESCO tables, reloaded when a new import lands.
- The open offers (``OfferIndex``) and the people with consent to matching (``PersonIndex``):
  each rebuilt when its row of ``index_revision`` moves (bumped in the transaction of every
  change the index reads: offers' writes; intake's and pathways' events; a territory import or
  resolution, since both hold territory chains).

An index of up to ``INLINE_REBUILD_ROWS`` offers or people (a rebuild of well under a second) is
rebuilt in the request that finds it stale, so a cluster of a couple of thousand people always
reads fresh data. Larger ones (50,000 offers, 100,000 people: seconds) are rebuilt in the
background while requests keep reading the previous index; the choice goes by size, not by
measured time, so that it does not change with the machine's load. Every offer or person an
index yields is re-read live (seats, status, visibility, consent, profile) before it is shown,
so a lagging index can delay a new match, never show a wrong one. Both indexes are built when
the service starts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.matching.db import indexes as revisions
from services.matching.db import offers as offers_repository
from services.matching.db import people as people_repository
from services.matching.db import places as places_repository
from services.matching.db.taxonomy_read import load_taxonomy, taxonomy_stamp
from services.matching.domain.candidates import PersonIndex
from services.matching.domain.ranker import OfferIndex
from services.matching.domain.taxonomy import Taxonomy
from services.matching.service import adapters
from shared import heap
from shared.logging import get_logger
from shared.worker import cancel_and_wait

INLINE_REBUILD_ROWS = 2_000
T = TypeVar("T")
log = get_logger("ponte.matching.indexes")


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
class Built(Generic[T]):
    value: T
    revision: tuple[Any, ...]
    rows: int


class Kept(Generic[T]):
    """One index and the revision of the data it was built from."""

    def __init__(
        self, name: str, build: Callable[[AsyncSession | None], Awaitable[tuple[T, int]]]
    ) -> None:
        self._name = name
        self._build = build
        self._built: Built[T] | None = None
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None

    async def get(self, revision: tuple[Any, ...], session: AsyncSession) -> T:
        """The index at ``revision``. A small one is rebuilt inline with the caller's own session:
        the callers waiting on the lock each hold a connection, and a build that needed one more
        could find the pool empty and wait with them until the pool's timeout (seen: six
        concurrent candidate lists on a pool of six, every one a 500 after 30 s)."""
        current = self._built
        if current is not None and current.revision == revision:
            return current.value
        if current is None or current.rows <= INLINE_REBUILD_ROWS:
            async with self._lock:
                if self._built is None or self._built.revision != revision:
                    await self._rebuild(revision, session)
                assert self._built is not None
                return self._built.value
        if self._background is None or self._background.done():
            self._background = asyncio.create_task(self._rebuild_locked(revision))
        return current.value

    async def _rebuild_locked(self, revision: tuple[Any, ...]) -> None:
        """In the background, with a session of its own: nobody waits for it."""
        async with self._lock:
            if self._built is None or self._built.revision != revision:
                await self._rebuild(revision, None)

    async def _rebuild(self, revision: tuple[Any, ...], session: AsyncSession | None) -> None:
        started = time.perf_counter()
        value, rows = await self._build(session)
        self._built = Built(value, revision, rows)
        heap.settle()  # the index lives until a rebuild replaces it whole
        seconds = round(time.perf_counter() - started, 3)
        log.info("index_built", index=self._name, rows=rows, seconds=seconds)

    async def stop(self) -> None:
        await cancel_and_wait(self._background)


class Indexes:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._taxonomy_lock = asyncio.Lock()
        self._taxonomy: tuple[str | None, Taxonomy] | None = None
        self._offers: Kept[OfferIndex] = Kept(revisions.OFFERS, self._build_offers)
        self._people: Kept[PersonIndex] = Kept(revisions.PEOPLE, self._build_people)
        self._warming: asyncio.Task[None] | None = None

    async def _revision(self, session: AsyncSession, name: str) -> tuple[Any, ...]:
        return await revisions.revision_and_stamp(session, name)

    async def taxonomy(self, session: AsyncSession) -> Taxonomy:
        stamp = await taxonomy_stamp(session)
        if self._taxonomy is None or self._taxonomy[0] != stamp:
            async with self._taxonomy_lock:
                if self._taxonomy is None or self._taxonomy[0] != stamp:
                    self._taxonomy = (stamp, await load_taxonomy(session))
                    heap.settle()  # lives until the next import replaces it whole
        return self._taxonomy[1]

    async def offers(self, session: AsyncSession) -> OfferIndex:
        return await self._offers.get(await self._revision(session, revisions.OFFERS), session)

    async def people(self, session: AsyncSession) -> PersonIndex:
        return await self._people.get(await self._revision(session, revisions.PEOPLE), session)

    async def _build_offers(self, session: AsyncSession | None) -> tuple[OfferIndex, int]:
        if session is None:
            async with self._sessions() as own:
                return await self._build_offers(own)
        taxonomy = await self.taxonomy(session)
        rows = await offers_repository.open_columns(session)
        # the territory chains of the codes in use, once for the whole index
        places = await places_repository.of_codes(session, {r.territory_code for r in rows})
        offers = [adapters.offer(row, places) for row in rows]
        return await asyncio.to_thread(OfferIndex, offers, taxonomy), len(offers)

    async def _build_people(self, session: AsyncSession | None) -> tuple[PersonIndex, int]:
        if session is None:
            async with self._sessions() as own:
                return await self._build_people(own)
        taxonomy = await self.taxonomy(session)
        rows = await people_repository.all_consented(session)
        places = await places_repository.of_codes(session, {row[3] for row in rows})
        people = [
            adapters.person(row[0], row[1], row[2], places.get(row[3]) if row[3] else None, row[4])
            for row in rows
        ]
        return await asyncio.to_thread(PersonIndex, people, taxonomy), len(people)

    async def _warm(self) -> None:
        try:
            async with self._sessions() as session:
                await self.offers(session)
                await self.people(session)
        except Exception:  # a cold index is built by the first request instead
            log.exception("index_warm_up_failed")

    def warm(self) -> None:
        """Build both indexes in the background (at start-up)."""
        self._warming = asyncio.create_task(self._warm())

    async def stop(self) -> None:
        await cancel_and_wait(self._warming)
        await self._offers.stop()
        await self._people.stop()
