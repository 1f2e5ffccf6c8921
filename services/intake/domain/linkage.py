"""Which people of a batch look like someone: the pairwise scoring of ``duplicates.score`` over
the candidates that blocking found, bounded per person. Pure and picklable, no I/O: the service
runs it in its process pool (``shared.offload.run_in_process``), because scoring a batch of
look-alikes is seconds of Python that holds the GIL.

The work is bounded by construction: a person is scored against at most ``per_person`` others
(those sharing the most blocking keys first, then by id, so the choice does not depend on the
order rows came back in), and each unordered pair is scored once (``score`` is symmetric). A
batch of ``n`` people therefore costs at most ``n * per_person`` comparisons, whatever the data.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.intake.domain.duplicates import PersonKey, score


@dataclass(frozen=True)
class Record:
    """One person as blocking and scoring see them; ``index`` is the item's place in the batch
    (``None`` for someone already registered)."""

    id: str
    organization_id: str
    key: PersonKey
    blocking_keys: tuple[str, ...]
    index: int | None = None


def chosen_candidates(
    mine: Record, by_key: Mapping[str, Sequence[Record]], per_person: int
) -> list[Record]:
    """The others ``mine`` is compared with: sharing a blocking key, most keys shared first."""
    shared: Counter[str] = Counter()
    records: dict[str, Record] = {}
    for key in mine.blocking_keys:
        for other in by_key.get(key, ()):
            if other.id != mine.id:
                shared[other.id] += 1
                records[other.id] = other
    ranked = sorted(shared, key=lambda other_id: (-shared[other_id], other_id))
    return [records[other_id] for other_id in ranked[:per_person]]


def batch_duplicates(
    newcomers: Sequence[Record], existing: Sequence[Record], *, per_person: int
) -> dict[int, list[dict[str, Any]]]:
    """Each newcomer's likely duplicates among ``existing`` and the other newcomers, best first,
    keyed by the newcomer's ``index``; newcomers without any are left out."""
    by_key: dict[str, list[Record]] = defaultdict(list)
    for record in (*existing, *newcomers):
        for key in record.blocking_keys:
            by_key[key].append(record)
    scored: dict[tuple[str, str], Any] = {}
    found: dict[int, list[dict[str, Any]]] = {}
    for mine in newcomers:
        assert mine.index is not None
        likely = []
        for other in chosen_candidates(mine, by_key, per_person):
            pair = (mine.id, other.id) if mine.id < other.id else (other.id, mine.id)
            match = scored.get(pair)
            if match is None:
                match = scored[pair] = score(mine.key, other.key)
            if match.likely:
                likely.append(
                    {
                        "id": other.id,
                        "score": round(match.score, 3),
                        "reasons": list(match.reasons),
                        "organization_id": other.organization_id,
                    }
                )
        if likely:
            likely.sort(key=_best_first)
            found[mine.index] = likely
    return found


def _best_first(item: dict[str, Any]) -> tuple[float, str]:
    return -float(item["score"]), str(item["id"])
