"""The people who fit one offer: ``PersonIndex``, the mirror of ``OfferIndex``.

People's skills are sparse matrices (skills x people); for the few skills an offer's criteria read
(its required and preferred skills), each credit source
(own skills, labels, broader concepts, occupations) is one small sparse product that lists the
people it credits, so a query touches only the people holding something relevant. Every other
criterion is one array operation over all people. Scores equal ``OfferIndex``'s for the same pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from numpy.typing import NDArray

from services.matching.domain import explain, places
from services.matching.domain import scoring as s
from services.matching.domain import skillspace as k
from services.matching.domain.eligibility import (
    OFFER_TYPES,
    Offer,
    Person,
    PersonRules,
    exclusions,
    level_rank,
)
from services.matching.domain.ranker import id_ranks, top
from services.matching.domain.skill_gaps import Teachers, no_teachers
from services.matching.domain.skillspace import Matrix, SkillSpace, csr
from services.matching.domain.taxonomy import Taxonomy


class PersonIndex:
    def __init__(self, people: Sequence[Person], taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy  # lives as long as the index (the space holds it weakly)
        self.space = space = SkillSpace.of(taxonomy)
        self.people = list(people)
        size = len(self.people)
        self.rules = PersonRules(self.people)
        self.tie = id_ranks([p.beneficiary_id for p in self.people])
        self.column = dict(space.column)
        for person in self.people:
            for uri in sorted(person.skills):
                self.column.setdefault(uri, len(self.column))
        width = len(self.column)
        # skills x people: who holds each skill, who holds it by a free-text label, and who
        # holds a skill of the taxonomy by either (the items the broader sources start from).
        self.own = _transpose([[self.column[u] for u in p.skills] for p in people], width)
        self.labelled = _transpose([space.person_label_columns(p) for p in people], width)
        self.skilled = (self.own + self.labelled)[: space.size].tocsr()
        # what the two-sided skill fit and the occupation inference read: each person's own and
        # labelled skills once (the weights' sum), and the evidence among them
        self.held = sp.csr_matrix((self.own + self.labelled).astype(bool), dtype=np.float64)
        self.n_held = np.asarray(self.held.T @ space.specificity_of(width)).ravel()
        self.evidence = sp.csr_matrix(
            self.held[: space.size].multiply(space.inference.informative[:, None])
        )
        self.best, self.best_group = space.inference.normalisers(self.evidence)
        occupations = [
            space.occupation_rows(p.desired_occupations | p.experience_occupations) for p in people
        ]
        self.occupied = _transpose(occupations, len(space.occupation))
        self.occupation_ids = dict(space.occupation)
        for person in self.people:
            for uri in sorted(person.desired_occupations | person.experience_occupations):
                self.occupation_ids.setdefault(uri, len(self.occupation_ids))
        self.desired = self._groups([p.desired_occupations for p in people])
        self.experience = self._groups([p.experience_occupations for p in people])
        self.has_occupation = np.array(
            [bool(p.desired_occupations or p.experience_occupations) for p in people], dtype=bool
        )
        self.place = s.radians(
            np.array([x.coordinates[0] if x.coordinates else np.nan for x in people]),
            np.array([x.coordinates[1] if x.coordinates else np.nan for x in people]),
        )
        self.towns: dict[str, int] = {}
        names = [explain.town(p.municipality) for p in people]
        self.town = np.array(
            [-1 if n is None else self.towns.setdefault(n, len(self.towns)) for n in names],
            dtype=np.int32,
        )
        self.units = places.Units()
        self.territory, self.placed = places.unit_arrays(self.units, [p.place for p in people])
        self.education = np.where(self.rules.has_education, self.rules.education, -1)
        self.need = np.array([s.need_index(p.priority_need) for p in people], dtype=np.int8)
        self.business = np.array([p.plans_business for p in people], dtype=bool)
        # people x sections (and a last column of False, read for an offer of no sector)
        self.sectors = np.array(
            [s.sector_mask(p.desired_sectors) for p in people], dtype=bool
        ).reshape(size, len(s.SECTIONS) + 1)
        # everyone's scoring level in each language anyone speaks (-1 unknown, 0 none, 1..6)
        self._levels: dict[str, NDArray[np.int8]] = {}
        for number, person in enumerate(self.people):
            for code in person.languages:
                if code not in self._levels:
                    self._levels[code] = np.zeros(size, dtype=np.int8)
                self._levels[code][number] = explain.scoring_level(person, code)
        self._nobody = np.zeros(size, dtype=np.int8)

    def _groups(self, sets: Sequence[frozenset[str]]) -> tuple[Matrix, Matrix, Matrix]:
        """(occupation x people, ISCO unit group x people, ISCO minor group x people)."""
        space = self.space
        exact = [[self.occupation_ids[u] for u in uris] for uris in sets]
        known = [[space.occupation[u] for u in uris if u in space.occupation] for uris in sets]
        unit = [space.isco4[rows].tolist() for rows in known]
        minor = [space.isco3[rows].tolist() for rows in known]
        return (
            _transpose(exact, len(self.occupation_ids)),
            _transpose(unit, space.group_count[0]),
            _transpose(minor, space.group_count[1]),
        )

    def levels(self, code: str) -> NDArray[np.int8]:
        """Everyone's scoring level in a language (-1 unknown, 0 none, 1..6)."""
        return self._levels.get(code, self._nobody)

    def _credit(self, columns: NDArray[np.int64]) -> Matrix:
        """columns x people, sparse: each person's credit for each skill column (sorted: the
        taxonomy's first), the best source as in ``SkillSpace.person_credit``."""
        people = len(self.people)
        inside = int(np.searchsorted(columns, self.space.size))
        credit = sp.csr_matrix((columns.size, people))
        for item in self.space.sources if inside else ():
            holders = self.occupied if item.by_occupation else self.skilled
            reached = sp.csr_matrix(item.backward[columns[:inside]] @ holders)
            reached.resize((columns.size, people))
            credit = credit.maximum(_valued(reached, k.CREDIT[item.code]))
        for code, matrix in ((k.FROM_LABEL, self.labelled), (k.FROM_OWN, self.own)):
            credit = credit.maximum(_valued(matrix[columns], k.CREDIT[code]))
        return credit

    def _weighted(self, offer: Offer) -> tuple[Matrix, Matrix]:
        """Everyone's specificity-weighted credit summed over the offer's required skills and its
        preferred skills, and the weight of their own skills the offer lists (people x 3); and
        the weights' totals of the first two."""
        space = self.space
        groups = [offer.required_skills, offer.preferred_skills]
        columns = {self.column[u] for u in groups[0] | groups[1] if u in self.column}
        ordered = np.array(sorted(columns), dtype=np.int64)
        position = {column: row for row, column in enumerate(ordered.tolist())}
        weights = np.zeros((ordered.size, 3))
        totals = np.zeros(3)
        for kind, uris in enumerate(groups):
            for uri in uris:
                weight = space.weight(uri)
                totals[kind] += weight
                if uri in self.column:
                    weights[position[self.column[uri]], kind] = weight
                    weights[position[self.column[uri]], 2] = weight
        if ordered.size == 0:
            return np.zeros((len(self.people), 3)), totals
        sums = np.asarray(self._credit(ordered).T @ weights[:, :2])
        used = np.asarray(self.held[ordered].T @ weights[:, 2])
        return np.column_stack([sums, used]), totals

    def _occupation_fit(self, offer: Offer, occupation: int | None) -> NDArray[np.float64]:
        size = len(self.people)
        uri = offer.occupation_uri
        wanted = self.sectors[:, s.sector_index(offer.sector)]
        if not uri:
            return np.where(wanted, s.SECTOR_FIT, s.NEUTRAL)

        def grade(groups: tuple[Matrix, Matrix, Matrix]) -> NDArray[np.int8]:
            result = np.full(size, 3, dtype=np.int8)
            if occupation is not None:
                result[_row(groups[2], int(self.space.isco3[occupation]))] = 2
                result[_row(groups[1], int(self.space.isco4[occupation]))] = 1
            if uri in self.occupation_ids:
                result[_row(groups[0], self.occupation_ids[uri])] = 0
            return result

        inferred = np.full(size, np.nan)
        if occupation is not None:
            inferred = self.space.inference.affinity_of(
                occupation, self.evidence, self.best, self.best_group
            )
        return s.occupation_fit(
            grade(self.desired), grade(self.experience), self.has_occupation, inferred, wanted
        )

    def _language_fit(self, offer: Offer) -> NDArray[np.float64]:
        size = len(self.people)
        codes = list(offer.languages_of_instruction)
        if offer.min_language is not None:
            codes.append(offer.min_language[0])
        comfort = np.full(size, np.nan)
        for code in codes:
            comfort = np.fmax(comfort, s.comfort(self.levels(code)))
        first = offer.min_language[0] if offer.min_language else (codes[0] if codes else None)
        course = offer.type == "language_course" and first is not None
        target = self.levels(first) if first else self._nobody
        entry = level_rank(offer.min_language[1]) if offer.min_language else 0
        return s.language_fit(course, target, entry, comfort)

    def scores(self, offer: Offer, today: date, weights: s.Weights) -> NDArray[np.float64]:
        return np.broadcast_to(s.total(weights, self.criteria(offer, today)), (len(self.people),))

    def criteria(self, offer: Offer, today: date) -> dict[str, NDArray[np.float64]]:
        size = len(self.people)
        if offer.coordinates is not None:
            km = s.great_circle_km(self.place, s.radians(*offer.coordinates))
        else:
            km = np.full(size, np.nan)
        name = explain.town(offer.municipality)
        theirs = -1 if name is None else self.towns.get(name, len(self.towns))
        where = None if offer.place is None else self.units.find(offer.place)
        shared = places.grades(self.territory, self.placed, where)
        known = offer.starts_on is not None
        days = (offer.starts_on - today).days if offer.starts_on is not None else 0
        occupation = self.space.occupation.get(offer.occupation_uri or "")
        sums, totals = self._weighted(offer)
        criteria = {
            "skills": s.skill_fit(
                sums[:, 0], totals[0], sums[:, 1], totals[1], sums[:, 2], self.n_held
            ),
            "occupation": self._occupation_fit(offer, occupation),
            "language": self._language_fit(offer),
            "distance": s.location_fit(km, self.town, theirs, shared),
            "education": s.education_fit(
                self.education, -1 if offer.min_education is None else offer.min_education
            ),
            "priority": s.priority_fit(self.need, OFFER_TYPES.index(offer.type), self.business),
            "start": s.start_fit(days, known),
        }
        return {name: np.broadcast_to(value, (size,)) for name, value in criteria.items()}

    def candidates(
        self,
        offer: Offer,
        today: date,
        *,
        weights: s.Weights | None = None,
        limit: int = 20,
        include_ineligible: bool = False,
        teachers: Teachers = no_teachers,
    ) -> list[s.Candidate]:
        """The best ``limit`` people for the offer, best first, equal scores by the skill fit
        then the beneficiary id; the caller passes only people it may see and who consented to
        matching. ``teachers``: the offers that teach a skill (``OfferIndex.teachers``)."""
        weights = weights or s.Weights()
        criteria = self.criteria(offer, today)
        score = s.total(weights, criteria)
        eligible = self.rules.mask(offer, today)
        keep = np.ones(len(self.people), dtype=bool) if include_ineligible else eligible
        result = []
        for number in top(score, self.tie, keep, limit, criteria["skills"]).tolist():
            person = self.people[number]
            who = explain.view(self.space, person)
            found = explain.criteria(self.space, who, offer, today)
            result.append(
                s.Candidate(
                    beneficiary_id=person.beneficiary_id,
                    offer_id=offer.id,
                    score=float(score[number]),
                    eligible=bool(eligible[number]),
                    excluded_by=[] if eligible[number] else exclusions(person, offer, today),
                    explanation=explain.explanation(weights, found),
                    skills=explain.skill_gaps(self.space, who, offer, teachers),
                )
            )
        return result


def _transpose(rows: Sequence[Sequence[int]], width: int) -> Matrix:
    """items x people from each person's item list."""
    return sp.csr_matrix(csr(rows, width).T)


def _valued(pattern: Matrix, value: float) -> Matrix:
    """The sparsity pattern of ``pattern`` with every stored value set to ``value``."""
    result = sp.csr_matrix(pattern, copy=True)
    result.data[:] = value
    return result


def _row(matrix: Matrix, row: int) -> NDArray[np.int32]:
    return np.asarray(matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]])
