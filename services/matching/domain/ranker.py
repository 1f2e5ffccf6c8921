"""Ranking one person against every offer: ``OfferIndex``.

Built once from the offers and the taxonomy into arrays (CSR matrices of required and preferred
skills over the taxonomy's skill columns, dates, seats, age ranges, language requirements,
coordinates, types), so ``rank`` scores and tests eligibility for ALL offers with a handful of
vectorised operations and explains only the ``limit`` it returns. Equal scores go by the skill
fit, then the sooner start, then the offer id.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from numpy.typing import NDArray

from services.matching.domain import explain, places
from services.matching.domain import scoring as s
from services.matching.domain.eligibility import (
    NO_DATE,
    OFFER_TYPES,
    Offer,
    OfferRules,
    Person,
    exclusions,
)
from services.matching.domain.skill_gaps import TAUGHT_BY, Teachers
from services.matching.domain.skillspace import Matrix, SkillSpace, csr
from services.matching.domain.taxonomy import Taxonomy


def top(
    score: NDArray[np.float64],
    tie: NDArray[np.int64],
    keep: NDArray[np.bool_],
    limit: int,
    secondary: NDArray[np.float64] | None = None,
) -> NDArray[np.int64]:
    """Positions of the ``limit`` best kept scores, best first; equal scores by ``secondary``
    (the skill fit: the one that asks for what the person has), then by ``tie`` ascending; a
    partition first, so only the few near the top are sorted."""
    chosen = np.flatnonzero(keep)
    if limit <= 0 or chosen.size == 0:
        return np.zeros(0, dtype=np.int64)
    if chosen.size > limit:
        values = score[chosen]
        kth = np.partition(values, chosen.size - limit)[chosen.size - limit]
        chosen = chosen[values >= kth]
    second = np.zeros(chosen.size) if secondary is None else -secondary[chosen]
    order = np.lexsort((tie[chosen], second, -score[chosen]))
    return np.asarray(chosen[order[:limit]], dtype=np.int64)


def id_ranks(ids: Sequence[str]) -> NDArray[np.int64]:
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(len(ids))
    return ranks


class OfferIndex:
    def __init__(self, offers: Sequence[Offer], taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy  # lives as long as the index (the space holds it weakly)
        self.space = space = SkillSpace.of(taxonomy)
        self.offers = list(offers)
        self.position = {offer.id: number for number, offer in enumerate(self.offers)}
        self.rules = OfferRules(self.offers)
        # Columns: the taxonomy's, then any uri an offer names that the taxonomy lacks (a person
        # holding that exact uri still earns full credit for it).
        self.column = dict(space.column)
        for offer in self.offers:
            for uri in sorted(offer.required_skills | offer.preferred_skills):
                self.column.setdefault(uri, len(self.column))
        self.width = len(self.column)
        self.specificity = space.specificity_of(self.width)
        # offers x skills, each skill weighted by its specificity; the row sums are the totals
        self.required = self._weighted([o.required_skills for o in self.offers])
        self.preferred = self._weighted([o.preferred_skills for o in self.offers])
        self.n_required = np.asarray(self.required.sum(axis=1), dtype=np.float64).ravel()
        self.n_preferred = np.asarray(self.preferred.sum(axis=1), dtype=np.float64).ravel()
        # offers x skills, 1 where the offer lists the skill: what of a person it uses
        self.listed = sp.csr_matrix((self.required + self.preferred).astype(bool), dtype=np.float64)
        self.kind = np.array([OFFER_TYPES.index(o.type) for o in offers], dtype=np.int8)
        self.sector = np.array([s.sector_index(o.sector) for o in offers], dtype=np.int8)
        self._occupations()
        self._languages()
        self.place = s.radians(
            np.array([x.coordinates[0] if x.coordinates else np.nan for x in offers]),
            np.array([x.coordinates[1] if x.coordinates else np.nan for x in offers]),
        )
        self.towns: dict[str, int] = {}
        names = [explain.town(o.municipality) for o in offers]
        self.town = np.array(
            [-1 if n is None else self.towns.setdefault(n, len(self.towns)) for n in names],
            dtype=np.int32,
        )
        self.units = places.Units()
        self.territory, self.placed = places.unit_arrays(self.units, [o.place for o in offers])
        self._clusters()
        self.starts = np.array(
            [NO_DATE if o.starts_on is None else o.starts_on.toordinal() for o in offers],
            dtype=np.int64,
        )
        self.has_start = self.starts != NO_DATE
        # equal scores and skill fits: the sooner start first, then the id
        by_id = id_ranks([offer.id for offer in self.offers])
        self.tie = np.empty_like(by_id)
        self.tie[np.lexsort((by_id, self.starts))] = np.arange(by_id.size)
        # each taught skill's offers, the soonest to start first, then by id (skill_gaps)
        teaching: dict[str, list[int]] = {}
        for number, offer in enumerate(self.offers):
            for uri in offer.taught_skills:
                teaching.setdefault(uri, []).append(number)
        self.teaching = {
            uri: np.array(sorted(found, key=lambda n: self.tie[n]), dtype=np.int64)
            for uri, found in teaching.items()
        }

    def teachers_for(
        self,
        person: Person,
        today: date,
        allowed: NDArray[np.bool_] | None = None,
        eligible: NDArray[np.bool_] | None = None,
    ) -> Teachers:
        """The offers that teach a skill which the person may take (``eligible``: their mask,
        when already computed) and the caller sees (``allowed``; None: all)."""
        may_take = self.rules.mask(person, today) if eligible is None else eligible
        return self.teachers(may_take if allowed is None else may_take & allowed)

    def teachers(self, may_take: NDArray[np.bool_]) -> Teachers:
        """The offers that teach a skill among those ``may_take`` marks, the first few."""

        def teaching(uri: str) -> tuple[str, ...]:
            found = self.teaching.get(uri)
            if found is None:
                return ()
            kept = found[may_take[found]][: TAUGHT_BY + 1]  # one more: it may be the offer itself
            return tuple(self.offers[n].id for n in kept.tolist())

        return teaching

    def _clusters(self) -> None:
        """Who may see each offer (``domain/clusters.published_to``) as arrays: the offers
        published to every cluster, each offer's provider, and each cluster's offers."""
        self.everywhere = np.array([not o.cluster_ids for o in self.offers], dtype=bool)
        self.providers: dict[uuid.UUID | None, int] = {}
        providers = [o.organization_id for o in self.offers]
        self.provider = np.array(
            [self.providers.setdefault(p, len(self.providers)) for p in providers], dtype=np.int64
        )
        members: dict[uuid.UUID, list[int]] = {}
        for number, offer in enumerate(self.offers):
            for cluster in offer.cluster_ids:
                members.setdefault(cluster, []).append(number)
        self.in_cluster = {c: np.array(n, dtype=np.int64) for c, n in members.items()}

    def visible(
        self, organization_id: uuid.UUID | None, cluster_ids: Collection[uuid.UUID]
    ) -> NDArray[np.bool_]:
        """Which offers an organisation in ``cluster_ids`` sees: those published to every
        cluster, its own, and those published to one of its clusters (``published_to`` on
        every offer, in a few array operations)."""
        mask = self.everywhere.copy()
        if organization_id is not None and organization_id in self.providers:
            mask |= self.provider == self.providers[organization_id]
        for cluster in cluster_ids:
            found = self.in_cluster.get(cluster)
            if found is not None:
                mask[found] = True
        return mask

    def _weighted(self, skills: list[frozenset[str]]) -> Matrix:
        binary = csr([[self.column[u] for u in uris] for uris in skills], self.width)
        return sp.csr_matrix(binary.multiply(self.specificity[np.newaxis, :]))

    def _occupations(self) -> None:
        """Each offer's occupation as an id (-1 none; ids past the taxonomy's for uris it lacks)
        and its ISCO unit and minor groups (-1 none or unknown)."""
        space = self.space
        self.occupation_ids = dict(space.occupation)
        for offer in self.offers:
            if offer.occupation_uri:
                self.occupation_ids.setdefault(offer.occupation_uri, len(self.occupation_ids))
        self.occupation = np.array(
            [
                self.occupation_ids[o.occupation_uri] if o.occupation_uri else -1
                for o in self.offers
            ],
            dtype=np.int64,
        )
        self.inside = (self.occupation >= 0) & (self.occupation < len(space.occupation))
        known = np.where(self.inside, self.occupation, 0)
        self.isco4 = np.where(self.inside, space.isco4[known], -1)
        self.isco3 = np.where(self.inside, space.isco3[known], -1)

    def _languages(self) -> None:
        self.codes: dict[str, int] = {}
        rows: list[list[int]] = []
        target: list[int] = []
        for offer in self.offers:
            codes = list(offer.languages_of_instruction)
            if offer.min_language is not None:
                codes.append(offer.min_language[0])
            rows.append([self.codes.setdefault(code, len(self.codes)) for code in codes])
            first = offer.min_language[0] if offer.min_language else (codes[0] if codes else None)
            target.append(-1 if first is None else self.codes[first])
        self.instruction = csr(rows, len(self.codes) + 1)
        self.target = np.array(target, dtype=np.int64)
        self.course = (self.kind == OFFER_TYPES.index("language_course")) & (self.target >= 0)
        self.entry = self.rules.level

    def scores(self, person: Person, today: date, weights: s.Weights) -> NDArray[np.float64]:
        """The score of every offer for the person, eligible or not."""
        return s.total(weights, self.criteria(person, today))

    def criteria(self, person: Person, today: date) -> dict[str, NDArray[np.float64]]:
        """Every criterion of every offer for the person."""
        space = self.space
        own = [self.column[u] for u in person.skills if u in self.column]
        labelled = space.person_label_columns(person)
        credit, _ = space.person_credit(
            self.width,
            own,
            labelled,
            space.occupation_rows(person.desired_occupations | person.experience_occupations),
        )
        inside = space.held(own, labelled)
        held = np.zeros(self.width)  # the weight of each skill they hold, where an offer lists it
        held[own + labelled] = self.specificity[own + labelled]
        criteria = {
            "skills": s.skill_fit(
                self.required @ credit,
                self.n_required,
                self.preferred @ credit,
                self.n_preferred,
                self.listed @ held,
                space.held_weight(inside, person),
            ),
            "occupation": self._occupation_fit(person, inside),
            "language": self._language_fit(person),
            "distance": self._location_fit(person),
            "education": s.education_fit(
                -1 if person.education_level is None else person.education_level,
                self.rules.education,
            ),
            "priority": s.priority_fit(
                s.need_index(person.priority_need), self.kind, person.plans_business
            ),
            "start": s.start_fit(self.starts - today.toordinal(), self.has_start),
        }
        return criteria

    def _occupation_fit(self, person: Person, held: list[int]) -> NDArray[np.float64]:
        space = self.space

        def grade(uris: frozenset[str]) -> NDArray[np.int8]:
            """0 exact, 1 same ISCO unit group, 2 same minor group, 3 none; by lookup tables
            (the last slot of each, read by -1, stays False)."""
            exact = np.zeros(len(self.occupation_ids) + 1, dtype=bool)
            unit = np.zeros(space.group_count[0] + 1, dtype=bool)
            minor = np.zeros(space.group_count[1] + 1, dtype=bool)
            for uri in uris:
                if uri in self.occupation_ids:
                    exact[self.occupation_ids[uri]] = True
                if uri in space.occupation:
                    unit[space.isco4[space.occupation[uri]]] = True
                    minor[space.isco3[space.occupation[uri]]] = True
            result = np.full(len(self.offers), 3, dtype=np.int8)
            result[minor[self.isco3]] = 2
            result[unit[self.isco4]] = 1
            result[exact[self.occupation]] = 0
            return result

        declared = (self.occupation >= 0) & bool(
            person.desired_occupations or person.experience_occupations
        )
        inferred = np.full(len(self.offers), np.nan)
        affinity = space.inference.affinity(held)
        if affinity is not None:
            inferred[self.inside] = affinity[self.occupation[self.inside]]
        return s.occupation_fit(
            grade(person.desired_occupations),
            grade(person.experience_occupations),
            declared,
            inferred,
            s.sector_mask(person.desired_sectors)[self.sector],
        )

    def _language_fit(self, person: Person) -> NDArray[np.float64]:
        levels = np.zeros(len(self.codes) + 1, dtype=np.int8)
        for code, number in self.codes.items():
            levels[number] = explain.scoring_level(person, code)
        values = s.comfort(levels)[self.instruction.indices]
        comfort = np.full(len(self.offers), np.nan)
        starts = self.instruction.indptr[:-1]
        named = np.diff(self.instruction.indptr) > 0
        if values.size:
            comfort[named] = np.maximum.reduceat(values, starts[named])
        return s.language_fit(self.course, levels[self.target], self.entry, comfort)

    def _location_fit(self, person: Person) -> NDArray[np.float64]:
        if person.coordinates is not None:
            km = s.great_circle_km(s.radians(*person.coordinates), self.place)
        else:
            km = np.full(len(self.offers), np.nan)
        name = explain.town(person.municipality)
        mine = -1 if name is None else self.towns.get(name, len(self.towns))
        where = None if person.place is None else self.units.find(person.place)
        shared = places.grades(self.territory, self.placed, where)
        return s.location_fit(km, mine, self.town, shared)

    def rank(
        self,
        person: Person,
        today: date,
        *,
        weights: s.Weights | None = None,
        limit: int = 20,
        include_ineligible: bool = False,
        types: Collection[str] | None = None,
        allowed: NDArray[np.bool_] | None = None,
        explained: bool = True,
    ) -> list[s.Match]:
        """The best ``limit`` offers for the person, best first. With ``include_ineligible``,
        excluded offers are ranked among the others by the same score and flagged with the
        rules that exclude them (an operator sees what the person is missing). ``allowed``:
        the offers the caller may see (``visible``), None for all. Without ``explained``, the
        matches carry no explanation (``explain`` gives those the caller keeps)."""
        weights = weights or s.Weights()
        criteria = self.criteria(person, today)
        score = s.total(weights, criteria)
        eligible = self.rules.mask(person, today)
        keep = np.ones(len(self.offers), dtype=bool) if include_ineligible else eligible.copy()
        if types is not None:
            wanted = [OFFER_TYPES.index(t) for t in types if t in OFFER_TYPES]
            keep &= np.isin(self.kind, wanted)
        if allowed is not None:
            keep &= allowed
        chosen = top(score, self.tie, keep, limit, criteria["skills"])
        matches = [
            s.Match(
                offer_id=self.offers[number].id,
                score=float(score[number]),
                eligible=bool(eligible[number]),
                excluded_by=[]
                if eligible[number]
                else exclusions(person, self.offers[number], today),
            )
            for number in chosen.tolist()
        ]
        if explained:
            self.explain(person, today, weights, matches, allowed, eligible)
        return matches

    def explain(
        self,
        person: Person,
        today: date,
        weights: s.Weights,
        matches: Sequence[s.Match],
        allowed: NDArray[np.bool_] | None = None,
        eligible: NDArray[np.bool_] | None = None,
    ) -> None:
        """Fill in the explanation and the skill gaps of these matches of the person (the
        costly part of a ranking: done for the few shown, not for every offer ranked)."""
        who = explain.view(self.space, person)
        teachers = self.teachers_for(person, today, allowed, eligible)
        for match in matches:
            offer = self.offers[self.position[match.offer_id]]
            found = explain.criteria(self.space, who, offer, today)
            match.explanation = explain.explanation(weights, found)
            match.skills = explain.skill_gaps(self.space, who, offer, teachers)
