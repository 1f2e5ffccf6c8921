"""A person who plans to start a business: an entrepreneurship action carries the milestones of
starting one (idea, business plan, microcredit, registration, first revenue), dated as they are
reached, in an order that makes sense; the organisation's indicators count them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from services.pathways.schemas.reports import IndicatorsReport
from tests.pathways.conftest import open_pathway, person, step
from tests.support import Org, as_documented

PLAN = {
    "actions": [
        {"type": "entrepreneurship_workshop", "title": "Start a tailoring shop"},
        {"type": "language_course", "title": "Italian B1"},
    ]
}


async def _actions(pathways: httpx.AsyncClient, org: Org) -> tuple[str, dict[str, Any]]:
    pathway = await open_pathway(pathways, org, await person(pathways, org))
    assert (await step(pathways, org, pathway["id"], "assess")).status_code == 201
    assert (await step(pathways, org, pathway["id"], "respond", PLAN)).status_code == 201
    url = f"/api/v1/pathways/{pathway['id']}/actions"
    listed = (await pathways.get(url, headers=org.operator)).json()["items"]
    return url, {action["type"]: action for action in listed}


async def _patch(
    pathways: httpx.AsyncClient, org: Org, url: str, body: dict[str, Any]
) -> httpx.Response:
    etag = (await pathways.get(url, headers=org.operator)).headers["ETag"]
    return await pathways.patch(url, json=body, headers={**org.operator, "If-Match": etag})


async def test_an_entrepreneurship_action_dates_its_milestones_in_order(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    url, actions = await _actions(pathways, a)
    shop = actions["entrepreneurship_workshop"]
    assert shop["business"] == {}  # opened with the action, nothing reached yet
    assert actions["language_course"]["business"] is None
    one = f"{url}/{shop['id']}"
    today = date.today()
    started = {"idea": (today - timedelta(days=30)).isoformat(),
               "business_plan": (today - timedelta(days=10)).isoformat()}  # fmt: skip
    answer = await _patch(pathways, a, one, {"business": started})
    assert answer.status_code == 200, answer.text
    assert answer.json()["business"] == started

    too_soon = {"registration": (today - timedelta(days=20)).isoformat()}  # before the plan
    revenue_first = {"first_revenue": today.isoformat()}  # nothing registered yet
    future = {"registration": (today + timedelta(days=3)).isoformat()}
    for body in (too_soon, revenue_first, future):
        refused = await _patch(pathways, a, one, {"business": body})
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"] == "body.business"
    course = f"{url}/{actions['language_course']['id']}"
    wrong_kind = await _patch(pathways, a, course, {"business": {"idea": today.isoformat()}})
    assert wrong_kind.status_code == 422

    registered = await _patch(pathways, a, one, {"business": {"registration": today.isoformat()}})
    assert registered.json()["business"] == {**started, "registration": today.isoformat()}

    own = as_documented(
        IndicatorsReport,
        (await pathways.get("/api/v1/reports/indicators", headers=a.admin)).json(),
    )
    assert own["business_milestones"] == {
        "idea": 1,
        "business_plan": 1,
        "microcredit": 0,
        "registration": 1,
        "first_revenue": 0,
    }
    protected = as_documented(
        IndicatorsReport,
        (await pathways.get("/api/v1/reports/indicators", headers=a.operator)).json(),
    )
    assert protected["business_milestones"]["registration"] == "<5"
