"""Projects and funds: a lead organisation sets up a project with its partners and reporting
periods; the staff of both enrol the people they may see, with the eligibility the fund asks for;
participants' feedback is recorded on their pathways; and the fund's common indicators count the
participants for a project and period, JSON and CSV, with small cells protected."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

import httpx

from services.pathways.schemas.reports import FundIndicatorsReport
from shared.testing.tokens import TestIssuer
from tests.pathways.conftest import INTERNAL, deliver, open_pathway, person, step
from tests.support import Org, as_documented, envelope

YEAR = date.today().year
INTERNAL_HEADERS = {"Authorization": f"Bearer {INTERNAL}"}
PROJECT = {
    "name": "LIME Latina",
    "fund": "amif",
    "grant_code": "101140211",
    "starts_on": f"{YEAR - 1}-01-01",
    "ends_on": f"{YEAR + 1}-12-31",
    "reporting_periods": [
        {"label": str(YEAR - 1), "from": f"{YEAR - 1}-01-01", "to": f"{YEAR - 1}-12-31"},
        {"label": str(YEAR), "from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"},
    ],
}


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    body: dict[str, Any] = answer.json()
    return body


async def _project(pathways: httpx.AsyncClient, lead: Org, *partners: Org) -> dict[str, Any]:
    body = {**PROJECT, "partner_organization_ids": [str(org.id) for org in partners]}
    return _ok(await pathways.post("/api/v1/projects", json=body, headers=lead.admin))


def _enrolment(beneficiary: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    return {"beneficiary_id": str(beneficiary), "third_country_national": True,
            "evidence": "residence_permit", **overrides}  # fmt: skip


async def test_a_lead_sets_up_a_project_its_partners_read_and_nobody_else_sees(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, c = orgs
    refused = await pathways.post("/api/v1/projects", json=PROJECT, headers=a.operator)
    assert refused.status_code == 403
    bad = {**PROJECT, "reporting_periods": [{"label": "x", "from": f"{YEAR + 3}-01-01",
                                             "to": f"{YEAR + 3}-06-30"}]}  # fmt: skip
    invalid = await pathways.post("/api/v1/projects", json=bad, headers=a.admin)
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "body.reporting_periods.0"

    project = await _project(pathways, a, b)
    url = f"/api/v1/projects/{project['id']}"
    assert project["partner_organization_ids"] == [str(b.id)]
    assert project["reporting_periods"][1] == PROJECT["reporting_periods"][1]
    assert (await pathways.get(url, headers=b.operator)).status_code == 200
    assert (await pathways.get(url, headers=c.admin)).status_code == 404
    listed = _ok(await pathways.get("/api/v1/projects", headers=b.operator))["items"]
    assert project["id"] in [item["id"] for item in listed]
    assert _ok(await pathways.get("/api/v1/projects", headers=c.admin))["items"] == []

    etag = (await pathways.get(url, headers=a.admin)).headers["ETag"]
    by_partner = await pathways.patch(
        url, json={"name": "Renamed"}, headers={**b.admin, "If-Match": etag}
    )
    assert by_partner.status_code == 403
    renamed = await pathways.patch(
        url, json={"name": "LIME Latina II"}, headers={**a.admin, "If-Match": etag}
    )
    assert _ok(renamed)["name"] == "LIME Latina II"
    stale = await pathways.patch(url, json={"name": "x"}, headers={**a.admin, "If-Match": etag})
    assert stale.status_code == 412


async def test_enrolment_is_for_people_the_caller_sees_with_the_funds_eligibility(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, c = orgs
    project = await _project(pathways, a, b)
    url = f"/api/v1/projects/{project['id']}/participants"
    mine = await person(pathways, a)
    theirs = await person(pathways, c)  # C's person, shared with nobody
    partners = await person(pathways, b)

    not_eligible = await pathways.post(
        url, json=_enrolment(mine, third_country_national=False), headers=a.operator
    )
    assert not_eligible.status_code == 422
    assert (
        await pathways.post(url, json=_enrolment(theirs), headers=a.operator)
    ).status_code == 404
    first = await pathways.post(url, json=_enrolment(mine), headers=a.operator)
    assert first.status_code == 201, first.text
    again = await pathways.post(url, json=_enrolment(mine), headers=a.operator)
    assert again.status_code == 200
    assert again.json()["enrolled_on"] == first.json()["enrolled_on"]
    assert (
        await pathways.post(url, json=_enrolment(partners), headers=b.operator)
    ).status_code == 201
    assert (await pathways.post(url, json=_enrolment(mine), headers=c.operator)).status_code == 404

    def ids(answer: httpx.Response) -> set[str]:
        return {item["beneficiary_id"] for item in _ok(answer)["items"]}

    assert ids(await pathways.get(url, headers=a.operator)) == {str(mine)}  # not B's person
    assert ids(await pathways.get(url, headers=b.operator)) == {str(partners)}
    denied = await pathways.delete(f"{url}/{mine}", headers=b.admin)
    assert denied.status_code == 404  # B does not see A's person
    assert (await pathways.delete(f"{url}/{mine}", headers=a.operator)).status_code == 204
    assert ids(await pathways.get(url, headers=a.operator)) == set()


async def _participant_with_a_course(
    pathways: httpx.AsyncClient, org: Org, project: dict[str, Any], *, sex: str, levels: list[str]
) -> tuple[uuid.UUID, dict[str, Any]]:
    """A participant of the project with a language course on their plan and follow-ups that
    recorded ``levels`` in Italian, one after another."""
    beneficiary = await person(
        pathways, org, sex=sex, birth_date="1994-02-03", arrival_date=f"{YEAR - 3}-03-15"
    )
    url = f"/api/v1/projects/{project['id']}/participants"
    _ok(await pathways.post(url, json=_enrolment(beneficiary), headers=org.operator))
    pathway = await open_pathway(pathways, org, beneficiary)
    _ok(await step(pathways, org, pathway["id"], "assess"))
    course = {"actions": [{"type": "language_course", "title": "Italian A2-B1"},
                          {"type": "civic_orientation", "title": "Civic orientation"}]}  # fmt: skip
    _ok(await step(pathways, org, pathway["id"], "respond", course))
    for level in levels:
        body = {"progress": [], "language_level": {"code": "it", "level": level}}
        _ok(await step(pathways, org, pathway["id"], "monitor", body))
    return beneficiary, pathway


async def test_the_funds_indicators_count_participants_by_sex_and_age_json_and_csv(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, c = orgs
    project = await _project(pathways, a, b)
    people = []
    for index in range(6):
        levels = ["A2", "B1"] if index < 5 else ["A2", "A2"]
        people.append(
            await _participant_with_a_course(pathways, a, project, sex="female", levels=levels)
        )
    for _beneficiary, pathway in people[:5]:
        feedback = f"/api/v1/pathways/{pathway['id']}/feedback"
        _ok(await pathways.post(feedback, json={"helped_integration": "yes"}, headers=a.operator))
    _beneficiary, pathway = people[5]
    no = await pathways.post(
        f"/api/v1/pathways/{pathway['id']}/feedback",
        json={"helped_integration": "no", "satisfaction": 2},
        headers=a.operator,
    )
    assert no.status_code == 201, no.text
    assert (
        await pathways.post(
            f"/api/v1/pathways/{pathway['id']}/feedback",
            json={"helped_integration": "yes"},
            headers=b.operator,
        )
    ).status_code in (403, 404)  # not B's pathway
    outsider = await person(pathways, a, sex="male")  # not a participant: never counted
    await _participant_pathway_only(pathways, a, outsider)

    query = {"project_id": project["id"]}
    report = _ok(await pathways.get("/api/v1/reports/fund-indicators", params=query,
                                    headers=b.admin))  # fmt: skip
    as_documented(FundIndicatorsReport, report)
    assert report["period"] == {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"}
    by_code = {item["code"]: item for item in report["indicators"]}
    assert by_code["language_course"]["total"] == 6
    assert by_code["language_course"]["by_sex"] == {"female": 6}
    assert by_code["language_course"]["by_arrival_band"] == {"2-5": 6}  # arrived 3 years ago
    assert by_code["language_course"]["reference"].endswith("output indicator 3.1")
    assert by_code["civic_orientation"]["total"] == 6
    assert by_code["individual_guidance"]["total"] == 6
    assert by_code["language_level_improved"]["total"] == 5
    assert by_code["helped_integration"]["total"] == 5
    assert by_code["recognition_applied"]["total"] == 0
    assert not by_code["long_term_residence_applied"]["supported"]
    assert by_code["long_term_residence_applied"]["not_supported_because"]
    assert report["participants"]["total"] == 6

    earlier = _ok(await pathways.get("/api/v1/reports/fund-indicators", headers=a.admin,
                                     params={**query, "date_from": f"{YEAR - 1}-01-01",
                                             "date_to": f"{YEAR - 1}-12-31"}))  # fmt: skip
    assert {item["code"]: item.get("total") for item in earlier["indicators"]}[
        "language_course"
    ] == 0

    as_csv = await pathways.get(
        "/api/v1/reports/fund-indicators", params=query, headers={**a.admin, "Accept": "text/csv"}
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0] == ["indicator", "number", "kind", "breakdown", "value", "count"]
    assert ["language_level_improved", "8", "result", "total", "", "5"] in rows
    assert ["language_course", "3.1", "output", "sex", "female", "6"] in rows
    assert ["language_course", "3.1", "output", "arrival_band", "2-5", "6"] in rows

    assert (await pathways.get("/api/v1/reports/fund-indicators", params=query,
                               headers=c.admin)).status_code == 404  # fmt: skip
    assert (await pathways.get("/api/v1/reports/fund-indicators", params=query,
                               headers=a.provider)).status_code == 403  # fmt: skip


async def _participant_pathway_only(
    pathways: httpx.AsyncClient, org: Org, beneficiary: uuid.UUID
) -> None:
    pathway = await open_pathway(pathways, org, beneficiary)
    _ok(await step(pathways, org, pathway["id"], "assess"))
    course = {"actions": [{"type": "language_course", "title": "Italian A1"}]}
    _ok(await step(pathways, org, pathway["id"], "respond", course))


async def test_small_counts_are_protected_in_the_funds_indicators(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    project = await _project(pathways, a)
    await _participant_with_a_course(pathways, a, project, sex="female", levels=["A1", "A2"])
    for sex in ("male",) * 5:
        await _participant_with_a_course(pathways, a, project, sex=sex, levels=[])
    query = {"project_id": project["id"]}
    report = _ok(
        await pathways.get("/api/v1/reports/fund-indicators", params=query, headers=a.admin)
    )
    by_code = {item["code"]: item for item in report["indicators"]}
    course = by_code["language_course"]
    # 1 woman and 5 men: the total would give her away, so it is withheld, and so is every cell
    # of the other breakdown, which would add up to it
    assert course["total"] == "withheld"
    assert course["by_sex"] == {"female": "withheld", "male": "withheld"}
    assert course["by_age_band"] == {"30-39": "withheld"}
    assert course["by_arrival_band"] == {"2-5": "withheld"}
    assert by_code["language_level_improved"]["total"] == "<5"


async def test_a_merge_moves_enrolments_and_answers_and_the_export_holds_them(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    project = await _project(pathways, a)
    url = f"/api/v1/projects/{project['id']}/participants"
    survivor, merged = await person(pathways, a), await person(pathways, a)
    for someone in (survivor, merged):
        _ok(await pathways.post(url, json=_enrolment(someone), headers=a.operator))
    pathway = await open_pathway(pathways, a, merged)
    answer = _ok(
        await pathways.post(
            f"/api/v1/pathways/{pathway['id']}/feedback",
            json={"helped_integration": "partly"},
            headers=a.operator,
        )
    )
    merged_event = {"merged_id": str(merged), "survivor_id": str(survivor),
                    "organization_id": str(a.id)}  # fmt: skip
    await deliver(pathways, envelope("beneficiary.merged", merged_event))
    listed = _ok(await pathways.get(url, headers=a.operator))["items"]
    assert [item["beneficiary_id"] for item in listed] == [str(survivor)]  # one enrolment left
    export = _ok(
        await pathways.get(f"/internal/beneficiaries/{survivor}/export", headers=INTERNAL_HEADERS)
    )
    assert [row["project_id"] for row in export["project_enrolments"]] == [project["id"]]
    assert [row["id"] for row in export["feedback"]] == [answer["id"]]


async def test_the_person_answers_the_questionnaire_in_the_app_on_their_own_pathway_once(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], issuer: TestIssuer
) -> None:
    a, _, _ = orgs
    someone, other = await person(pathways, a), await person(pathways, a)
    mine, theirs = await open_pathway(pathways, a, someone), await open_pathway(pathways, a, other)
    app = issuer.headers(roles=("beneficiary",), beneficiary_id=someone)
    answer = {"helped_integration": "yes", "satisfaction": 5}
    retried = {**app, "Idempotency-Key": "feedback-after-the-course-1"}
    first = await pathways.post(f"/api/v1/me/pathways/{mine['id']}/feedback", json=answer,
                                headers=retried)  # fmt: skip
    again = await pathways.post(f"/api/v1/me/pathways/{mine['id']}/feedback", json=answer,
                                headers=retried)  # fmt: skip
    assert first.status_code == 201, first.text
    assert again.json()["id"] == first.json()["id"]  # a retry on a flaky network: one answer
    assert first.json()["source"] == "self_service"
    not_mine = await pathways.post(
        f"/api/v1/me/pathways/{theirs['id']}/feedback", json=answer, headers=app
    )
    assert not_mine.status_code == 404
    staff = await pathways.post(
        f"/api/v1/me/pathways/{mine['id']}/feedback", json=answer, headers=a.operator
    )
    assert staff.status_code == 403
    listed = _ok(await pathways.get(f"/api/v1/pathways/{mine['id']}/feedback",
                                    headers=a.operator))["items"]  # fmt: skip
    assert [item["id"] for item in listed] == [first.json()["id"]]
