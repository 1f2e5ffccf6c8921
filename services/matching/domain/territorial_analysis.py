"""The territorial analysis's rules (pure): which need domains each offer type answers, the
gaps (needs of people with no service point within reach), small-cell suppression of every
count of people, and the flat rows of its CSV form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from services.matching.db.cluster_tables import TIERS
from shared.suppression import suppress

# What each offer type answers, in the need domains of intake's code list (``need-domains``).
OFFER_TYPE_NEEDS: dict[str, tuple[str, ...]] = {
    "training": ("training", "employment", "digital_skills"),
    "language_course": ("language",),
    "internship": ("employment", "training"),
    "job": ("employment", "income"),
    "entrepreneurship": ("employment", "income"),
}
CSV_HEADER = ["section", "dimension", "value", "measure", "count"]
NUTS3_LEVEL = 3


@dataclass(frozen=True)
class Counts:
    """What the statements counted, before suppression."""

    people: int
    needs: Mapping[str, int]  # need domain -> people
    points: Mapping[tuple[str, str], int]  # (need domain, tier) -> service points within reach
    offers: Mapping[str, tuple[int, int]]  # offer type -> (offers, seats) within reach


def offers_by_need(offers: Mapping[str, tuple[int, int]]) -> dict[str, dict[str, int]]:
    """Offers and seats answering each need domain (an offer counts under each need it answers)."""
    answered: dict[str, dict[str, int]] = {}
    for kind, (count, seats) in offers.items():
        for need in OFFER_TYPE_NEEDS.get(kind, ()):
            cell = answered.setdefault(need, {"offers": 0, "seats": 0})
            cell["offers"] += count
            cell["seats"] += seats
    return answered


def needs_report(counts: Counts) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One row per need domain assessed or served (people suppressed), and the gaps: domains
    where people have the need and no service point is within reach."""
    by_need = offers_by_need(counts.offers)
    domains = sorted(set(counts.needs) | {need for need, _tier in counts.points})
    rows, gaps = [], []
    for domain in domains:
        tiers = {tier: counts.points.get((domain, tier), 0) for tier in TIERS}
        points = sum(tiers.values())
        people = counts.needs.get(domain, 0)
        cell = by_need.get(domain, {"offers": 0, "seats": 0})
        rows.append(
            {
                "need": domain,
                "people": suppress(people),
                "service_points": points,
                "service_points_by_tier": tiers,
                "offers": cell["offers"],
                "seats": cell["seats"],
                "gap": people > 0 and points == 0,
            }
        )
        if people > 0 and points == 0:
            gaps.append({"need": domain, "people": suppress(people), "offers": cell["offers"]})
    return rows, gaps


def tier_report(
    tiers: Iterable[tuple[str, int, int]], paths: Iterable[tuple[str, int]]
) -> dict[str, Any]:
    """Referrals and people per tier, and the paths (tiers in the order first reached) people
    took, people suppressed."""
    by_tier: dict[str, dict[str, int | str]] = {
        tier: {"referrals": 0, "people": 0} for tier in TIERS
    }
    for tier, referrals, people in tiers:
        by_tier[tier] = {"referrals": suppress(referrals), "people": suppress(people)}
    return {
        "by_tier": by_tier,
        "paths": [
            {"tiers": path.split(">"), "people": suppress(people)}
            for path, people in sorted(paths, key=lambda item: (-item[1], item[0]))
        ],
    }


def csv_rows(report: Mapping[str, Any]) -> list[list[Any]]:
    """``section,dimension,value,measure,count`` rows of the whole analysis."""
    rows: list[list[Any]] = [
        CSV_HEADER,
        ["people", "territory", report["territory"], "people", report["people"]],
    ]
    for need in report["needs"]:
        for measure in ("people", "service_points", "offers", "seats", "gap"):
            rows.append(["needs", "need", need["need"], measure, need[measure]])
        for tier, count in need["service_points_by_tier"].items():
            rows.append(["needs", "need", need["need"], f"service_points_{tier}", count])
    for group in report["skills"]:
        for measure in ("offers_demanding", "people_holding"):
            rows.append(
                ["skills", "skill_group", group["label"] or group["group"], measure, group[measure]]
            )
    for tier, cell in report["tiers"]["by_tier"].items():
        rows += [["tiers", "tier", tier, measure, value] for measure, value in cell.items()]
    for path in report["tiers"]["paths"]:
        rows.append(["tiers", "path", ">".join(path["tiers"]), "people", path["people"]])
    for variable in report["profile"]:
        rows.append(
            [
                "profile",
                variable["variable"],
                variable["reference_year"],
                variable["source"],
                variable["value"],
            ]
        )
    return rows
