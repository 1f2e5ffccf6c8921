"""Opening pathways and who may see them; the loop through the API; rights; closing; caseload."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import httpx
import pytest

from tests.pathways.conftest import ALL_YES, deliver, open_pathway, person, step
from tests.support import Org, envelope


async def test_open_and_visibility(pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]) -> None:
    a, b, c = orgs
    someone = await person(
        pathways, a, shared_with=[(b, ["identity", "pathway"]), (c, ["identity"])]
    )
    created = await open_pathway(pathways, a, someone)
    assert created["stage"] is None
    assert created["allowed_next_steps"] == ["assess"]
    assert created["assigned_to"] == a.operator_id
    url = f"/api/v1/pathways/{created['id']}"
    assert (await pathways.get(url, headers=b.operator)).status_code == 200
    assert (await pathways.get(url, headers=c.operator)).status_code == 404  # no pathway section
    await person(pathways, c)  # owning people of its own opens nobody else's
    assert (
        await pathways.post(
            "/api/v1/pathways", json={"beneficiary_id": str(someone)}, headers=c.operator
        )
    ).status_code == 404
    again = await pathways.post(
        "/api/v1/pathways", json={"beneficiary_id": str(someone)}, headers=a.operator
    )
    assert again.status_code == 409
    theirs = await open_pathway(pathways, b, someone)  # one open pathway per organisation
    assert theirs["organization_id"] == str(b.id)
    write = await step(pathways, b, created["id"], "assess")
    assert write.status_code == 403
    unknown = await pathways.post(
        "/api/v1/pathways", json={"beneficiary_id": str(uuid.uuid4())}, headers=a.operator
    )
    assert unknown.status_code == 404
    provider = await pathways.post(
        "/api/v1/pathways", json={"beneficiary_id": str(someone)}, headers=a.headers("provider")
    )
    assert provider.status_code == 403


async def test_withdrawn_consent_hides_the_pathway_at_once(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    someone = await person(pathways, a, shared_with=[(b, ["pathway"])])
    created = await open_pathway(pathways, a, someone)
    assert (
        await pathways.get(f"/api/v1/pathways/{created['id']}", headers=b.operator)
    ).status_code == 200
    await deliver(
        pathways,
        envelope(
            "beneficiary.access_changed",
            {
                "beneficiary_id": str(someone),
                "owner_organization_id": str(a.id),
                "grants": [],
                "matching_consent": False,
                "version": 2,
            },
        ),
    )
    assert (
        await pathways.get(f"/api/v1/pathways/{created['id']}", headers=b.operator)
    ).status_code == 404
    assert (await pathways.get("/api/v1/pathways", headers=b.operator)).json()["items"] == []


async def test_the_loop_in_order_and_out_of_order(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway = await open_pathway(pathways, a, await person(pathways, a))
    early = await step(pathways, a, pathway["id"], "monitor")
    assert early.status_code == 409
    assert early.json()["allowed_next_steps"] == ["assess"]
    assessed = await step(pathways, a, pathway["id"], "assess")
    assert assessed.status_code == 201
    result = assessed.json()["result"]
    assert result["priority_need"] == "documents_legal"
    assert "conditions 2 other needs" in result["proposal"]["reason"]
    for kind in ("respond", "monitor", "monitor", "adjust", "verify_rights", "assess"):
        answer = await step(pathways, a, pathway["id"], kind)
        assert answer.status_code == 201, (kind, answer.text)
    read = (await pathways.get(f"/api/v1/pathways/{pathway['id']}", headers=a.operator)).json()
    assert (read["stage"], read["cycle"]) == ("assess", 2)
    assert read["allowed_next_steps"] == ["respond"]
    assert read["plan_version"] == 2


async def test_priority_override_needs_an_assessed_need_and_a_reason(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway = await open_pathway(pathways, a, await person(pathways, a))
    from tests.pathways.conftest import ASSESSMENT

    wrong = await step(
        pathways,
        a,
        pathway["id"],
        "assess",
        {**ASSESSMENT, "priority_need": {"domain": "health", "reason": "x"}},
    )
    assert wrong.status_code == 422
    chosen = await step(
        pathways,
        a,
        pathway["id"],
        "assess",
        {**ASSESSMENT, "priority_need": {"domain": "housing", "reason": "Evicted next week"}},
    )
    assert chosen.status_code == 201
    assert chosen.json()["result"]["priority_need"] == "housing"
    assert "Evicted next week" in chosen.json()["result"]["priority_reason"]
    bad_needs = await step(
        pathways,
        a,
        (await open_pathway(pathways, a, await person(pathways, a)))["id"],
        "assess",
        {
            **ASSESSMENT,
            "needs": [
                {"domain": "housing", "severity": "high"},
                {"domain": "housing", "severity": "low"},
            ],
        },
    )
    assert bad_needs.status_code == 422


async def test_two_operators_posting_at_once_do_not_corrupt_the_state(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway = await open_pathway(pathways, a, await person(pathways, a))
    await step(pathways, a, pathway["id"], "assess")
    answers = await asyncio.gather(*(step(pathways, a, pathway["id"], "respond") for _ in range(4)))
    # One is the cycle's response; the others, no longer in turn, would need a reason.
    assert sorted(answer.status_code for answer in answers) == [201, 422, 422, 422]
    read = (await pathways.get(f"/api/v1/pathways/{pathway['id']}", headers=a.operator)).json()
    assert read["stage"] == "respond"
    actions = (
        await pathways.get(f"/api/v1/pathways/{pathway['id']}/actions", headers=a.operator)
    ).json()["items"]
    assert len(actions) == 1


async def _to_rights(client: httpx.AsyncClient, org: Org, pathway_id: str) -> None:
    for kind in ("assess", "respond", "monitor", "adjust"):
        assert (await step(client, org, pathway_id, kind)).status_code == 201


async def test_a_violation_escalates_blocks_closing_and_is_resolved_in_the_next_cycle(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway = await open_pathway(pathways, a, await person(pathways, a))
    url = f"/api/v1/pathways/{pathway['id']}"
    await _to_rights(pathways, a, pathway["id"])
    checked = await step(
        pathways,
        a,
        pathway["id"],
        "verify_rights",
        {
            "answers": {**ALL_YES, "withholding_of_wages": "no"},
            "evidence": {"withholding_of_wages": "Two months unpaid"},
        },
    )
    assert checked.status_code == 201
    assert checked.json()["result"]["violations"] == ["withholding_of_wages"]
    read = (await pathways.get(url, headers=a.operator)).json()
    assert read["open_rights_violations"] == 1
    assert read["urgent"] is True
    escalations = [
        item
        for item in (await pathways.get(f"{url}/actions", headers=a.operator)).json()["items"]
        if item["type"] == "escalation"
    ]
    assert {item["escalation_target"] for item in escalations} == {
        "trade_union",
        "labour_inspectorate",
    }
    refused = await pathways.post(
        f"{url}/close", json={"outcome": "formal_employment"}, headers=a.operator
    )
    assert refused.status_code == 409
    incomplete = await step(pathways, a, pathway["id"], "assess")
    assert incomplete.status_code == 201
    for kind in ("respond", "monitor", "adjust"):
        await step(pathways, a, pathway["id"], kind)
    resolved = await step(pathways, a, pathway["id"], "verify_rights", {"answers": ALL_YES})
    assert resolved.json()["result"]["resolved"] == ["withholding_of_wages"]
    read = (await pathways.get(url, headers=a.operator)).json()
    assert (read["open_rights_violations"], read["urgent"]) == (0, False)
    closed = await pathways.post(
        f"{url}/close", json={"outcome": "formal_employment"}, headers=a.operator
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    ladder = (await pathways.get(f"{url}/employment", headers=a.operator)).json()
    assert [(m["from_status"], m["to_status"]) for m in ladder["transitions"]] == [
        ("informal", "formal_employment")
    ]
    follow_ups = (await pathways.get(f"{url}/follow-ups", headers=a.operator)).json()["items"]
    assert [item["months"] for item in follow_ups] == [3, 6, 12]
    recorded = await pathways.post(
        f"{url}/follow-ups/{follow_ups[0]['id']}",
        json={"still_in_work": True, "contract_type": "fixed_term", "hours_per_week": 36},
        headers=a.operator,
    )
    assert recorded.status_code == 200


async def test_an_org_admin_may_override_with_a_reason(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway = await open_pathway(pathways, a, await person(pathways, a))
    await _to_rights(pathways, a, pathway["id"])
    await step(
        pathways,
        a,
        pathway["id"],
        "verify_rights",
        {"answers": {**ALL_YES, "written_contract": "no"}},
    )
    url = f"/api/v1/pathways/{pathway['id']}/close"
    by_operator = await pathways.post(
        url,
        json={"outcome": "moved_away", "override_reason": "Moved to Germany"},
        headers=a.operator,
    )
    assert by_operator.status_code == 409
    by_admin = await pathways.post(
        url, json={"outcome": "moved_away", "override_reason": "Moved to Germany"}, headers=a.admin
    )
    assert by_admin.status_code == 200


async def test_incomplete_checklists_are_refused(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway = await open_pathway(pathways, a, await person(pathways, a))
    await _to_rights(pathways, a, pathway["id"])
    missing = dict(ALL_YES)
    missing.pop("minimum_pay")
    answer = await step(pathways, a, pathway["id"], "verify_rights", {"answers": missing})
    assert answer.status_code == 422
    read = (await pathways.get(f"/api/v1/pathways/{pathway['id']}", headers=a.operator)).json()
    assert read["stage"] == "adjust"  # nothing recorded


async def test_monitoring_moves_the_ladder_and_schedules_follow_ups(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway = await open_pathway(pathways, a, await person(pathways, a))
    url = f"/api/v1/pathways/{pathway['id']}"
    await step(pathways, a, pathway["id"], "assess")
    await step(pathways, a, pathway["id"], "respond")
    today = date.today()
    monitored = await step(
        pathways,
        a,
        pathway["id"],
        "monitor",
        {"employment_status": "precarious_formal", "date": today.isoformat()},
    )
    assert monitored.json()["result"]["placement_follow_ups_scheduled"] is True
    read = (await pathways.get(url, headers=a.operator)).json()
    assert read["next_monitoring_due"] == (today + timedelta(days=30)).isoformat()
    assert read["employment_status"] == "precarious_formal"
    future = await step(
        pathways, a, pathway["id"], "monitor", {"date": (today + timedelta(days=3)).isoformat()}
    )
    assert future.status_code == 422


async def test_actions_update_with_if_match_and_recognition_steps_in_order(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    pathway = await open_pathway(pathways, a, await person(pathways, a))
    await step(pathways, a, pathway["id"], "assess")
    await step(
        pathways,
        a,
        pathway["id"],
        "respond",
        {
            "actions": [
                {"type": "qualification_recognition", "title": "Recognise the Egyptian diploma"}
            ]
        },
    )
    action = (
        await pathways.get(f"/api/v1/pathways/{pathway['id']}/actions", headers=a.operator)
    ).json()["items"][0]
    url = f"/api/v1/pathways/{pathway['id']}/actions/{action['id']}"
    assert (
        await pathways.patch(url, json={"status": "in_progress"}, headers=a.operator)
    ).status_code == 428
    etag = (await pathways.get(url, headers=a.operator)).headers["etag"]
    skipped = await pathways.patch(
        url,
        json={"recognition": {"submitted": date.today().isoformat()}},
        headers={**a.operator, "If-Match": etag},
    )
    assert skipped.status_code == 422
    ok = await pathways.patch(
        url,
        json={
            "status": "in_progress",
            "recognition": {"documents_gathered": date.today().isoformat()},
        },
        headers={**a.operator, "If-Match": etag},
    )
    assert ok.status_code == 200
    assert ok.json()["recognition"]["documents_gathered"] == date.today().isoformat()
    stale = await pathways.patch(
        url, json={"status": "done"}, headers={**a.operator, "If-Match": etag}
    )
    assert stale.status_code == 412
    back = await pathways.patch(
        url, json={"status": "planned"}, headers={**a.operator, "If-Match": ok.headers["etag"]}
    )
    assert back.status_code == 422


async def test_the_caseload_puts_urgent_and_late_first(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    calm = await open_pathway(pathways, a, await person(pathways, a))
    late = await open_pathway(pathways, a, await person(pathways, a))
    urgent = await open_pathway(pathways, a, await person(pathways, a))
    expiring = await open_pathway(
        pathways,
        a,
        await person(
            pathways, a, permit_expires_on=(date.today() + timedelta(days=20)).isoformat()
        ),
    )
    await step(pathways, a, calm["id"], "assess")
    await step(pathways, a, late["id"], "assess")
    await step(
        pathways,
        a,
        late["id"],
        "respond",
        {
            "actions": [
                {
                    "type": "legal_aid",
                    "title": "x",
                    "due_date": (date.today() - timedelta(days=1)).isoformat(),
                }
            ]
        },
    )
    await _to_rights(pathways, a, urgent["id"])
    await step(
        pathways,
        a,
        urgent["id"],
        "verify_rights",
        {"answers": {**ALL_YES, "debt_bondage": "no", "no_debt_to_employer": "no"}},
    )
    caseload = await pathways.get(
        "/api/v1/pathways", params={"assigned_to": "me", "overdue": "true"}, headers=a.operator
    )
    items = caseload.json()["items"]
    assert [item["id"] for item in items][:2] == [urgent["id"], late["id"]]
    assert {item["id"] for item in items} == {urgent["id"], late["id"], expiring["id"]}
    assert (
        "permit_expiring"
        in next(item for item in items if item["id"] == expiring["id"])["attention"]
    )
    other = await pathways.get(
        "/api/v1/pathways",
        params={"assigned_to": "me"},
        headers=a.headers("operator", subject=str(uuid.uuid4())),
    )
    assert other.json()["items"] == []


async def test_timeline_tells_who_did_what(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    """(A reassignment's entry, which needs the gateway to know the new operator, is in
    test_assignment.py.)"""
    a, _, _ = orgs
    pathway = await open_pathway(pathways, a, await person(pathways, a))
    await step(pathways, a, pathway["id"], "assess")
    entries = (
        await pathways.get(f"/api/v1/pathways/{pathway['id']}/timeline", headers=a.operator)
    ).json()["items"]
    assert [entry["kind"] for entry in entries] == ["opened", "employment_status", "step:assess"]
    assert all(entry["actor"] == a.operator_id for entry in entries)


@pytest.mark.parametrize("accept", ["application/json", "text/csv"])
async def test_indicators_count_and_hide_small_cells(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], accept: str
) -> None:
    a, b, _ = orgs
    for index in range(6):
        pathway = await open_pathway(
            pathways, a, await person(pathways, a, sex="female" if index < 5 else "male")
        )
        await step(pathways, a, pathway["id"], "assess")
        await pathways.post(
            f"/api/v1/pathways/{pathway['id']}/close",
            json={"outcome": "formal_employment"},
            headers=a.operator,
        )
    await open_pathway(pathways, b, await person(pathways, b))
    # An operator's report is protected (it may travel); the org admin's own counts are exact.
    answer = await pathways.get(
        "/api/v1/reports/indicators", headers={**a.operator, "Accept": accept}
    )
    assert answer.status_code == 200
    if accept == "text/csv":
        assert answer.text.splitlines()[0] == "section,dimension,value,count"
        assert "employment_transitions,informal,formal_employment,6" in answer.text
        return
    report = answer.json()
    # 5 women and 1 man: with the total shown, "<5" men would be 6 - 5 = 1. Withholding the
    # women is not enough (a reader knows a withheld cell holds 5 or more: men = 1 again), so
    # the total is withheld too, and with it every cell of the other breakdowns of that total
    # (all six in one age band: that line alone would add up to 6).
    assert report["people_reached"]["total"] == "withheld"
    assert report["people_reached"]["by_sex"] == {"female": "withheld", "male": "withheld"}
    assert set(report["people_reached"]["by_age_band"].values()) <= {"withheld", 0}
    assert report["employment_transitions"] == {"informal": {"formal_employment": 6}}
    assert report["pathways_closed"]["by_outcome"] == {"formal_employment": 6}
    assert report["first_formal_contract"]["people"] == 6
    assert report["first_formal_contract"]["median_days"] == 0.0
    own = (await pathways.get("/api/v1/reports/indicators", headers=a.admin)).json()
    assert own["people_reached"]["total"] == 6
    assert own["people_reached"]["by_sex"] == {"female": 5, "male": 1}
    assert own["small_cells"].startswith("exact")
    provider = await pathways.get("/api/v1/reports/indicators", headers=a.headers("provider"))
    assert provider.status_code == 403


async def test_an_organisation_with_two_grants_for_one_person_keeps_both(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    """A sharing consent and an emergency access for the same organisation are two grants, each
    with its sections and expiry (the mirror once refused the second, stalling every event)."""
    a, b, _ = orgs
    someone = await person(pathways, a)
    created = await open_pathway(pathways, a, someone)
    url = f"/api/v1/pathways/{created['id']}"

    async def grants(*given: tuple[list[str], str | None], version: int) -> None:
        await deliver(
            pathways,
            envelope(
                "beneficiary.access_changed",
                {
                    "beneficiary_id": str(someone),
                    "owner_organization_id": str(a.id),
                    "grants": [
                        {"organization_id": str(b.id), "sections": sections, "expires_at": until}
                        for sections, until in given
                    ],
                    "matching_consent": False,
                    "version": version,
                },
            ),
        )

    past = "2020-01-01T00:00:00+00:00"
    await grants((["identity"], None), (["identity", "pathway"], past), version=2)
    assert (await pathways.get(url, headers=b.operator)).status_code == 404  # expired
    await grants(
        (["identity"], None), (["identity", "pathway"], "2999-01-01T00:00:00+00:00"), version=3
    )
    assert (await pathways.get(url, headers=b.operator)).status_code == 200


async def test_a_platform_admin_never_works_on_cases_whatever_else_it_holds(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    """Separation of duties: a token that is platform_admin and also a case role of the owning
    organisation (an old bootstrap admin, an external issuer's) sees and opens nothing."""
    a, _, _ = orgs
    someone = await person(pathways, a)
    created = await open_pathway(pathways, a, someone)
    for roles in (("platform_admin", "org_admin"), ("platform_admin", "operator")):
        headers = a.headers(*roles)
        url = f"/api/v1/pathways/{created['id']}"
        assert (await pathways.get(url, headers=headers)).status_code == 404
        listed = await pathways.get("/api/v1/pathways", headers=headers)
        assert listed.status_code == 200
        assert str(someone) not in listed.text
        opened = await pathways.post(
            "/api/v1/pathways", json={"beneficiary_id": str(someone)}, headers=headers
        )
        assert opened.status_code == 403


async def test_a_batch_read_of_pathways_gives_those_the_caller_may_see(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, c = orgs
    shared = await person(pathways, a, shared_with=[(b, ["identity", "pathway"])])
    hidden = await person(pathways, a, shared_with=[(c, ["identity"])])  # no pathway section
    first = await open_pathway(pathways, a, shared)
    second = await open_pathway(pathways, a, hidden)
    asked = httpx.QueryParams({"id": [first["id"], second["id"], str(uuid.uuid4())], "limit": 200})
    own = await pathways.get("/api/v1/pathways", params=asked, headers=a.operator)
    assert sorted(item["id"] for item in own.json()["items"]) == sorted([first["id"], second["id"]])
    for org, expected in ((b, [first["id"]]), (c, [])):
        answer = await pathways.get("/api/v1/pathways", params=asked, headers=org.operator)
        assert [item["id"] for item in answer.json()["items"]] == expected
