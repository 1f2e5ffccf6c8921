"""An action carried out under a funded project: tagged when planned or later, only with a project
the organisation takes part in and the person is enrolled in (one 422 otherwise, telling nothing
of other organisations' projects); the fund's indicators count a tagged action for its project
only, an untagged one for every project the person is in."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.pathways.conftest import open_pathway, person, step
from tests.pathways.test_business import _patch
from tests.pathways.test_projects import _enrolment, _ok, _project
from tests.support import Org

REPORT = "/api/v1/reports/fund-indicators"


async def _participant(
    pathways: httpx.AsyncClient, org: Org, *projects: dict[str, Any]
) -> dict[str, Any]:
    beneficiary = await person(pathways, org)
    for project in projects:
        url = f"/api/v1/projects/{project['id']}/participants"
        _ok(await pathways.post(url, json=_enrolment(beneficiary), headers=org.operator))
    pathway = await open_pathway(pathways, org, beneficiary)
    _ok(await step(pathways, org, pathway["id"], "assess"))
    return pathway


async def _actions(
    pathways: httpx.AsyncClient, org: Org, pathway: dict[str, Any]
) -> list[dict[str, Any]]:
    answer = await pathways.get(f"/api/v1/pathways/{pathway['id']}/actions", headers=org.operator)
    assert answer.status_code == 200, answer.text
    listed: list[dict[str, Any]] = answer.json()["items"]
    return listed


async def _counted(
    pathways: httpx.AsyncClient, org: Org, project: dict[str, Any]
) -> dict[str, Any]:
    report = _ok(
        await pathways.get(REPORT, params={"project_id": project["id"]}, headers=org.admin)
    )
    return {item["code"]: item.get("total") for item in report["indicators"]}


async def test_a_tagged_action_counts_for_its_project_only(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    amif, esf = await _project(pathways, a), await _project(pathways, a)
    plan = {
        "actions": [
            {"type": "language_course", "title": "Italian A2", "project_id": esf["id"]},
            {"type": "civic_orientation", "title": "Civic orientation"},
        ]
    }
    courses = []  # the fund's indicators are always protected: five people, not one
    for _ in range(5):
        pathway = await _participant(pathways, a, amif, esf)
        _ok(await step(pathways, a, pathway["id"], "respond", plan))
        url = f"/api/v1/pathways/{pathway['id']}/actions"
        actions = {item["type"]: item for item in await _actions(pathways, a, pathway)}
        assert actions["language_course"]["project_id"] == esf["id"]
        assert actions["civic_orientation"]["project_id"] is None
        courses.append(f"{url}/{actions['language_course']['id']}")

    assert (await _counted(pathways, a, esf))["language_course"] == 5
    in_amif = await _counted(pathways, a, amif)
    assert in_amif["language_course"] == 0  # ESF+ paid for it
    assert in_amif["civic_orientation"] == 5  # untagged: in every project the person is in

    # Moved to the AMIF project, then untagged: the counts follow.
    for course in courses:
        _ok(await _patch(pathways, a, course, {"project_id": amif["id"]}))
    assert (await _counted(pathways, a, esf))["language_course"] == 0
    assert (await _counted(pathways, a, amif))["language_course"] == 5
    for course in courses:
        _ok(await _patch(pathways, a, course, {"project_id": None}))
        assert _ok(await pathways.get(course, headers=a.operator))["project_id"] is None
    assert (await _counted(pathways, a, esf))["language_course"] == 5
    # The timeline says which project it moved from and to, and who moved it.
    timeline = await pathways.get(f"{courses[0].split('/actions/')[0]}/timeline",
                                  headers=a.operator)  # fmt: skip
    moves = [entry["summary"]["project"] for entry in timeline.json()["items"]
             if entry["kind"] == "action_updated"]  # fmt: skip
    assert moves == [{"from": esf["id"], "to": amif["id"]}, {"from": amif["id"], "to": None}]


async def test_only_a_project_of_the_organisation_with_the_person_enrolled(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, c = orgs
    own = await _project(pathways, a)
    partnered = await _project(pathways, c, a)  # A is a partner of C's project
    others = await _project(pathways, b)  # B's alone
    enrolled = await _participant(pathways, a, own, partnered)
    not_enrolled = await _participant(pathways, a)
    course = {"type": "language_course", "title": "Italian A2"}

    partner_plan = {"actions": [{**course, "project_id": partnered["id"]}]}
    _ok(await step(pathways, a, enrolled["id"], "respond", partner_plan))
    for pathway, project in (
        (not_enrolled, own["id"]),  # the person is not a participant
        (await _participant(pathways, a, own), others["id"]),  # another organisation's project
        (await _participant(pathways, a, own), str(uuid.uuid4())),  # no such project
    ):
        plan = {"actions": [course, {**course, "project_id": project}]}
        refused = await step(pathways, a, pathway["id"], "respond", plan)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        (error,) = refused.json()["errors"]
        assert error["field"] == "body.actions.1.project_id"
        assert "enrolled" in error["message"]
        assert await _actions(pathways, a, pathway) == []  # nothing of the plan was kept
    url = f"/api/v1/pathways/{enrolled['id']}/actions"
    listed = await _actions(pathways, a, enrolled)
    assert [item["project_id"] for item in listed] == [partnered["id"]]
    moved = await _patch(pathways, a, f"{url}/{listed[0]['id']}", {"project_id": others["id"]})
    assert moved.status_code == 422
    assert moved.json()["errors"][0]["field"] == "body.project_id"


async def test_only_the_pathways_organisation_reads_which_project_an_action_is_under(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    project = await _project(pathways, a)
    beneficiary = await person(pathways, a, shared_with=[(b, ["identity", "pathway"])])
    url = f"/api/v1/projects/{project['id']}/participants"
    _ok(await pathways.post(url, json=_enrolment(beneficiary), headers=a.operator))
    pathway = await open_pathway(pathways, a, beneficiary)
    _ok(await step(pathways, a, pathway["id"], "assess"))
    plan = {"actions": [{"type": "language_course", "title": "Italian A2",
                         "project_id": project["id"]}]}  # fmt: skip
    _ok(await step(pathways, a, pathway["id"], "respond", plan))
    (own,) = await _actions(pathways, a, pathway)
    assert own["project_id"] == project["id"]
    (shared,) = await _actions(pathways, b, pathway)  # B sees the pathway, not A's project
    assert shared["id"] == own["id"]
    assert shared["project_id"] is None
    one = await pathways.get(
        f"/api/v1/pathways/{pathway['id']}/actions/{own['id']}", headers=b.operator
    )
    assert one.json()["project_id"] is None
