"""The matching part of the demo: ESCO skills for the demo people, the vocational school's offers
and the people's consent to matching, all through the public API. The ESCO subset committed in
``services/matching/taxonomy/subset`` is what the demo's matching service imported."""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from services.matching.domain.taxonomy import Taxonomy, load_csv

SUBSET = Path(__file__).resolve().parent.parent / "services" / "matching" / "taxonomy" / "subset"

# Occupations many newcomers start in, by ESCO preferred label (the subset holds them).
OCCUPATIONS = (
    "bricklayer",
    "kitchen porter",
    "fruit and vegetable picker",  # agriculture
    "domestic cleaner",
    "warehouse worker",
    "home care aide",
)


@cache
def taxonomy() -> Taxonomy:
    return load_csv(SUBSET)


def _occupation(label: str) -> str | None:
    return next(
        (uri for uri, o in taxonomy().occupations.items() if o.label == label),
        None,
    )


def _occupations() -> list[str]:
    return [uri for uri in map(_occupation, OCCUPATIONS) if uri is not None]


def with_skills(person: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A demo person with three to six essential skills of one occupation and that occupation as
    the one they want."""
    found = _occupations()
    if not found:
        return person
    occupation = rng.choice(found)
    essential = sorted(taxonomy().essential.get(occupation, ()))
    chosen = rng.sample(essential, min(len(essential), rng.randint(3, 6)))
    project = dict(person.get("migration_project") or {})
    project["desired_occupations"] = [
        {"esco_uri": occupation, "label": taxonomy().label(occupation)}
    ]
    return {
        **person,
        "skills": [_as_recorded(uri, rng) for uri in chosen],
        "migration_project": project,
    }


def _as_recorded(uri: str, rng: random.Random) -> dict[str, Any]:
    """A skill as an operator records it: coded, or (one in three) written down as said, which
    matching reads as the same ESCO skill (``GET /beneficiaries/{id}/skill-readings``)."""
    label = taxonomy().label(uri)
    if rng.random() >= 1 / 3:
        return {"uri": uri, "label": label}
    said = rng.choice([label.capitalize() + ".", label.upper(), " ".join(reversed(label.split()))])
    return {"label": said}


def offers(today: date) -> list[dict[str, Any]]:
    """The school's offers: one per demo occupation (and a course teaching an internship's entry
    skills), and an Italian course."""
    start = today + timedelta(days=30)
    items: list[dict[str, Any]] = []
    for number, occupation in enumerate(_occupations()):
        essential = sorted(taxonomy().essential.get(occupation, ()))
        items.append(
            {
                "type": "internship" if number % 2 == 0 else "training",
                "title": f"{taxonomy().label(occupation).capitalize()}: practical course",
                "municipality": "Roma",
                "starts_on": start.isoformat(),
                "ends_on": (start + timedelta(days=120)).isoformat(),
                "seats": 4 + number,
                "skills_required": essential[:3],
                "skills_preferred": essential[3:5],
                "occupation_uri": occupation,
                "min_language_code": "it",
                "min_language_level": "A1",
                "permit_must_allow_work": True,
                "languages_of_instruction": ["it"],
                "status": "open",
            }
        )
        if number % 2 == 0:  # the internship's entry skills, taught: what would make it reachable
            items.append(
                {
                    "type": "training",
                    "title": f"{taxonomy().label(occupation).capitalize()}: the basics",
                    "municipality": "Roma",
                    "starts_on": start.isoformat(),
                    "seats": 12,
                    "skills_taught": essential[:3],
                    "occupation_uri": occupation,
                    "languages_of_instruction": ["it"],
                    "status": "open",
                }
            )
    items.append(
        {
            "type": "language_course",
            "title": "Italiano per il lavoro (A2)",
            "municipality": "Roma",
            "starts_on": start.isoformat(),
            "seats": 20,
            "min_language_code": "it",
            "min_language_level": "A1",
            "languages_of_instruction": ["it"],
            "status": "open",
        }
    )
    return items


def publish_offers(client: httpx.Client, token: str) -> None:
    """Only on first load: an organisation that already has offers is left as it is."""
    headers = {"Authorization": f"Bearer {token}"}
    mine = client.get("/api/v1/offers", params={"limit": 1}, headers=headers)
    mine.raise_for_status()
    if mine.json()["items"]:
        return
    for body in offers(date.today()):
        client.post("/api/v1/offers", json=body, headers=headers).raise_for_status()


def consent_to_matching(client: httpx.Client, token: str, beneficiary_id: str) -> None:
    client.post(
        f"/api/v1/beneficiaries/{beneficiary_id}/consents",
        json={
            "purpose": "matching",
            "text_version": "demo-matching-it-2026",
            "collection_method": "paper_signed",
        },
        headers={"Authorization": f"Bearer {token}"},
    ).raise_for_status()
