"""``domain/skill_gaps.py``: the nearest skill held, in ESCO's hierarchy, and the gaps of a pair."""

from __future__ import annotations

from collections import defaultdict

from services.matching.domain import explain
from services.matching.domain.eligibility import Offer, Person
from services.matching.domain.skill_gaps import MISSING_LISTED, TAUGHT_BY, gaps, nearest
from services.matching.domain.skillspace import SkillSpace
from tests.matching.engine_data import subset_taxonomy


def siblings() -> tuple[str, str, str]:
    """Two skills under the same broader concept, and a skill under another root."""
    taxonomy = subset_taxonomy()
    children: dict[str, list[str]] = defaultdict(list)
    for uri, parents in sorted(taxonomy.broader.items()):
        if uri in taxonomy.skills and taxonomy.skills[uri].type != "skill group":
            for parent in parents:
                children[parent].append(uri)
    parent, kids = next((p, k) for p, k in sorted(children.items()) if len(k) >= 2)
    mine = set(taxonomy.ancestors(kids[0])) | {kids[0]}
    far = next(
        uri
        for uri in sorted(taxonomy.broader)
        if uri in taxonomy.skills and not (set(taxonomy.ancestors(uri)) | {uri}) & mine
    )
    return kids[0], kids[1], far


def test_the_nearest_skill_is_a_sibling_and_nothing_far_is_near() -> None:
    taxonomy = subset_taxonomy()
    one, sibling, far = siblings()
    assert nearest(taxonomy, {sibling, far}, one) == sibling
    assert nearest(taxonomy, {far}, one) is None
    assert nearest(taxonomy, set(), one) is None
    assert nearest(taxonomy, {one}, one) is None  # held already: not a gap's neighbour


def test_gaps_list_the_most_specific_first_within_a_bound_and_never_the_offer_itself() -> None:
    taxonomy = subset_taxonomy()
    space = SkillSpace.of(taxonomy)
    required = sorted(u for u, s in taxonomy.skills.items() if s.type != "skill group")[:30]
    offer = Offer("job", "job", required_skills=frozenset(required))
    person = Person("p", skills=frozenset(required[:3]))
    who = explain.view(space, person)

    def teachers(uri: str) -> tuple[str, ...]:
        return ("job", "a", "b", "c", "d")

    found = gaps(space, who.held, lambda u: explain.credit_for(space, who, u), offer, teachers)
    assert found.matched == tuple(required[:3])
    lacking = [u for u in required if explain.credit_for(space, who, u) <= 0]
    assert found.missing_total == len(lacking)
    assert len(found.missing) == min(MISSING_LISTED, len(lacking))
    weights = [float(space.specificity[space.column[g.uri]]) for g in found.missing]
    assert weights == sorted(weights, reverse=True)
    for gap in found.missing:
        assert gap.taught_by == ("a", "b", "c")[:TAUGHT_BY]
        assert gap.uri not in person.skills
