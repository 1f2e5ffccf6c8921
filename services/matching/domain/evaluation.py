"""Is the ranker any good? A labelled set built from the real ESCO occupation-skill relations.

People: for a sampled occupation, a synthetic person holds 40-80% of its essential skills,
0-50% of its optional ones and 1-4 noise skills (random skills of other occupations). They
declare NO occupation, so the ranker must recognise them from skills alone (the occupation
criterion reads their skills against each offer's occupation), and no constraint applies
(everyone is eligible, in no place, with no language or date): the evaluation measures ranking
quality, not the rules. The people and offers come from the same ESCO relations the ranker reads:
the figures say how well the engine uses ESCO, not how well it matches real people.

Offers: per occupation, ``offers_per_occupation`` offers requiring 3-8 of its essential skills
and preferring 0-4 optional ones, with ``occupation_uri`` set.

Relevance of an offer to a person: 2 = an offer of the person's own occupation, 1 = of another
occupation in the same ISCO unit group (4 digits), 0 otherwise.

Metrics, averaged over people:
- nDCG@10 with gain 2^grade - 1 and the ideal order of all the person's grades;
- precision@5: the share of the first 5 with grade > 0 (own occupation or an ISCO neighbour);
- MRR: 1 / the rank of the first offer of the person's own occupation (grade 2), over the whole
  ranking.

The baseline ranks by Jaccard overlap of the person's raw skills with the offer's required and
preferred skills (no hierarchy, no occupations, no required/preferred distinction).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from services.matching.domain.eligibility import Offer, Person
from services.matching.domain.ranker import OfferIndex, id_ranks
from services.matching.domain.scoring import Weights
from services.matching.domain.skillspace import csr
from services.matching.domain.taxonomy import Taxonomy

TODAY = date(2027, 1, 1)
MIN_ESSENTIAL = 3  # occupations with fewer essential skills cannot make offers


@dataclass(frozen=True)
class Metrics:
    ndcg_at_10: float
    precision_at_5: float
    mrr: float


@dataclass(frozen=True)
class Report:
    ranker: Metrics
    jaccard: Metrics
    people: int
    offers: int


@dataclass(frozen=True)
class LabelledSet:
    people: list[Person]
    offers: list[Offer]
    occupation_of: dict[str, str]  # beneficiary id -> the occupation they were drawn from


Grades = Sequence[int] | NDArray[np.int8]


def ndcg_at_k(ranked: Grades, grades: Grades, k: int) -> float:
    """``ranked``: grades in ranked order; ``grades``: all the person's grades (for the ideal)."""
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    gain = (2.0 ** np.asarray(ranked[:k], dtype=np.float64)) - 1.0
    ideal = (2.0 ** np.sort(np.asarray(grades, dtype=np.float64))[::-1][:k]) - 1.0
    best = float(ideal @ discount[: ideal.size])
    return float(gain @ discount[: gain.size]) / best if best > 0 else 0.0


def precision_at_k(ranked: Grades, k: int) -> float:
    return sum(1 for grade in ranked[:k] if grade > 0) / k


def reciprocal_rank(ranked: Grades) -> float:
    for position, grade in enumerate(ranked, start=1):
        if grade == 2:
            return 1.0 / position
    return 0.0


def build_set(
    taxonomy: Taxonomy, *, people: int, offers_per_occupation: int, seed: int
) -> LabelledSet:
    rng = random.Random(seed)  # noqa: S311 - a reproducible synthetic set, not a secret
    occupations = sorted(
        uri for uri in taxonomy.occupations if len(taxonomy.essential.get(uri, ())) >= MIN_ESSENTIAL
    )
    pool = sorted(set().union(*(taxonomy.essential.get(u, frozenset()) for u in occupations)))
    offers = []
    for uri in occupations:
        essential = sorted(taxonomy.essential[uri])
        optional = sorted(taxonomy.optional.get(uri, ()))
        for number in range(offers_per_occupation):
            required = rng.sample(essential, min(len(essential), rng.randint(3, 8)))
            preferred = rng.sample(optional, min(len(optional), rng.randint(0, 4)))
            offers.append(
                Offer(
                    id=f"{uri.rsplit('/', 1)[-1]}-{number}",
                    type="job",
                    seats=1,
                    required_skills=frozenset(required),
                    preferred_skills=frozenset(preferred),
                    occupation_uri=uri,
                )
            )
    persons = []
    occupation_of = {}
    for number in range(people):
        uri = rng.choice(occupations)
        essential = sorted(taxonomy.essential[uri])
        optional = sorted(taxonomy.optional.get(uri, ()))
        skills = set(rng.sample(essential, max(1, round(len(essential) * rng.uniform(0.4, 0.8)))))
        skills |= set(rng.sample(optional, round(len(optional) * rng.uniform(0.0, 0.5))))
        skills |= set(rng.sample(pool, rng.randint(1, 4)))
        person_id = f"person-{number:06d}"
        persons.append(Person(beneficiary_id=person_id, skills=frozenset(skills)))
        occupation_of[person_id] = uri
    return LabelledSet(persons, offers, occupation_of)


def grades(taxonomy: Taxonomy, offers: Sequence[Offer], occupation: str) -> NDArray[np.int8]:
    neighbours = taxonomy.isco_neighbours(occupation)
    return np.array(
        [
            2 if o.occupation_uri == occupation else 1 if o.occupation_uri in neighbours else 0
            for o in offers
        ],
        dtype=np.int8,
    )


def evaluate(
    taxonomy: Taxonomy,
    *,
    people: int = 300,
    offers_per_occupation: int = 3,
    seed: int = 7,
    weights: Weights | None = None,
) -> Report:
    labelled = build_set(
        taxonomy, people=people, offers_per_occupation=offers_per_occupation, seed=seed
    )
    weights = weights or Weights()
    offers = labelled.offers
    index = OfferIndex(offers, taxonomy)
    tie = id_ranks([o.id for o in offers])
    jaccard = Jaccard(offers)
    found: dict[str, list[tuple[float, float, float]]] = {"ranker": [], "jaccard": []}
    for person in labelled.people:
        truth = grades(taxonomy, offers, labelled.occupation_of[person.beneficiary_id])
        for name, score in (
            ("ranker", index.scores(person, TODAY, weights)),
            ("jaccard", jaccard.scores(person)),
        ):
            ranked = truth[np.lexsort((tie, -score))].tolist()
            found[name].append(
                (ndcg_at_k(ranked, truth, 10), precision_at_k(ranked, 5), reciprocal_rank(ranked))
            )
    summary = {
        name: Metrics(*(round(float(v), 4) for v in np.mean(np.array(rows), axis=0)))
        for name, rows in found.items()
    }
    return Report(summary["ranker"], summary["jaccard"], len(labelled.people), len(offers))


class Jaccard:
    """|person's skills ∩ offer's skills| / |∪|, on raw uris."""

    def __init__(self, offers: Sequence[Offer]) -> None:
        self.column: dict[str, int] = {}
        rows = [
            [
                self.column.setdefault(u, len(self.column))
                for u in o.required_skills | o.preferred_skills
            ]
            for o in offers
        ]
        self.matrix = csr(rows, len(self.column))
        self.sizes = np.diff(self.matrix.indptr).astype(np.float64)

    def scores(self, person: Person) -> NDArray[np.float64]:
        held = np.zeros(len(self.column))
        held[[self.column[u] for u in person.skills if u in self.column]] = 1.0
        common = self.matrix @ held
        union = self.sizes + len(person.skills) - common
        return np.asarray(np.divide(common, union, out=np.zeros_like(common), where=union > 0))
