"""From what a case worker types to ESCO skills: free text in any language whose labels were
imported, resolved to concepts with a confidence, and the candidates when it is ambiguous.

A label and a text are compared by their *key*: accents and case folded, punctuation and
spacing dropped, each word's plural ending trimmed ("bricks", "welders") and the words sorted, so
"Bricks, laying." and "laying brick" have the same key. Then, best first:

1. the key is a label's key: confidence 1.0 for a preferred label, 0.95 for an alternative one
   (ESCO's synonyms), 0.9 for a hidden one (common misspellings ESCO keeps);
2. otherwise the labels that share most character trigrams with it are the shortlist, each
   scored by how alike the two are character by character (difflib's ratio, on the words in
   order and on the words sorted, spaces dropped: a typo, a missing space, words swapped), or by
   the Dice coefficient of their trigram sets where that is higher (a missing or an extra word),
   times the kind's weight above.

A text resolves to the best concept when its confidence reaches ``RESOLVED`` and no other concept
comes within ``MARGIN`` of it; below that it is ambiguous or unknown, and the candidates say what
it might be. Pure and in memory: one index per taxonomy (``resolver_of``), ~100,000 labels of a
language in a few tens of MB, a lookup in about a millisecond (numpy counts the shared trigrams).
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

# The confidence from which a text is taken to mean its best concept, and how far ahead of the
# next concept it must be (chosen on the resolution evaluation: ``bench/skill_resolution.py``).
RESOLVED = 0.75
MARGIN = 0.01
CANDIDATES = 5
SHORTLIST = 50  # labels rescored character by character
_CACHE = 4096  # texts remembered per resolver (profiles repeat the same few hundred)


class LabelKind(StrEnum):
    PREFERRED = "preferred"
    ALTERNATIVE = "alternative"
    HIDDEN = "hidden"


WEIGHT = {LabelKind.PREFERRED: 1.0, LabelKind.ALTERNATIVE: 0.95, LabelKind.HIDDEN: 0.9}


@dataclass(frozen=True)
class Label:
    uri: str
    text: str
    language: str
    kind: LabelKind


@dataclass(frozen=True)
class Candidate:
    uri: str
    label: str  # the label it was found by
    language: str
    confidence: float


@dataclass(frozen=True)
class Resolution:
    text: str
    resolved: Candidate | None  # None: unknown or ambiguous
    candidates: tuple[Candidate, ...]
    exact: bool = False  # the text's key is a label's key


def decide(
    candidates: Sequence[Candidate],
    exact: bool,
    threshold: float = RESOLVED,
    margin: float = MARGIN,
) -> Candidate | None:
    """The concept a text is taken to mean: the label it equals (by key), or the best candidate
    when it is sure enough and clearly ahead of the next one; None otherwise."""
    if not candidates:
        return None
    best = candidates[0]
    if exact:
        return best
    runner = candidates[1] if len(candidates) > 1 else None
    clear = runner is None or best.confidence - runner.confidence >= margin
    return best if best.confidence >= threshold and clear else None


_PUNCTUATION = re.compile(r"[^\w]+")


def _word(word: str) -> str:
    """A word without its plural ending: enough for en, es, fr ("-s", "-es"); the few Italian
    and Greek plurals it misses are left to the trigrams."""
    if len(word) > 4 and word.endswith("es"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """The words of a label or a text, folded (see the module's docstring), in order."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return [_word(w) for w in _PUNCTUATION.sub(" ", plain).replace("_", " ").split()]


def key(text: str) -> str:
    """The comparable form of a label or a text: its words sorted."""
    return " ".join(sorted(words(text)))


def _compact(text_words: list[str]) -> tuple[str, str]:
    """The words in order and sorted, spaces dropped: what ``_alike`` compares."""
    return "".join(text_words), "".join(sorted(text_words))


def _alike(text: tuple[str, str], label: tuple[str, str]) -> float:
    """How alike a text and a label are, character by character (their ``_compact`` forms)."""
    return max(
        SequenceMatcher(None, text[0], label[0], autojunk=False).ratio(),
        SequenceMatcher(None, text[1], label[1], autojunk=False).ratio(),
    )


def trigrams(text_key: str) -> set[str]:
    padded = f"  {text_key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class SkillResolver:
    def __init__(self, labels: Iterable[Label]) -> None:
        self._labels: list[Label] = []
        self._by_key: dict[str, list[int]] = {}  # the labels of each key, of the best kind
        self._compact: list[tuple[str, str]] = []  # each label's, computed once
        postings: dict[str, list[int]] = {}
        sizes: list[int] = []
        for label in labels:
            label_words = words(label.text)
            text_key = " ".join(sorted(label_words))
            if not text_key:
                continue
            index = len(self._labels)
            self._labels.append(label)
            self._compact.append(_compact(label_words))
            known = self._by_key.setdefault(text_key, [])
            weight = WEIGHT[label.kind]
            if not known or weight > WEIGHT[self._labels[known[0]].kind]:
                known[:] = [index]
            elif weight == WEIGHT[self._labels[known[0]].kind]:
                known.append(index)
            grams = trigrams(text_key)
            sizes.append(len(grams))
            for gram in grams:
                postings.setdefault(gram, []).append(index)
        self._postings = {gram: np.array(ids, dtype=np.int32) for gram, ids in postings.items()}
        self._sizes: NDArray[np.float64] = np.array(sizes, dtype=np.float64)
        self._cache: dict[tuple[str, tuple[str, ...] | None], Resolution] = {}

    def __len__(self) -> int:
        return len(self._labels)

    def resolve(self, text: str, languages: Sequence[str] | None = None) -> Resolution:
        """What ``text`` means, among the labels of ``languages`` (every language when None)."""
        wanted = tuple(languages) if languages is not None else None
        cached = self._cache.get((text, wanted))
        if cached is not None:
            return cached
        found = self._resolve(text, wanted)
        if len(self._cache) >= _CACHE:
            self._cache.clear()
        self._cache[(text, wanted)] = found
        return found

    def _resolve(self, text: str, languages: tuple[str, ...] | None) -> Resolution:
        text_words = words(text)
        text_key = " ".join(sorted(text_words))
        if not text_key:
            return Resolution(text, None, ())
        scored = self._scored(_compact(text_words), text_key, languages)
        equal = [i for i in self._by_key.get(text_key, ()) if self._allowed(i, languages)]
        if equal:
            named = {self._labels[i].uri: self._labels[i] for i in equal}
            first = [Candidate(u, x.text, x.language, WEIGHT[x.kind]) for u, x in named.items()]
            others = tuple(c for c in scored if c.uri not in named)
            shown = tuple(sorted(first, key=lambda c: (-c.confidence, c.uri))) + others
            # One concept: that one; a label ESCO gives two concepts ("welding"): ambiguous.
            if len(named) == 1:
                return Resolution(text, shown[0], shown[:CANDIDATES], exact=True)
            return Resolution(text, None, shown[:CANDIDATES])
        return Resolution(text, decide(scored, False), tuple(scored[:CANDIDATES]))

    def _allowed(self, index: int, languages: tuple[str, ...] | None) -> bool:
        return languages is None or self._labels[index].language in languages

    def _scored(
        self, compact: tuple[str, str], text_key: str, languages: tuple[str, ...] | None
    ) -> list[Candidate]:
        """The best label of each concept by shared trigrams, best first (one per concept)."""
        text_grams = trigrams(text_key)
        grams = [self._postings[g] for g in text_grams if g in self._postings]
        if not grams:
            return []
        shared = np.bincount(np.concatenate(grams), minlength=len(self._labels))
        dice = 2.0 * shared / (self._sizes + len(text_grams))
        top = np.argpartition(-dice, min(len(dice) - 1, SHORTLIST))[:SHORTLIST]
        best: dict[str, Candidate] = {}
        for index in top.tolist():
            if dice[index] <= 0 or not self._allowed(index, languages):
                continue
            label = self._labels[index]
            alike = max(float(dice[index]), _alike(compact, self._compact[index]))
            confidence = round(alike * WEIGHT[label.kind], 3)
            known = best.get(label.uri)
            if known is None or confidence > known.confidence:
                best[label.uri] = Candidate(label.uri, label.text, label.language, confidence)
        return sorted(best.values(), key=lambda c: (-c.confidence, c.uri))


_RESOLVERS: weakref.WeakKeyDictionary[Any, SkillResolver] = weakref.WeakKeyDictionary()


def resolver_of(taxonomy: Any) -> SkillResolver:
    """The resolver of ``taxonomy``'s skill labels, built once per taxonomy (in a thread: a full
    ESCO language takes a few seconds)."""
    found = _RESOLVERS.get(taxonomy)
    if found is None:
        found = _RESOLVERS[taxonomy] = SkillResolver(taxonomy.skill_labels)
    return found
