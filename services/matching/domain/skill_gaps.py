"""What would make an offer reachable, for one person: the offer's skills they hold, the required
ones they lack, for each the nearest skill they hold, and the offers that teach it.

- *Held* (``matched``): the offer's required, then preferred, skills the person holds outright (a
  coded skill, or free text the resolver read as that skill).
- *Missing*: the required skills they have no credit for at all (not even through a broader
  skill or an occupation: ``skillspace``), the most specific first (a skill few occupations list
  says most about the job), at most ``MISSING_LISTED`` of ``missing_total``.
- *Nearest*: of the skills they hold, the one closest to the missing one in ESCO's skill
  hierarchy (up to a shared broader concept and down again, at most ``NEAREST_STEPS`` steps:
  two is a sibling in the same group); ties by label. None when nothing they hold is that close.
- *Taught by*: up to ``TAUGHT_BY`` offers the caller sees and the person may take that list the
  skill among the skills they teach, the soonest to start first (then by id): the same for the
  same pair in matches and candidates, whatever else was ranked.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Collection
from dataclasses import dataclass

from services.matching.domain.eligibility import Offer
from services.matching.domain.skillspace import SkillSpace
from services.matching.domain.taxonomy import Taxonomy

MISSING_LISTED = 10
NEAREST_STEPS = 4
TAUGHT_BY = 3


@dataclass(frozen=True)
class Gap:
    uri: str
    nearest: str | None  # the held skill closest in the hierarchy
    taught_by: tuple[str, ...]  # offer ids


@dataclass(frozen=True)
class SkillGaps:
    matched: tuple[str, ...]
    missing: tuple[Gap, ...]
    missing_total: int


Teachers = Callable[[str], tuple[str, ...]]  # a skill's uri -> the offers that teach it


def no_teachers(_uri: str) -> tuple[str, ...]:
    return ()


_UP: weakref.WeakKeyDictionary[Taxonomy, dict[str, dict[str, int]]] = weakref.WeakKeyDictionary()


def _up(taxonomy: Taxonomy, uri: str) -> dict[str, int]:
    """The concept and its broader concepts with their distance (itself 0), remembered."""
    known = _UP.setdefault(taxonomy, {})
    found = known.get(uri)
    if found is None:
        found = {uri: 0, **taxonomy.ancestors_by_distance(uri)}
        if len(known) < 100_000:  # every ESCO skill fits; a bound all the same
            known[uri] = found
    return found


class Nearest:
    """The held skill nearest to a skill, for one person's held skills: each broader concept of
    theirs is indexed once with the held skill closest under it, so a lookup walks only the
    skill's own broader concepts (a person's matches ask for dozens)."""

    def __init__(self, taxonomy: Taxonomy, held: Collection[str]) -> None:
        self.taxonomy = taxonomy
        self.via: dict[str, tuple[int, str, str]] = {}  # concept -> (steps, label, held uri)
        for uri in held:
            label = taxonomy.label(uri)
            for concept, steps in _up(taxonomy, uri).items():
                key = (steps, label, uri)
                known = self.via.get(concept)
                if known is None or key < known:
                    self.via[concept] = key
        self.found: dict[str, str | None] = {}

    def __call__(self, uri: str) -> str | None:
        if uri not in self.found:
            best: tuple[int, str, str] | None = None
            for concept, steps in _up(self.taxonomy, uri).items():
                held = self.via.get(concept)
                if held is not None and held[2] != uri:
                    key = (steps + held[0], held[1], held[2])
                    if best is None or key < best:
                        best = key
            self.found[uri] = None if best is None or best[0] > NEAREST_STEPS else best[2]
        return self.found[uri]


def nearest(taxonomy: Taxonomy, held: Collection[str], uri: str) -> str | None:
    """The held skill nearest to ``uri`` in the hierarchy, within ``NEAREST_STEPS``."""
    return Nearest(taxonomy, [h for h in held if h != uri])(uri)


def gaps(
    space: SkillSpace,
    held: frozenset[str],
    credit: Callable[[str], float],
    offer: Offer,
    teachers: Teachers = no_teachers,
    near: Callable[[str], str | None] | None = None,
) -> SkillGaps:
    """``held``: the uris the person holds outright; ``credit``: their credit for a uri;
    ``near``: their ``Nearest`` (built here when not given)."""
    taxonomy = space.taxonomy
    near = near or Nearest(taxonomy, held)
    matched = [u for u in sorted(offer.required_skills) if u in held]
    matched += [u for u in sorted(offer.preferred_skills) if u in held]
    lacking = [u for u in offer.required_skills if credit(u) <= 0]
    lacking.sort(key=lambda uri: (-space.weight(uri), taxonomy.label(uri), uri))

    def taught(uri: str) -> tuple[str, ...]:
        return tuple(other for other in teachers(uri) if other != offer.id)[:TAUGHT_BY]

    missing = tuple(Gap(uri, near(uri), taught(uri)) for uri in lacking[:MISSING_LISTED])
    return SkillGaps(tuple(matched), missing, len(lacking))
