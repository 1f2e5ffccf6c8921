"""End to end through the gateway: a territory's profile entered as JSON by the platform admin
and as a CSV file by the coordinator of a cluster on Madrid (a bad file refused line by line,
nothing stored), read back with the figures Ponte computes from its own data; the territorial
analysis as JSON and CSV; and who may do what.

Clusters, members, service points and people's residence are written straight into matching's
database: their APIs are built elsewhere, and the analysis reads only the tables."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack
from tests.e2e.helpers import bearer, organisation, signed_in_user, token
from tests.matching import analysis_data as data

pytestmark = pytest.mark.e2e

# Madrid: no other module of the shared stack puts people, offers or service points there, and
# the computed figures count everything in the territory.
PROVINCE = "ES300"
MADRID = "ES_28079"
PROFILES = f"/api/v1/territories/{PROVINCE}/profiles"
ANALYSIS = f"/api/v1/territories/{MADRID}/analysis"
CSV_HEADER = "kind,variable,value,unit,reference_year,source,source_url\n"


def _json(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


@pytest.fixture(scope="module")
async def world(stack: Stack) -> dict[str, Any]:
    """A coordinator organisation whose cluster covers the Comunidad de Madrid (ES30) with a
    member; the member's 7 people in Madrid (housing, 3 of them language too); a language school
    in Madrid with its access from two hubs, and a job desk in Cyprus (outside it)."""
    url = stack.databases["matching"]
    with stack.client() as client:
        root = bearer(token(client, ADMIN_EMAIL, ADMIN_PASSWORD))
        coordinating = organisation(client, "Comune")
        member = organisation(client, "Caritas")
        outsider = organisation(client, "Elsewhere")
        coordinator = bearer(
            signed_in_user(
                client, coordinating.admin, coordinating.id, "cluster_coordinator", "Roma"
            )[2]
        )
        lonely = bearer(
            signed_in_user(client, outsider.admin, outsider.id, "cluster_coordinator", "none")[2]
        )
        provider = bearer(signed_in_user(client, member.admin, member.id, "provider", "Caritas")[2])
    member_id, coordinating_id = uuid.UUID(member.id), uuid.UUID(coordinating.id)
    cluster = await data.cluster(url, coordinating_id, ["ES30"], [member_id])
    await data.people(url, member_id, 4, MADRID, ["housing"])
    await data.people(url, member_id, 3, MADRID, ["housing", "language"])
    await data.service_point(
        url,
        member_id,
        MADRID,
        ["language"],
        kind="language_school",
        tier="structured",
        minutes=[10, 25],
    )
    await data.service_point(
        url, member_id, PROVINCE, ["employment"], kind="job_desk", minutes=[20]
    )
    await data.service_point(url, member_id, "CY000", ["employment"], kind="job_desk")
    await data.offer(url, member_id, MADRID, "internship", 8)
    return {
        "root": root,
        "coordinator": coordinator,
        "lonely": lonely,
        "member": member,
        "provider": provider,
        "cluster": str(cluster),
    }


def test_profiles_entered_as_json_and_csv_and_read_with_computed_figures(
    stack: Stack, world: dict[str, Any]
) -> None:
    with stack.client() as client:
        residents = {
            "kind": "social",
            "variable": "foreign_residents",
            "value": 20000,
            "unit": "people",
            "reference_year": 2024,
            "source": "ISTAT",
            "source_url": "https://demo.istat.it/",
        }
        created = _json(client.post(PROFILES, json=residents, headers=world["root"]), 201)
        assert created["items"][0]["value"] == 20000
        older = [{**residents, "value": 18000, "reference_year": 2022}]
        _json(client.post(PROFILES, json=older, headers=world["root"]), 201)

        # The coordinator's file: two values; then a file with two bad lines, refused whole.
        good = (
            CSV_HEADER
            + "socio_economic,enterprises,152000,enterprises,2023,Infocamere,\n"
            + 'institutional,regional_programme,"PR FSE+ Lazio 2021-2027",,2024,Regione Lazio,\n'
        )
        csv_headers = {**world["coordinator"], "Content-Type": "text/csv"}
        stored = _json(client.post(PROFILES, content=good, headers=csv_headers), 201)
        assert [item["value"] for item in stored["items"]] == [152000, "PR FSE+ Lazio 2021-2027"]
        bad = CSV_HEADER + "social,ok_value,1,,2024,ISTAT,\n" + "cultural,x,1,,2024,ISTAT,\n"
        bad += "social,no_source,1,,2024,,\n"
        refused = _json(client.post(PROFILES, content=bad, headers=csv_headers), 422)
        fields = {error["field"] for error in refused["errors"]}
        assert fields == {"body.line.3.kind", "body.line.4.source"}
        wrong_header = _json(client.post(PROFILES, content="a,b\n1,2\n", headers=csv_headers), 422)
        assert wrong_header["errors"][0]["field"] == "body.line.1"

        # Who may not write: an operator, a coordinator outside its cluster's territories,
        # a coordinator of no cluster.
        member = world["member"]
        assert client.post(PROFILES, json=residents, headers=member.operator).status_code == 403
        cyprus = "/api/v1/territories/CY000/profiles"
        assert client.post(cyprus, json=residents, headers=world["coordinator"]).status_code == 403
        assert client.post(PROFILES, json=residents, headers=world["lonely"]).status_code == 403
        unknown = client.post(
            "/api/v1/territories/ITZ99/profiles", json=residents, headers=world["root"]
        )
        assert unknown.status_code == 404

        profile = _json(client.get(PROFILES, headers=member.operator))
        latest = {item["variable"]: item for item in profile["items"]}
        assert set(latest) == {"enterprises", "foreign_residents", "regional_programme"}
        assert latest["foreign_residents"]["value"] == 20000
        assert "ok_value" not in latest  # the refused file stored nothing
        history = _json(client.get(PROFILES, params={"all": "true"}, headers=member.operator))
        assert len(history["items"]) == 4

        computed = profile["computed"]
        points = computed["service_points"]
        assert points["by_kind"] == {"job_desk": 1, "language_school": 1}
        assert points["per_1000_foreign_residents"] == {"job_desk": 0.05, "language_school": 0.05}
        assert computed["median_minutes_from_transport_hub"] == 15.0  # nearest hubs 10 and 20
        assert computed["offers"] == {"internship": {"offers": 1, "seats": 8, "seats_left": 8}}
        assert computed["people"] == {"total": 7, "by_need": {"housing": 7, "language": "<5"}}

        # Without a foreign-residents value, the profile says so.
        roma = _json(
            client.get(f"/api/v1/territories/{MADRID}/profiles", headers=world["provider"])
        )
        assert roma["computed"]["service_points"]["per_1000_foreign_residents"] is None
        assert "foreign_residents" in roma["computed"]["service_points"]["note"]


def test_the_analysis_as_json_and_csv_by_role(stack: Stack, world: dict[str, Any]) -> None:
    period = {"from": "2026-01-01", "to": date(2026, 12, 31).isoformat()}
    with stack.client() as client:
        member = world["member"]
        report = _json(client.get(ANALYSIS, params=period, headers=member.admin))
        assert report["people"] == 7
        needs = {row["need"]: row for row in report["needs"]}
        assert needs["housing"]["gap"] is True
        assert needs["housing"]["people"] == 7
        assert needs["language"]["gap"] is False
        assert needs["language"]["people"] == "<5"
        assert needs["employment"]["service_points"] == 1  # the province's desk, not Cyprus's
        assert [gap["need"] for gap in report["gaps"]] == ["housing"]
        assert {row["variable"] for row in report["profile"]} == set()  # Madrid has no profile

        clustered = {**period, "cluster_id": world["cluster"]}
        coordinated = _json(client.get(ANALYSIS, params=clustered, headers=world["coordinator"]))
        assert coordinated["people"] == 7
        assert coordinated["organizations"] == 1
        as_csv = client.get(
            ANALYSIS, params=clustered, headers={**world["coordinator"], "Accept": "text/csv"}
        )
        assert as_csv.status_code == 200, as_csv.text
        rows = list(csv.reader(io.StringIO(as_csv.text)))
        assert ["needs", "need", "housing", "gap", "True"] in rows
        assert ["needs", "need", "language", "people", "<5"] in rows

        # Nobody else: a provider, a coordinator of another cluster, or without a cluster.
        for headers, params in [
            (world["provider"], period),
            (world["lonely"], clustered),
        ]:
            assert client.get(ANALYSIS, params=params, headers=headers).status_code == 404
        missing = client.get(ANALYSIS, params=period, headers=world["coordinator"])
        assert missing.status_code == 422
