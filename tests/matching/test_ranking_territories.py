"""The distance criterion by territory codes (the committed cut of NUTS 2024 and LAU): the same
municipality first, then the same NUTS 3, NUTS 2 and country; the names when a side has no code;
both indexes and the explanation agree, and the explanation still sums to the score."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.matching.db.places import of_codes
from services.matching.domain import places as p
from services.matching.domain.places import Place
from services.matching.domain.scoring import TERRITORY_FIT, Weights
from services.matching.territories.files import read_lau_xlsx
from services.matching.territories.importer import import_territories
from shared.db import create_engine, session_factory
from tests.matching.conftest import offer, person
from tests.matching.engine_data import TODAY, pool, random_offers, random_people, subset_taxonomy
from tests.matching.territories import LAU, NUTS, import_territory_subset, write_lau_xlsx
from tests.matching.test_engine_ranking import check_pairs
from tests.support import Org, sql

ROMA, FIUMICINO, LATINA = "IT_058091", "IT_058120", "IT_059011"
# A municipality, another in its province, one in the next province, Italy's centre (NUTS 1:
# only the country is shared below it), Cyprus, Attica, Paris.
CODES = [ROMA, FIUMICINO, LATINA, "ITI43", "ITI", "CY000", "EL303", "FR101", "IT_058047"]


async def load(database_url: str, codes: list[str]) -> dict[str, Place]:
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        async with session_factory(engine)() as session:
            return await of_codes(session, [*codes, None, "XX999"])
    finally:
        await engine.dispose()


async def test_places_share_the_finest_unit_of_their_chains(matching_database: str) -> None:
    known = await load(matching_database, CODES)
    assert set(known) == set(CODES)  # None and an unknown code left out
    roma = known[ROMA]
    assert roma.units == (ROMA, "ITI43", "ITI4", "IT")
    assert roma.names == ("Roma", "Roma", "Lazio", "Italia")
    assert known["ITI"].units == (None, None, None, "IT")
    grades = {code: p.grade(roma, known[code]) for code in CODES}
    assert grades == {
        ROMA: p.SAME_MUNICIPALITY,
        FIUMICINO: p.SAME_NUTS3,
        "IT_058047": p.SAME_NUTS3,
        "ITI43": p.SAME_NUTS3,  # a province contains the city
        LATINA: p.SAME_NUTS2,
        "ITI": p.SAME_COUNTRY,
        "CY000": p.ELSEWHERE,
        "EL303": p.ELSEWHERE,
        "FR101": p.ELSEWHERE,
    }
    assert p.grade(roma, None) == p.grade(None, roma) == p.UNKNOWN
    assert p.detail(roma, known[LATINA], p.SAME_NUTS2) == "same NUTS 2 region: Lazio"
    assert p.detail(roma, known["CY000"], p.ELSEWHERE) == "different countries: IT, CY"


async def test_both_indexes_and_the_explanation_agree_on_coded_places(
    matching_database: str,
) -> None:
    known = await load(matching_database, CODES)
    choices: list[Place | None] = [*known.values(), None]
    rng = random.Random(15)
    source = pool(subset_taxonomy())
    # Without coordinates, so the codes (or the names) decide the distance criterion.
    persons = [
        replace(x, coordinates=None, place=rng.choice(choices))
        for x in random_people(source, 30, seed=3)
    ]
    catalogue = [
        replace(x, coordinates=None, place=rng.choice(choices))
        for x in random_offers(source, 40, seed=4)
    ]
    check_pairs(persons, catalogue, TODAY, Weights())


async def _coded(url: str, table: str, key: str, code: str, revision: str) -> None:
    """A territory code written as intake's events and the offers' schema will write it (the
    fields are added apart), and the index told its data moved."""
    column = "beneficiary_id" if table == "candidate_profile" else "id"
    await sql(url, f"UPDATE {table} SET territory_code = $1 WHERE {column} = $2", code, key)  # noqa: S608
    await sql(
        url,
        "INSERT INTO index_revision (name, revision) VALUES ($1, 1) ON CONFLICT (name) DO "
        "UPDATE SET revision = index_revision.revision + 1",
        revision,
    )


def _distance(item: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in item["explanation"] if c["criterion"] == "distance")


async def test_matches_rank_the_same_municipality_first_then_the_province_region_and_country(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    # Napoli is not in the committed cut: its name reads as no code, so only names can compare.
    someone = await person(matching, ngo, municipality="Napoli")
    await _coded(matching_database, "candidate_profile", str(someone), ROMA, "people")
    created = {}
    for code in (ROMA, FIUMICINO, LATINA, "ITI", "CY000"):
        created[code] = (await offer(matching, provider, title=code, municipality="Roma"))["id"]
        await _coded(matching_database, "offer", created[code], code, "offers")
    # No code on the offer: the names are compared, as before codes (Napoli, like the person's).
    by_name = (await offer(matching, provider, title="by name", municipality="Napoli"))["id"]

    answer = await matching.get(f"/api/v1/beneficiaries/{someone}/matches", headers=ngo.operator)
    assert answer.status_code == 200, answer.text
    items = {item["offer"]["id"]: item for item in answer.json()["items"]}
    ranked = [item["offer"]["id"] for item in answer.json()["items"]]
    coded = [i for i in ranked if i != by_name]
    assert coded == [created[c] for c in (ROMA, FIUMICINO, LATINA, "ITI", "CY000")]
    assert [_distance(items[i])["score"] for i in coded] == pytest.approx(list(TERRITORY_FIT))
    assert [_distance(items[i])["detail"] for i in coded] == [
        "same municipality: Roma (no coordinates)",
        "same NUTS 3 region: Roma (no coordinates)",
        "same NUTS 2 region: Lazio (no coordinates)",
        "same country: Italia (no coordinates)",
        "different countries: IT, CY (no coordinates)",
    ]
    assert _distance(items[by_name]) == {
        "criterion": "distance", "score": 0.9, "weight": 0.1,
        "detail": "same municipality (no coordinates)",
    }  # fmt: skip
    for item in items.values():
        total = sum(c["score"] * c["weight"] for c in item["explanation"])
        assert abs(total - item["score"]) < 1e-3


async def test_candidates_of_an_offer_rank_by_the_same_codes(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    internship = await offer(matching, provider, municipality="Roma")
    await _coded(matching_database, "offer", internship["id"], ROMA, "offers")
    people: dict[str, uuid.UUID] = {}
    for code in ("CY000", LATINA, FIUMICINO, ROMA):
        people[code] = await person(matching, ngo)
        await _coded(matching_database, "candidate_profile", str(people[code]), code, "people")
    answer = await matching.get(
        f"/api/v1/offers/{internship['id']}/candidates", headers=ngo.operator
    )
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [item["beneficiary_id"] for item in items] == [
        str(people[c]) for c in (ROMA, FIUMICINO, LATINA, "CY000")
    ]
    assert [_distance(item)["score"] for item in items] == pytest.approx([0.9, 0.7, 0.45, 0.1])


async def _import(url: str, lau: Path) -> None:
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        await import_territories(engine, NUTS, lau)
    finally:
        await engine.dispose()


async def test_ranking_follows_a_re_import_that_moves_a_municipality_or_adds_one(
    matching: httpx.AsyncClient,
    matching_database: str,
    orgs: tuple[Org, Org, Org],
    tmp_path: Path,
) -> None:
    """The offers' index holds each offer's territory chain; a new edition of the files moves
    Fiumicino under Latina's NUTS 3 and adds a municipality to Rome's: the next matches read the
    new chains, with nothing else changed in between."""
    ngo, provider, _ = orgs
    someone = await person(matching, ngo)
    await _coded(matching_database, "candidate_profile", str(someone), ROMA, "people")
    fiumicino = await offer(matching, provider, title="Fiumicino", municipality="Fiumicino")
    await _coded(matching_database, "offer", fiumicino["id"], FIUMICINO, "offers")
    newcomer = "IT_058999"  # not in the committed cut: no chain yet, the names are compared
    added = await offer(matching, provider, title="Newcomer", municipality="Borgo Nuovo")
    await _coded(matching_database, "offer", added["id"], newcomer, "offers")

    async def distances() -> dict[str, dict[str, Any]]:
        path = f"/api/v1/beneficiaries/{someone}/matches"
        answer = await matching.get(path, headers=ngo.operator)
        assert answer.status_code == 200, answer.text
        return {item["offer"]["title"]: _distance(item) for item in answer.json()["items"]}

    before = await distances()
    assert before["Fiumicino"]["detail"] == "same NUTS 3 region: Roma (no coordinates)"
    assert "NUTS" not in before["Newcomer"]["detail"]
    edition = [
        replace(r, parent_code="ITI44") if r.code == FIUMICINO.removeprefix("IT_") else r
        for r in read_lau_xlsx(LAU)
    ]
    edition.append(replace(edition[0], code="058999", parent_code="ITI43", country="IT",
                           name_latin="Borgo Nuovo", name_national="Borgo Nuovo"))  # fmt: skip
    try:
        await _import(matching_database, write_lau_xlsx(edition, tmp_path / "lau.xlsx"))
        after = await distances()
        assert after["Fiumicino"] == {
            "criterion": "distance", "score": pytest.approx(TERRITORY_FIT[2]), "weight": 0.1,
            "detail": "same NUTS 2 region: Lazio (no coordinates)",
        }  # fmt: skip
        assert after["Newcomer"]["detail"] == "same NUTS 3 region: Roma (no coordinates)"
        assert after["Newcomer"]["score"] == pytest.approx(TERRITORY_FIT[1])
    finally:  # the other tests read the committed cut
        await import_territory_subset(matching_database)
