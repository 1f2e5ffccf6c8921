"""Who is told what when a catalogue entry (an offer, a service point) changes: pure rules over
the organisations that read it before and after the change.

An entry readable by others (an open offer, an active point) is read by its owner and the members
of the clusters it is published to, or by every organisation when it is published to none
(``domain.clusters.published_to``); a draft, a closed or a deleted entry is announced to nobody.
Matching does not know every organisation (the gateway does), so a reader set is finite (these
organisations) or cofinite (every organisation but these): both are closed under the
intersection and the difference the announcements need.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Readers:
    """``everyone``: every organisation but ``ids``; otherwise exactly ``ids``."""

    everyone: bool
    ids: frozenset[uuid.UUID]

    @classmethod
    def only(cls, ids: Iterable[uuid.UUID]) -> Readers:
        return cls(False, frozenset(ids))

    @classmethod
    def all_but(cls, ids: Iterable[uuid.UUID] = ()) -> Readers:
        return cls(True, frozenset(ids))

    def __bool__(self) -> bool:
        """Anyone at all (every organisation but some counts as someone: the gateway finds out)."""
        return self.everyone or bool(self.ids)

    def __contains__(self, organization_id: object) -> bool:
        return (organization_id not in self.ids) if self.everyone else organization_id in self.ids

    def __and__(self, other: Readers) -> Readers:
        if self.everyone and other.everyone:
            return Readers.all_but(self.ids | other.ids)
        if self.everyone:
            return Readers.only(other.ids - self.ids)
        if other.everyone:
            return Readers.only(self.ids - other.ids)
        return Readers.only(self.ids & other.ids)

    def __sub__(self, other: Readers) -> Readers:
        if self.everyone and other.everyone:
            return Readers.only(other.ids - self.ids)
        if self.everyone:
            return Readers.all_but(self.ids | other.ids)
        if other.everyone:
            return Readers.only(self.ids & other.ids)
        return Readers.only(self.ids - other.ids)


NOBODY = Readers.only(())


def readers(
    readable_by_others: bool,
    owner: uuid.UUID,
    cluster_ids: Collection[uuid.UUID],
    members: Collection[uuid.UUID],
) -> Readers:
    """Who reads an entry: nobody while it is not readable by others (a draft, closed, deleted);
    else its owner and ``members`` (of its clusters, today), or everyone when it has none."""
    if not readable_by_others:
        return NOBODY
    if not cluster_ids:
        return Readers.all_but()
    return Readers.only({owner, *members})


class Announcement(StrEnum):
    PUBLISHED = "published"  # it became readable to them
    UPDATED = "updated"  # they read it before and after
    WITHDRAWN = "withdrawn"  # they read it until now (closed, back to a draft, deleted, unshared)


def announcements(before: Readers, after: Readers) -> list[tuple[Announcement, Readers]]:
    """Each organisation hears of a change once, and only of an entry it reads now or read until
    now: newcomers that it is published, those who keep it that it changed, those who lose it
    that it is withdrawn."""
    told = (
        (Announcement.PUBLISHED, after - before),
        (Announcement.UPDATED, after & before),
        (Announcement.WITHDRAWN, before - after),
    )
    return [(announcement, audience) for announcement, audience in told if audience]


def withdrawal_reason(deleted: bool, status: str, readable_by_others: bool) -> str:
    """Why the readers who lose an entry lose it: its deletion, its status (closed, draft) or,
    still readable by others, a change of its clusters."""
    if deleted:
        return "deleted"
    return "unshared" if readable_by_others else status
