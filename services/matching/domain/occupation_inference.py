"""Which occupations a person's skills point to, read from ESCO's occupation-skill relations.

A person who lists "lay bricks", "mix mortar" and "read blueprints" is most likely a bricklayer,
whether or not they say so. Each occupation is a bag of skills (its essential skills count 1, its
optional ones ``OPTIONAL``); a person's skills are scored by how likely that bag is to have
produced them: the query likelihood of information retrieval with Dirichlet smoothing (Zhai and
Lafferty, 2004), where ``SMOOTHING`` lends every occupation a little of each skill's share over all
occupations, so one skill an occupation lacks lowers it without ruling it out. An occupation that
explains all of a person's skills beats one that shares many skills but not theirs, and a long
list of essential skills is no advantage (each skill's probability is its share of the list).

The *affinity* of an occupation, in [0, 1], is read from the posterior over occupations: its own
posterior relative to the most likely occupation's, and (``NEIGHBOURS``) its ISCO unit group's
posterior mass relative to the most likely group's, so the occupations of the same unit group as
the person's likely one get partial credit (neighbouring trades), ahead of occupations elsewhere
that share some skills. Only skills some occupation lists count as evidence; a person with none has
no affinity (NaN: the occupation criterion is then neutral).

Chosen on the tuning people of ``bench/free_text_ranking.py`` (seed 31): the query likelihood
ranked a person's own occupation first more often than the share of their skills an occupation
uses (MRR 0.82 against 0.75) and the group mass lifted graded nDCG@10 from 0.72 to 0.88.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from numpy.typing import NDArray

SMOOTHING = 1.0  # Dirichlet mu, in skills
OPTIONAL = 0.5  # an optional skill's weight in an occupation's bag (an essential one's: 1)
NEIGHBOURS = 0.5  # the unit group's share of an occupation's affinity
CHUNK = 2048  # people whose likelihoods over every occupation are held at once

Matrix = Any  # scipy.sparse matrices carry no types


class OccupationModel:
    """``essential``/``optional``: occupations x skills (binary); ``isco4``: each occupation's
    unit group number."""

    def __init__(self, essential: Matrix, optional: Matrix, isco4: NDArray[np.int32]) -> None:
        bags = sp.csr_matrix(essential + OPTIONAL * optional)
        share = np.asarray(bags.sum(axis=0), dtype=np.float64).ravel()
        self.informative = share > 0
        background = share / max(float(share.sum()), 1.0)
        # log P(s | o) = log(c + mu p_s) - log(T_o + mu) = log(mu p_s) + lift - penalty: the
        # first term is the same for every occupation, so the ranking reads lift - penalty.
        lift = bags.tocoo()
        lift.data = np.log1p(lift.data / (SMOOTHING * background[lift.col]))
        self.lift = sp.csr_matrix(lift)
        self.penalty = np.log(np.asarray(bags.sum(axis=1)).ravel() + SMOOTHING)
        self.isco4 = isco4
        count = int(isco4.max()) + 1 if isco4.size else 0
        self.members = sp.csr_matrix(
            (np.ones(isco4.size), (isco4, np.arange(isco4.size))), shape=(count, isco4.size)
        )
        self.size = bags.shape[1]

    def evidence(self, columns: list[int]) -> list[int]:
        return sorted({c for c in columns if c < self.size and self.informative[c]})

    def affinity(self, columns: list[int]) -> NDArray[np.float64] | None:
        """One person's affinity for every occupation, from the skill columns they hold; None
        when none of them is evidence."""
        held = self.evidence(columns)
        if not held:
            return None
        scores = np.asarray(self.lift[:, held].sum(axis=1)).ravel() - len(held) * self.penalty
        likely = np.exp(scores - scores.max())
        group = self.members @ likely
        return np.asarray(
            (likely + NEIGHBOURS * group[self.isco4] / group.max()) / (1 + NEIGHBOURS)
        )

    def normalisers(self, held: Matrix) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """For many people (``held``: skills x people, binary, evidence only): each one's best
        score and best unit-group mass, what ``affinity_of`` divides by."""
        people = held.shape[1]
        best = np.full(people, np.nan)
        best_group = np.full(people, np.nan)
        counts = np.asarray(held.sum(axis=0)).ravel()
        for start in range(0, people, CHUNK):
            part = slice(start, min(people, start + CHUNK))
            scores = (self.lift @ held[:, part]).toarray() - np.outer(self.penalty, counts[part])
            top = scores.max(axis=0)
            groups = self.members @ np.exp(scores - top)
            best[part] = np.where(counts[part] > 0, top, np.nan)
            best_group[part] = groups.max(axis=0)
        return best, best_group

    def affinity_of(
        self,
        occupation: int,
        held: Matrix,
        best: NDArray[np.float64],
        best_group: NDArray[np.float64],
    ) -> NDArray[np.float64]:
        """Everyone's affinity for one occupation (NaN for people with no evidence): the same
        number ``affinity`` gives each of them."""
        counts = np.asarray(held.sum(axis=0)).ravel()
        group = self.members[int(self.isco4[occupation])].indices
        rows = self.lift[group] @ held
        scores = rows.toarray() - np.outer(self.penalty[group], counts)
        likely = np.exp(scores - np.nan_to_num(best))
        own = likely[int(np.flatnonzero(group == occupation)[0])]
        mass = likely.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            found = (own + NEIGHBOURS * mass / best_group) / (1 + NEIGHBOURS)
        return np.where(np.isnan(best), np.nan, found)
