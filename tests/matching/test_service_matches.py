"""Service points among a person's matches (``include_services``): within their reach, published
to the caller, answering their priority need first, explained like offers."""

from __future__ import annotations

import httpx

from services.matching.domain.scoring import Weights
from services.matching.domain.service_fit import ANOTHER_NEED, NOT_APPLICABLE
from tests.matching.conftest import person
from tests.matching.reach_data import FIUMICINO, LATINA, ROMA, place, service_point
from tests.support import Org, sql


async def test_services_answering_the_priority_need_come_first_within_reach(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org], matching_database: str
) -> None:
    ngo, other, _ = orgs
    url = matching_database
    someone = await person(matching, ngo, languages=[{"code": "ar", "native": True}])
    await place(url, someone, ROMA, ["documents_legal", "housing"])
    await sql(
        url,
        "UPDATE candidate_profile SET priority_need = 'documents_legal' WHERE beneficiary_id = $1",
        someone,
    )
    near = await service_point(url, other, name="Sportello Roma", need_domains=["documents_legal"])
    farther = await service_point(
        url, other, name="Sportello Fiumicino", need_domains=["documents_legal"],
        territory_code=FIUMICINO,
    )  # fmt: skip
    housing = await service_point(url, other, name="Casa", need_domains=["housing"])
    await service_point(url, other, name="Latina", need_domains=["housing"], territory_code=LATINA)
    await service_point(url, other, name="Closed", need_domains=["housing"], status="closed")
    await service_point(url, other, name="Jobs", need_domains=["employment"])  # not a need

    path = f"/api/v1/beneficiaries/{someone}/matches"
    plain = await matching.get(path, headers=ngo.operator)
    assert plain.json()["services"] == []
    answer = await matching.get(path, params={"include_services": "true"}, headers=ngo.operator)
    assert answer.status_code == 200, answer.text
    services = answer.json()["services"]
    assert [s["service_point"]["id"] for s in services] == [str(near), str(farther), str(housing)]
    scores = [s["score"] for s in services]
    assert scores == sorted(scores, reverse=True)
    weights = dict(Weights().items())
    for item in services:
        criteria = {c["criterion"]: c for c in item["explanation"]}
        assert set(criteria) == set(weights)
        assert criteria["skills"]["detail"] == NOT_APPLICABLE
        assert item["eligible"] is True
        total = sum(c["score"] * c["weight"] for c in item["explanation"])
        assert abs(total - item["score"]) < 1e-3
        assert criteria["language"]["score"] == 1.0  # native Arabic, served in Arabic
    assert {c["criterion"]: c["score"] for c in services[2]["explanation"]}["priority"] == (
        ANOTHER_NEED
    )
    limited = await matching.get(
        path, params={"include_services": "true", "limit": 1}, headers=ngo.operator
    )
    assert [s["service_point"]["id"] for s in limited.json()["services"]] == [str(near)]
