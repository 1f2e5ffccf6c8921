"""A deterministic synthetic population of migrants registered in Italy, Spain, France, Greece and
Cyprus, for benchmarks and for checking that duplicate-detection blocks stay small.

Names are drawn per origin from pools listed roughly by frequency, with Zipf weights (a few names
are very common, as Mohamed is in Morocco), spelling variants listed as names of their own,
compound given names, a father's name used as family name (Egypt, Sudan, Afghanistan), Spanish
double surnames and 1 January placeholder birth dates: the traits that make real registers hard to
block. ``people(100_000)`` yields that many; the same seed yields the same people.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from tools.synthetic_origins import ORIGINS, Origin, Pool

REFERENCE = date(2025, 1, 1)  # ages and arrivals count from a fixed day, not from today
HOSTS = ("IT", "ES", "FR", "GR", "CY")
HOST_WEIGHTS = (32, 30, 25, 9, 4)
HOST_LANGUAGE = {"IT": "it", "ES": "es", "FR": "fr", "GR": "el", "CY": "el"}
NEEDS = tuple(
    "documents_legal housing health language income childcare transport training employment "
    "digital_skills".split()
)
NEED_WEIGHTS = (30, 20, 10, 25, 12, 6, 5, 12, 30, 8)
CEFR = ("A1", "A2", "B1", "B2", "C1", "C2")
CEFR_WEIGHTS = (30, 30, 20, 12, 5, 3)
# Largest first: a municipality is drawn with the same Zipf weights as a name.
MUNICIPALITIES = {
    "IT": """
Roma Milano Torino Napoli Bologna Firenze Genova Palermo Brescia Verona Padova Prato Bari Bergamo
Modena Reggio_Emilia Parma Catania Latina Caserta Ragusa Foggia Trento Ancona Cagliari Perugia
Pescara Crotone Agrigento Trieste Castel_Volturno Rosarno""",
    "ES": """
Madrid Barcelona Valencia Sevilla Zaragoza Málaga Murcia Palma Las_Palmas_de_Gran_Canaria Alicante
Bilbao Almería El_Ejido Lleida Girona Badalona L'Hospitalet_de_Llobregat Terrassa Getafe Huelva
Cartagena Santa_Cruz_de_Tenerife Ceuta Melilla Córdoba Granada Torrejón_de_Ardoz""",
    "FR": """
Paris Marseille Lyon Toulouse Saint-Denis Nice Montreuil Nantes Strasbourg Montpellier Bordeaux
Lille Aubervilliers Rennes Grenoble Calais Perpignan Nîmes Clermont-Ferrand Rouen Metz Mulhouse
Créteil Argenteuil Villeurbanne Vénissieux""",
    "GR": """
Αθήνα Θεσσαλονίκη Πειραιάς Πάτρα Ηράκλειο Λάρισα Βόλος Ιωάννινα Μυτιλήνη Χίος Σάμος Κως Κόρινθος
Χαλκίδα Ελευσίνα Σχιστό Μαλακάσα""",
    "CY": """
Λευκωσία Λεμεσός Λάρνακα Πάφος Παραλίμνι Αγία_Νάπα Στρόβολος Λακατάμια Κοκκινοτριμιθιά""",
}


def _given(rng: random.Random, pool: Pool, compound: float) -> str:
    given = pool.draw(rng)
    if " " not in given and rng.random() < compound:
        second = pool.draw(rng)
        if second != given:
            given = f"{given} {second}"
    return given


def _family(rng: random.Random, origin: Origin, sex: str) -> str:
    male, _female, family = origin.pools
    if origin.sex_surnames and sex in ("male", "female"):
        for_men, for_women, share = origin.sex_surnames
        if rng.random() < share:
            return for_men if sex == "male" else for_women
    if rng.random() < origin.traits.father:
        return male.draw(rng).split()[0]
    name = family.draw(rng)
    if rng.random() < origin.traits.double:
        other = family.draw(rng)
        if other != name:
            name = f"{name} {other}"
    return name


def _dates(rng: random.Random, origin: Origin) -> tuple[date, date]:
    age = 18 + int(rng.betavariate(2.0, 3.5) * 50)
    year = REFERENCE.year - 1 - age
    born = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    if rng.random() < origin.traits.placeholder:
        born = date(year, 1, 1)
    earliest = max(date(year + 16, 1, 1), date(2005, 1, 1))
    span = max((REFERENCE - earliest).days - 30, 1)
    arrived = REFERENCE - timedelta(days=30 + int(span * rng.random() ** 1.6))  # mostly recent
    return born, arrived


def _languages(
    rng: random.Random, origin: Origin, nationality: str, host: str
) -> list[dict[str, Any]]:
    tongues = origin.nationalities[nationality][1]
    native = tongues[: 1 + (len(tongues) > 1 and rng.random() < 0.3)]
    spoken: list[dict[str, Any]] = [
        {"code": code, "level": "C2", "native": True} for code in native
    ]
    for code, chance in ((HOST_LANGUAGE[host], 0.9), (origin.second_language, 0.4)):
        if code not in {item["code"] for item in spoken} and rng.random() < chance:
            spoken.append({"code": code, "level": rng.choices(CEFR, weights=CEFR_WEIGHTS)[0]})
    return spoken


def _person(rng: random.Random, origin: Origin, host: str, places: Pool) -> dict[str, Any]:
    codes = list(origin.nationalities)
    weights = [weight for weight, _tongues in origin.nationalities.values()]
    nationality = rng.choices(codes, weights=weights)[0]
    roll = rng.random()
    if roll < 0.012:
        sex = "undisclosed" if roll < 0.01 else "other"
    else:
        sex = "male" if rng.random() < origin.traits.male else "female"
    male, female, _family_pool = origin.pools
    pool = {"male": male, "female": female}.get(sex) or rng.choice((male, female))
    born, arrived = _dates(rng, origin)
    count = rng.choices((1, 2, 3, 4, 5), weights=(15, 30, 30, 15, 10))[0]
    needs = set(rng.choices(NEEDS, weights=NEED_WEIGHTS, k=count))
    return {
        "given_name": _given(rng, pool, origin.traits.compound),
        "family_name": _family(rng, origin, sex),
        "birth_date": born,
        "sex": sex,
        "nationality": nationality,
        "country_of_birth": nationality if rng.random() < 0.93 else rng.choice(codes),
        "arrival_date": arrived,
        "municipality": places.draw(rng),
        "languages": _languages(rng, origin, nationality, host),
        "needs": [need for need in NEEDS if need in needs],
    }


def people(count: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """``count`` invented people; the same ``seed`` gives the same people in the same order."""
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, not secrets
    origins: Sequence[Origin] = list(ORIGINS.values())
    mixes = {host: [origin.hosts[index] for origin in origins] for index, host in enumerate(HOSTS)}
    places = {host: Pool(text) for host, text in MUNICIPALITIES.items()}
    for _ in range(count):
        host = rng.choices(HOSTS, weights=HOST_WEIGHTS)[0]
        origin = rng.choices(origins, weights=mixes[host])[0]
        yield _person(rng, origin, host, places[host])


if __name__ == "__main__":  # a glance: python -m tools.synthetic_people
    for person in people(10):
        print(person)
