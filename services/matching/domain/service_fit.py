"""A service point among a person's matches: the criteria of an offer that apply to a service
(the need it answers, how near it is, whether the person can be served in a language they
speak), the others neutral, so a service is explained as an offer is.

A service point has no seats, dates or entry rules: every point the caller sees that answers one
of the person's needs within their reach is open to them (``domain/territorial_context.py``
decides the reach). The priority need counts most: a point answering it scores 1 on that
criterion, one answering only another assessed need ``ANOTHER_NEED``.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.matching.domain import explain, places
from services.matching.domain import scoring as s
from services.matching.domain.eligibility import Person, language_name

ANOTHER_NEED = 0.6
NOT_APPLICABLE = "does not apply to a service point"


@dataclass(frozen=True)
class ServiceFacts:
    need_domains: tuple[str, ...]
    languages: tuple[str, ...]
    place: places.Place | None
    coordinates: tuple[float, float] | None


def criteria(person: Person, point: ServiceFacts) -> dict[str, tuple[float, str]]:
    unused = ("skills", "occupation", "education", "start")
    found: dict[str, tuple[float, str]] = dict.fromkeys(unused, (s.NEUTRAL, NOT_APPLICABLE))
    need = person.priority_need
    answered = ", ".join(point.need_domains)
    if need is not None and need in point.need_domains:
        found["priority"] = (1.0, f"answers the priority need '{need}'")
    elif need is None:
        found["priority"] = (s.NEUTRAL, f"answers {answered}; no priority need recorded")
    else:
        found["priority"] = (ANOTHER_NEED, f"answers {answered}, not the priority need '{need}'")
    if point.languages:
        levels = {code: explain.scoring_level(person, code) for code in point.languages}
        best = max(point.languages, key=lambda code: float(s.comfort(levels[code])))
        names = ", ".join(language_name(code) for code in point.languages)
        found["language"] = (
            float(s.comfort(levels[best])),
            f"serves in {names}; the person's best is {explain.level_words(levels[best])}",
        )
    else:
        found["language"] = (s.NEUTRAL, "no languages of service given")
    found["distance"] = explain.distance(person, point.place, point.coordinates, None)
    return found
