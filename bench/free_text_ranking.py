"""Suite ``ranking`` (``make eval``): how well Ponte ranks offers for people whose skills arrive as
free text, against Jaccard, TF-IDF and BM25, built only from the ESCO files in
``../shared/data/esco`` with fixed seeds.

The catalogue: ``--ranking-offers-per-occupation`` offers (default 2) for every ESCO occupation
with at least three essential skills (about 2,900 occupations, 5,800 offers). An offer requires
60-100% of its occupation's essential skills (all of them when ESCO lists more than 50) and
prefers up to five optional ones; it names its occupation, as an imported or a well-kept offer
does. So the catalogue holds, for any person, offers of other ISCO groups that share many of their
skills.

A person: an occupation drawn at random, three to six of its skills (an essential one with
probability 0.75, else an optional one), each written the way a case worker types it, one kind of
noise per skill, drawn at random: the preferred label, a synonym (an ESCO alternative label), the
preferred label with one typo (two past 12 letters), with punctuation and case changed, or with
its words in another order. Nothing else is recorded (no occupation, place, language, date): the
figures measure the skill and occupation evidence, not the rules.

Relevance: 2 for an offer of the person's occupation, 1 for an offer of another occupation in the
same ISCO unit group (four digits), 0 otherwise. Metrics per person, then averaged with a 95%
bootstrap interval (1,000 resamples of the people, seed 5): graded nDCG@10 (gain 2^grade - 1);
binary nDCG@10 (relevant = the person's own occupation); MRR (the first offer of their
occupation); Recall@10 (the share of their occupation's offers in the first ten).

Ties break on the offer id for every ranker alike. The baselines read the text: a person's text
against an offer's document (its occupation's preferred label and the preferred labels of its
skills), lower-cased words of letters and digits:

- Jaccard: |words shared| / |words of either|;
- TF-IDF: the cosine of sublinear tf x smoothed idf vectors;
- BM25: Okapi BM25 (k1 1.2, b 0.75), the person's words as the query.

"Ponte (concepts)" ranks the same people given the ESCO uris they were drawn from: the ceiling
that perfect resolution would reach. The weights of the score were chosen on the people of seed 31
(``--ranking-people``); the table is of other people, seed 32, held out.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from numpy.typing import NDArray

from bench.skill_resolution import CLASSIFICATION, ESCO, _punctuated, _typos
from services.matching.domain.eligibility import Offer, Person
from services.matching.domain.evaluation import TODAY, ndcg_at_k, reciprocal_rank
from services.matching.domain.ranker import OfferIndex, id_ranks
from services.matching.domain.scoring import Weights
from services.matching.domain.skill_resolution import LabelKind
from services.matching.domain.taxonomy import Taxonomy, load_csv

MIN_ESSENTIAL = 3
FULL_LIST = 50  # an occupation with more essential skills gives its offers all of them
NOISE = ("preferred", "synonym", "typo", "punctuation", "word_order")
TUNING_SEED, HELD_OUT_SEED, CATALOGUE_SEED, BOOTSTRAP_SEED = 31, 32, 30, 5
RESAMPLES = 1000
METRICS = ("graded nDCG@10", "binary nDCG@10", "MRR", "Recall@10")
WORD = re.compile(r"[a-z0-9]+")
RELATIONS = ESCO / "esco-v1.1.1-relations-csv.zip"


@dataclass(frozen=True)
class Drawn:
    """A person of the set: what they typed, the uris it came from, and their occupation."""

    texts: tuple[str, ...]
    uris: frozenset[str]
    occupation: str


def occupations(taxonomy: Taxonomy) -> list[str]:
    return sorted(
        uri for uri in taxonomy.occupations if len(taxonomy.essential.get(uri, ())) >= MIN_ESSENTIAL
    )


def catalogue(taxonomy: Taxonomy, per_occupation: int, seed: int) -> list[Offer]:
    rng = random.Random(seed)
    offers = []
    for uri in occupations(taxonomy):
        essential = sorted(taxonomy.essential[uri])
        optional = sorted(taxonomy.optional.get(uri, ()))
        for number in range(per_occupation):
            share = 1.0 if len(essential) > FULL_LIST else rng.uniform(0.6, 1.0)
            required = rng.sample(essential, max(MIN_ESSENTIAL, round(len(essential) * share)))
            preferred = rng.sample(optional, min(len(optional), rng.randint(0, 5)))
            offers.append(
                Offer(
                    id=f"{uri.rsplit('/', 1)[-1]}-{number}",
                    type="job",
                    required_skills=frozenset(required),
                    preferred_skills=frozenset(preferred),
                    occupation_uri=uri,
                )
            )
    return offers


class Texts:
    """The English preferred label and synonyms of every skill, and the noise a typist adds."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.preferred: dict[str, str] = {}
        self.synonyms: dict[str, list[str]] = defaultdict(list)
        for label in taxonomy.skill_labels:
            if label.language != "en":
                continue
            if label.kind == LabelKind.PREFERRED:
                self.preferred[label.uri] = label.text
            elif label.kind == LabelKind.ALTERNATIVE:
                self.synonyms[label.uri].append(label.text)

    def typed(self, uri: str, rng: random.Random) -> str:
        text = self.preferred[uri]
        kind = rng.choice(NOISE)
        if kind == "synonym" and self.synonyms[uri]:
            return rng.choice(self.synonyms[uri])
        if kind == "typo":
            return _typos(text, rng)
        if kind == "punctuation":
            return _punctuated(text, rng)
        if kind == "word_order" and len(text.split()) > 1:
            words = text.split()
            rng.shuffle(words)
            return " ".join(words)
        return text


def people(taxonomy: Taxonomy, texts: Texts, count: int, seed: int) -> list[Drawn]:
    rng = random.Random(seed)
    pool = [
        uri
        for uri in occupations(taxonomy)
        if sum(s in texts.preferred for s in taxonomy.essential[uri]) >= MIN_ESSENTIAL
    ]
    drawn: list[Drawn] = []
    while len(drawn) < count:
        occupation = rng.choice(pool)
        essential = sorted(s for s in taxonomy.essential[occupation] if s in texts.preferred)
        optional = sorted(s for s in taxonomy.optional.get(occupation, ()) if s in texts.preferred)
        chosen: set[str] = set()
        wanted = rng.randint(3, 6)
        while len(chosen) < min(wanted, len(essential) + len(optional)):
            side = essential if rng.random() < 0.75 or not optional else optional
            chosen.add(rng.choice(side))
        uris = sorted(chosen)
        typed = tuple(texts.typed(uri, rng) for uri in uris)
        drawn.append(Drawn(typed, frozenset(uris), occupation))
    return drawn


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


class TextBaselines:
    """Jaccard, TF-IDF and BM25 over each offer's document (see the module's docstring)."""

    K1, B = 1.2, 0.75

    def __init__(self, taxonomy: Taxonomy, offers: Sequence[Offer]) -> None:
        self.vocabulary: dict[str, int] = {}
        rows, cols, counts = [], [], []
        for number, offer in enumerate(offers):
            document = [taxonomy.label(offer.occupation_uri or "")]
            document += [taxonomy.label(u) for u in sorted(offer.required_skills)]
            document += [taxonomy.label(u) for u in sorted(offer.preferred_skills)]
            tally: dict[int, int] = defaultdict(int)
            for word in words(" ".join(document)):
                tally[self.vocabulary.setdefault(word, len(self.vocabulary))] += 1
            for column, count in tally.items():
                rows.append(number)
                cols.append(column)
                counts.append(count)
        shape = (len(offers), len(self.vocabulary) + 1)  # the last column: unknown words
        tf = sp.csr_matrix((np.array(counts, dtype=np.float64), (rows, cols)), shape=shape)
        n = len(offers)
        df = np.bincount(tf.indices, minlength=shape[1]).astype(np.float64)
        self.binary = tf.copy()
        self.binary.data[:] = 1.0
        self.sizes = np.asarray(self.binary.sum(axis=1)).ravel()
        self.idf = np.log((1 + n) / (1 + df)) + 1.0
        tfidf = tf.copy()
        tfidf.data = 1.0 + np.log(tfidf.data)
        tfidf = sp.csr_matrix(tfidf.multiply(self.idf[np.newaxis, :]))
        norms = np.sqrt(np.asarray(tfidf.multiply(tfidf).sum(axis=1)).ravel())
        self.tfidf = sp.csr_matrix(tfidf.multiply(1.0 / np.maximum(norms, 1e-12)[:, np.newaxis]))
        length = np.asarray(tf.sum(axis=1)).ravel()
        bm25_idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        bm25 = tf.tocoo()
        denominator = bm25.data + self.K1 * (1 - self.B + self.B * length[bm25.row] / length.mean())
        weighted = bm25_idf[bm25.col] * bm25.data * (self.K1 + 1) / denominator
        self.bm25 = sp.csr_matrix((weighted, (bm25.row, bm25.col)), shape=shape)

    def _query(self, texts: Sequence[str]) -> dict[int, int]:
        tally: dict[int, int] = defaultdict(int)
        unknown = len(self.vocabulary)
        for word in words(" ".join(texts)):
            tally[self.vocabulary.get(word, unknown)] += 1
        return tally

    def scores(self, texts: Sequence[str]) -> dict[str, NDArray[np.float64]]:
        query = self._query(texts)
        width = len(self.vocabulary) + 1
        present = np.zeros(width)
        present[list(query)] = 1.0
        shared = self.binary @ present
        union = self.sizes + len(query) - shared
        weights = np.zeros(width)
        for column, count in query.items():
            weights[column] = (1.0 + np.log(count)) * self.idf[column]
        weights /= max(float(np.linalg.norm(weights)), 1e-12)
        return {
            "Jaccard": np.divide(shared, union, out=np.zeros_like(shared), where=union > 0),
            "TF-IDF": np.asarray(self.tfidf @ weights),
            "BM25": np.asarray(self.bm25 @ present),
        }


def figures(
    score: NDArray[np.float64], tie: NDArray[np.int64], truth: NDArray[np.int8]
) -> list[float]:
    order = np.lexsort((tie, -score))
    ranked = truth[order]
    own = truth == 2
    binary = own.astype(np.int8)
    return [
        ndcg_at_k(ranked, truth, 10),
        ndcg_at_k(binary[order], binary, 10),
        reciprocal_rank(ranked),
        float((ranked[:10] == 2).sum() / max(1, int(own.sum()))),
    ]


def bootstrap(rows: NDArray[np.float64], seed: int) -> list[tuple[float, float, float]]:
    """Each column's mean with its 95% percentile interval over resampled people."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, rows.shape[0], size=(RESAMPLES, rows.shape[0]))
    means = rows[picks].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5], axis=0)
    return [
        (round(float(m), 3), round(float(lo), 3), round(float(hi), 3))
        for m, lo, hi in zip(rows.mean(axis=0), low, high, strict=True)
    ]


Ranker = Callable[[Drawn], NDArray[np.float64]]


def rankers(taxonomy: Taxonomy, offers: Sequence[Offer]) -> dict[str, Ranker]:
    index = OfferIndex(offers, taxonomy)
    text = TextBaselines(taxonomy, offers)
    memo: dict[int, dict[str, NDArray[np.float64]]] = {}

    def baseline(name: str) -> Ranker:
        def score(drawn: Drawn) -> NDArray[np.float64]:
            if id(drawn) not in memo:
                memo.clear()
                memo[id(drawn)] = text.scores(drawn.texts)
            return memo[id(drawn)][name]

        return score

    weights = Weights()
    return {
        "Ponte": lambda d: index.scores(Person("p", skill_labels=d.texts), TODAY, weights),
        "Jaccard": baseline("Jaccard"),
        "TF-IDF": baseline("TF-IDF"),
        "BM25": baseline("BM25"),
        "Ponte (concepts)": lambda d: index.scores(Person("p", skills=d.uris), TODAY, weights),
    }


def evaluate(
    taxonomy: Taxonomy, offers: Sequence[Offer], drawn: Sequence[Drawn]
) -> dict[str, list[tuple[float, float, float]]]:
    tie = id_ranks([o.id for o in offers])
    neighbours: dict[str, frozenset[str]] = {}
    found: dict[str, list[list[float]]] = defaultdict(list)
    occupation_of = np.array([o.occupation_uri for o in offers], dtype=object)
    methods = rankers(taxonomy, offers)
    for person in drawn:
        near = neighbours.setdefault(person.occupation, taxonomy.isco_neighbours(person.occupation))
        truth = np.where(
            occupation_of == person.occupation,
            2,
            np.isin(occupation_of, list(near)).astype(np.int8),
        ).astype(np.int8)
        for name, method in methods.items():
            found[name].append(figures(method(person), tie, truth))
    return {name: bootstrap(np.array(rows), BOOTSTRAP_SEED) for name, rows in found.items()}


def run(args: argparse.Namespace, _logs: Path) -> dict[str, Any]:
    started = time.perf_counter()
    taxonomy = load_csv(CLASSIFICATION, RELATIONS)
    offers = catalogue(taxonomy, args.ranking_offers_per_occupation, CATALOGUE_SEED)
    texts = Texts(taxonomy)
    held_out = people(taxonomy, texts, args.ranking_people, HELD_OUT_SEED)
    table = evaluate(taxonomy, offers, held_out)
    results: dict[str, Any] = {
        "set": {
            "offers": len(offers),
            "people (held out, seed 32)": len(held_out),
            "seconds": round(time.perf_counter() - started, 1),
        }
    }
    for name, values in table.items():
        results[name] = {
            metric: f"{mean:.3f} [{low:.3f}, {high:.3f}]"
            for metric, (mean, low, high) in zip(METRICS, values, strict=True)
        }
    return results


def config(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "people": args.ranking_people,
        "offers_per_occupation": args.ranking_offers_per_occupation,
        "source": f"{CLASSIFICATION.name}, {RELATIONS.name}",
    }
