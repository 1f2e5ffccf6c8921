"""The techniques the resolver was chosen against, on the same texts (``bench/skill_resolution``):

- *exact key*: the text's key (case, accents, punctuation, plurals, word order folded) equal to a
  label's, else nothing: what normalisation alone gives;
- *rapidfuzz WRatio*: the label most alike by rapidfuzz's weighted ratio (case and punctuation
  folded by its default processor) over every label, taken when its score reaches a threshold
  tuned like the resolver's (precision >= 0.97 on seed 17);
- *Ponte*: the resolver as it ships (key, then a trigram shortlist rescored).

Each on ``SAMPLE`` texts per kind of noise, reported on seed 18 with the lookup's median time. A
small multilingual embedding model was not tried: none ships in the locked packages, and the
registry's models download their weights at first use, which this deployment cannot rely on.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from rapidfuzz import fuzz, process, utils

from services.matching.domain.skill_resolution import SkillResolver, decide, key
from services.matching.domain.taxonomy import Taxonomy

SAMPLE = 60  # texts per kind: rapidfuzz scans every label for each text
THRESHOLDS = (0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
PRECISION = 0.97

Resolve = Callable[[str, float], str | None]  # (text, threshold) -> uri or None


def _tally(
    resolve: Resolve, made: list[tuple[str, str, str]], same: Callable[[str, str], bool], t: float
) -> dict[str, list[int]]:
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # texts, resolved, right
    for kind, text, uri in made:
        found = resolve(text, t)
        if not uri:
            tally[kind][0] += 1
            tally[kind][2] += found is None
            tally["all"][1] += found is not None
            continue
        for bucket in (kind, "all"):
            tally[bucket][0] += 1
            if found is not None:
                tally[bucket][1] += 1
                tally[bucket][2] += same(uri, found)
    return tally


def _figures(tally: dict[str, list[int]]) -> dict[str, float]:
    texts, resolved, right = tally["all"]
    return {
        "precision": round(right / resolved, 3) if resolved else 0.0,
        "recall": round(right / texts, 3) if texts else 0.0,
    }


def _tuned(resolve: Resolve, tuning: list[tuple[str, str, str]], same: Any) -> float:
    best = (-1.0, THRESHOLDS[-1])
    for threshold in THRESHOLDS:
        found = _figures(_tally(resolve, tuning, same, threshold))
        if found["precision"] >= PRECISION and found["recall"] > best[0]:
            best = (found["recall"], threshold)
    return best[1]


def compare(
    taxonomy: Taxonomy,
    resolver: SkillResolver,
    tuning: list[tuple[str, str, str]],
    held_out: list[tuple[str, str, str]],
    same: Callable[[str, str], bool],
) -> dict[str, dict[str, Any]]:
    labels = list(taxonomy.skill_labels)
    by_key: dict[str, set[str]] = defaultdict(set)
    for label in labels:
        by_key[key(label.text)].add(label.uri)
    choices = [utils.default_process(label.text) for label in labels]

    def exact(text: str, _threshold: float) -> str | None:
        found = by_key.get(key(text), set())
        return next(iter(found)) if len(found) == 1 else None

    def fuzzy(text: str, threshold: float) -> str | None:
        best = process.extractOne(
            utils.default_process(text), choices, scorer=fuzz.WRatio, processor=None
        )
        if best is None or best[1] / 100 < threshold:
            return None
        return labels[best[2]].uri

    def ponte(text: str, threshold: float) -> str | None:
        found = resolver.resolve(text)
        taken = decide(found.candidates, found.exact, threshold)
        return taken.uri if taken is not None else None

    results = {}
    for name, resolve in (("exact key", exact), ("rapidfuzz WRatio", fuzzy), ("Ponte", ponte)):
        threshold = _tuned(resolve, tuning, same)
        timings = []
        for _, text, _ in held_out[:SAMPLE]:
            began = time.perf_counter()
            resolve(text, threshold)
            timings.append((time.perf_counter() - began) * 1000)
        results[f"technique: {name}"] = {
            **_figures(_tally(resolve, held_out, same, threshold)),
            "threshold (tuned on seed 17)": threshold,
            "lookup_p50_ms": round(statistics.median(timings), 2),
        }
    return results


def sample(made: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The first ``SAMPLE`` texts of each kind."""
    kept: dict[str, int] = defaultdict(int)
    chosen = []
    for row in made:
        if kept[row[0]] < SAMPLE:
            kept[row[0]] += 1
            chosen.append(row)
    return chosen
