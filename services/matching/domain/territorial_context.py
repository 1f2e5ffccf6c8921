"""The territorial context of a person, as pure rules: where their reach stops, which service
points are nearest, and which needs nothing within reach answers (the gaps).

"Within reach" is the NUTS 3 region that holds the person's territory (a province, a Greek
periphery unit, Cyprus), every unit under it included: the scale a case worker sends someone
across for a permit desk or a course. Nearest first: a point in the person's own municipality,
then the one reached in the fewest minutes from its nearest public-transport hub (a point with no
minutes given comes after every timed one), then by name. Each need lists at most
``PER_NEED`` points, taken tier by tier in turns (low threshold, intermediate, structured) so that
a crowded tier never hides the next step of the gradual path.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.matching.domain.service_points import Tier

# The gradual path of the method: a first, unconditional contact; then guidance; then a programme.
TIERS: tuple[str, ...] = tuple(tier.value for tier in Tier)
REACH_LEVEL = 3  # NUTS 3
PER_NEED = 10


@dataclass(frozen=True)
class Unit:
    """A territory as the chain from ``db.territories.with_ancestors`` gives it."""

    code: str
    scheme: str
    level: int


@dataclass(frozen=True)
class Point:
    """What ranking needs to know of a service point."""

    id: uuid.UUID
    name: str
    tier: str
    territory_code: str
    need_domains: tuple[str, ...]
    transport_access: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Placed:
    """A point as proposed for a need: how near it is."""

    point: Point
    same_municipality: bool
    hub: str | None
    minutes: int | None


@dataclass
class NeedContext:
    domain: str
    assessed: bool
    tiers: dict[str, list[Placed]] = field(default_factory=dict)
    left_out: int = 0

    @property
    def answered(self) -> bool:
        return any(self.tiers.values())


def reach_root(chain: Sequence[Unit]) -> str | None:
    """The code of the NUTS 3 region holding the first unit of ``chain`` (the unit, then its
    parents); a region above NUTS 3 is its own reach. None for an empty chain."""
    for unit in chain:
        if unit.scheme == "nuts" and unit.level <= REACH_LEVEL:
            return unit.code
    return chain[-1].code if chain else None


def nearest_hub(transport_access: Iterable[Mapping[str, Any]]) -> tuple[str | None, int | None]:
    """The hub reached in the fewest minutes, and those minutes; (None, None) without any."""
    best: tuple[str | None, int | None] = (None, None)
    for entry in transport_access:
        minutes = entry.get("minutes")
        if not isinstance(minutes, int | float) or isinstance(minutes, bool) or minutes < 0:
            continue
        if best[1] is None or minutes < best[1]:
            hub = entry.get("hub")
            best = (str(hub) if hub is not None else None, int(minutes))
    return best


def place(point: Point, home_code: str) -> Placed:
    hub, minutes = nearest_hub(point.transport_access)
    return Placed(point, point.territory_code == home_code, hub, minutes)


def nearness(placed: Placed) -> tuple[bool, bool, int, str, str]:
    """The sort key: own municipality first, then timed before untimed, fewest minutes, name."""
    return (
        not placed.same_municipality,
        placed.minutes is None,
        placed.minutes or 0,
        placed.point.name.casefold(),
        str(placed.point.id),
    )


def _in_turns(ranked: dict[str, list[Placed]], limit: int) -> dict[str, list[Placed]]:
    """At most ``limit`` points, taken from each tier's nearest in turns."""
    kept: dict[str, list[Placed]] = {tier: [] for tier in TIERS}
    depth = 0
    total = 0
    while total < limit and any(depth < len(ranked[tier]) for tier in TIERS):
        for tier in TIERS:
            if depth < len(ranked[tier]) and total < limit:
                kept[tier].append(ranked[tier][depth])
                total += 1
        depth += 1
    return kept


def propose(
    points: Iterable[Point],
    home_code: str,
    assessed: Sequence[str],
    asked: Sequence[str] = (),
    limit: int = PER_NEED,
) -> list[NeedContext]:
    """For each need (the assessed ones, then the others asked for, each once), the points within
    reach that answer it, nearest first, grouped by tier."""
    placed = sorted((place(point, home_code) for point in points), key=nearness)
    needs = list(dict.fromkeys([*assessed, *asked]))
    contexts = []
    for domain in needs:
        ranked: dict[str, list[Placed]] = {tier: [] for tier in TIERS}
        for entry in placed:
            if domain in entry.point.need_domains and entry.point.tier in ranked:
                ranked[entry.point.tier].append(entry)
        kept = _in_turns(ranked, limit)
        found = sum(len(entries) for entries in ranked.values())
        shown = sum(len(entries) for entries in kept.values())
        contexts.append(NeedContext(domain, domain in assessed, kept, found - shown))
    return contexts


def gaps(contexts: Iterable[NeedContext]) -> list[str]:
    """The needs that no point within reach answers."""
    return [context.domain for context in contexts if not context.answered]
