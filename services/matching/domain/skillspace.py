"""The taxonomy as sparse matrices, and the partial credit a person earns for each skill.

A person's *credit* for a skill is in [0, 1]; an offer's skill fit is the mean credit over its
required skills (and, counting less, its preferred ones), each skill weighted by its
*specificity* (below). The credit is the highest of:

=====================  ======  ===========================================================
source                 credit  why
=====================  ======  ===========================================================
own skill              1.0     recorded with its ESCO uri
free-text label        0.8     the text is an ESCO label (any language imported, synonyms
                               and typos: ``domain.skill_resolution``); less sure than a
                               coded skill
essential to an        0.6     an essential skill of an occupation they worked in or desire:
occupation                     likely, not shown
broader, 1 level       0.5     the skill is a broader concept of one they have ("masonry" for
                               someone who lays bricks): part of it, not all
optional to an         0.3     an optional skill of such an occupation
occupation
broader, 2 levels      0.25    a concept two levels above one of theirs
=====================  ======  ===========================================================

Specificity: ``log(1 + occupations / occupations listing the skill)`` (an inverse document
frequency over the occupation-skill relations). "Communicate with customers", listed by hundreds
of occupations, says little about who fits an offer; "lay bricks" says a lot. A skill no
occupation lists (a skill group, a uri outside the taxonomy) gets the highest weight.

Built once per taxonomy (``SkillSpace.of``) and shared by the offer and person indexes, so
ranking one person and listing candidates for one offer give every pair the same score.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from numpy.typing import NDArray

from services.matching.domain.eligibility import Person
from services.matching.domain.occupation_inference import OccupationModel
from services.matching.domain.skill_resolution import resolver_of
from services.matching.domain.taxonomy import Taxonomy, normalise

OWN = 1.0
LABEL = 0.8
ESSENTIAL = 0.6
BROADER = 0.5
OPTIONAL = 0.3
BROADER_2 = 0.25
# Source codes, in ascending credit, so assigning them in this order keeps the highest.
NONE, FROM_BROADER_2, FROM_OPTIONAL, FROM_BROADER, FROM_ESSENTIAL, FROM_LABEL, FROM_OWN = range(7)
CREDIT = np.array([0.0, BROADER_2, OPTIONAL, BROADER, ESSENTIAL, LABEL, OWN])

# A scipy.sparse.csr_matrix; scipy ships no type information, so to mypy it is Any.
Matrix = Any


@dataclass(frozen=True)
class Source:
    code: int
    forward: list[NDArray[np.int32]]  # per item (a skill or an occupation): the skills it credits
    backward: Matrix  # skills x items: the items that credit a skill
    by_occupation: bool


def csr(rows: Sequence[Iterable[int]], width: int) -> Matrix:
    """A binary CSR matrix from the column lists of each row."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indices: list[int] = []
    for number, columns in enumerate(rows):
        indices.extend(sorted(set(columns)))
        indptr[number + 1] = len(indices)
    data = np.ones(len(indices), dtype=np.float64)
    return sp.csr_matrix(
        (data, np.array(indices, dtype=np.int64), indptr), shape=(len(rows), width)
    )


class SkillSpace:
    """Columns for every skill and skill group, rows for occupations, and the credit sources."""

    _cache: ClassVar[weakref.WeakKeyDictionary[Taxonomy, SkillSpace]] = weakref.WeakKeyDictionary()

    @property
    def taxonomy(self) -> Taxonomy:
        taxonomy = self._taxonomy()
        if taxonomy is None:
            raise RuntimeError("the taxonomy of this skill space is gone; keep it with the space")
        return taxonomy

    @classmethod
    def of(cls, taxonomy: Taxonomy) -> SkillSpace:
        if taxonomy not in cls._cache:
            cls._cache[taxonomy] = cls(taxonomy)
        return cls._cache[taxonomy]

    def __init__(self, taxonomy: Taxonomy) -> None:
        # Weakly: the cache's entry must not keep its own key alive (a strong reference would
        # keep every taxonomy an import replaced, and its space, for the life of the process).
        # Whoever holds a space holds its taxonomy too (the indexes keep both).
        self._taxonomy = weakref.ref(taxonomy)
        uris = set(taxonomy.skills) | set(taxonomy.broader)
        for parents in taxonomy.broader.values():
            uris |= parents
        for related in (taxonomy.essential, taxonomy.optional):
            for skills in related.values():
                uris |= skills
        self.uris = sorted(uris)
        self.column = {uri: number for number, uri in enumerate(self.uris)}
        self.size = len(self.uris)
        self.occupation_uris = sorted(taxonomy.occupations)
        self.occupation = {uri: number for number, uri in enumerate(self.occupation_uris)}
        groups4 = sorted({o.isco_group[:4] for o in taxonomy.occupations.values()})
        groups3 = sorted({o.isco_group[:3] for o in taxonomy.occupations.values()})
        self.isco4 = self._groups(groups4, 4)
        self.isco3 = self._groups(groups3, 3)
        self.group_count = (len(groups4), len(groups3))
        self.label_column = {
            text: self.column[uri] for text, uri in taxonomy.skill_by_label.items()
        }
        # Built here, with the index, off the event loop (a full ESCO language: a few seconds).
        self.resolver = resolver_of(taxonomy)
        parents1: list[list[int]] = []
        parents2: list[list[int]] = []
        for uri in self.uris:
            distance = taxonomy.ancestors_by_distance(uri)
            parents1.append([self.column[p] for p, d in distance.items() if d == 1])
            parents2.append([self.column[p] for p, d in distance.items() if d == 2])
        essential = self._related(taxonomy.essential)
        optional = self._related(taxonomy.optional)
        by_essential = self._source(FROM_ESSENTIAL, essential, True)
        # In code order: each source overwrites the lower ones (see person_credit).
        self.sources = [
            self._source(FROM_BROADER_2, csr(parents2, self.size), False),
            self._source(FROM_OPTIONAL, optional, True),
            self._source(FROM_BROADER, csr(parents1, self.size), False),
            by_essential,
        ]
        # each occupation's essential skill columns (explanations count those a person holds)
        self.essential_columns = by_essential.forward
        listed = np.asarray((essential + optional).astype(bool).sum(axis=0)).ravel()
        self.top_specificity = float(np.log1p(max(1, len(self.occupation_uris))))
        self.specificity = np.log1p(len(self.occupation_uris) / np.maximum(listed, 1))
        self.specificity[listed == 0] = self.top_specificity
        self.inference = OccupationModel(essential, optional, self.isco4)

    def _groups(self, groups: list[str], digits: int) -> NDArray[np.int32]:
        number = {code: index for index, code in enumerate(groups)}
        occupations = self.taxonomy.occupations
        return np.array(
            [number[occupations[uri].isco_group[:digits]] for uri in self.occupation_uris],
            dtype=np.int32,
        )

    def _related(self, relation: Mapping[str, frozenset[str]]) -> Matrix:
        return csr(
            [[self.column[s] for s in relation.get(uri, ())] for uri in self.occupation_uris],
            self.size,
        )

    @staticmethod
    def _source(code: int, forward: Matrix, by_occupation: bool) -> Source:
        rows = np.split(forward.indices.astype(np.int32), forward.indptr[1:-1])
        return Source(code, rows, sp.csr_matrix(forward.T), by_occupation)

    def specificity_of(self, width: int) -> NDArray[np.float64]:
        """Specificity of every column of an index ``width`` wide (columns past the taxonomy's
        are uris it lacks: the highest weight)."""
        extended = np.full(width, self.top_specificity)
        extended[: self.size] = self.specificity
        return extended

    def weight(self, uri: str) -> float:
        """One skill's specificity (a uri outside the taxonomy: the highest)."""
        column = self.column.get(uri)
        return self.top_specificity if column is None else float(self.specificity[column])

    def held_weight(self, columns: Iterable[int], person: Person) -> float:
        """The weight of everything a person holds: ``columns``, the taxonomy's they hold
        (``held``), and each coded uri outside the taxonomy, whether or not an offer names it."""
        outside = sum(1 for uri in person.skills if uri not in self.column)
        return float(self.specificity[list(columns)].sum()) + outside * self.top_specificity

    def skill_columns(self, uris: Iterable[str]) -> list[int]:
        return [self.column[uri] for uri in uris if uri in self.column]

    def read_label(self, text: str) -> tuple[str, float] | None:
        """The skill a free-text skill is read as, with the confidence: a label as it is, else
        as the resolver reads it (any imported language, synonyms, typos, punctuation, word
        order), when it is sure; None when it is not."""
        column = self.label_column.get(normalise(text))
        if column is not None:
            return self.uris[column], 1.0
        resolved = self.resolver.resolve(text).resolved
        if resolved is None or resolved.uri not in self.column:
            return None
        return resolved.uri, resolved.confidence

    def reading(self, person: Person) -> list[tuple[str, str | None, float | None]]:
        """(text, uri, confidence) of each free-text skill: as stored with the profile when it
        was read with this taxonomy (ranking then resolves nothing), else read now."""
        stored = person.skill_reading if person.reading_stamp == self.taxonomy.stamp else None
        read = []
        for text in person.skill_labels:
            if stored is not None and text in stored:
                uri, confidence = stored[text]
                if uri is None or uri in self.column:
                    read.append((text, uri, confidence))
                    continue
            found = self.read_label(text)
            read.append((text, *found) if found else (text, None, None))
        return read

    def person_label_columns(self, person: Person) -> list[int]:
        """The columns of a person's free-text skills (``reading``)."""
        return [self.column[uri] for _, uri, _ in self.reading(person) if uri is not None]

    def held(self, own: Iterable[int], labelled: Iterable[int]) -> list[int]:
        """The taxonomy's columns a person holds outright (coded or by a label), once each."""
        return sorted({column for column in (*own, *labelled) if column < self.size})

    def occupation_rows(self, uris: Iterable[str]) -> list[int]:
        return [self.occupation[uri] for uri in uris if uri in self.occupation]

    def person_credit(
        self,
        width: int,
        own: Sequence[int],
        labelled: Sequence[int],
        occupations: Sequence[int],
    ) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
        """One person's credit for every column (``width`` >= the taxonomy's columns: an index
        may add columns for uris outside the taxonomy) and the source of each credit."""
        source = np.zeros(width, dtype=np.int8)
        skills = [column for column in (*own, *labelled) if column < self.size]
        for item in self.sources:
            for row in occupations if item.by_occupation else skills:
                source[item.forward[row]] = item.code
        source[list(labelled)] = FROM_LABEL
        source[list(own)] = FROM_OWN
        return CREDIT[source], source
