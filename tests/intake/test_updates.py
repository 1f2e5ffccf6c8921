"""PATCH with If-Match, and the history of every change."""

from __future__ import annotations

import httpx

from tests.intake.conftest import Org, register


async def test_patch_needs_the_current_version(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    created = await register(intake, a)
    url = f"/api/v1/beneficiaries/{created['id']}"
    assert (
        await intake.patch(url, json={"municipality": "Fiumicino"}, headers=a.operator)
    ).status_code == 428
    changed = await intake.patch(
        url,
        json={"municipality": "Fiumicino", "needs": ["housing"]},
        headers={**a.operator, "If-Match": '"1"'},
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] == '"2"'
    assert changed.json()["municipality"] == "Fiumicino"
    stale = await intake.patch(
        url, json={"municipality": "Ostia"}, headers={**a.operator, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert (await intake.get(url, headers=a.operator)).json()["municipality"] == "Fiumicino"


async def test_history_says_who_changed_which_field_when(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    created = await register(intake, a)
    url = f"/api/v1/beneficiaries/{created['id']}"
    await intake.patch(
        url,
        json={"municipality": "Fiumicino", "contact": None},
        headers={**a.operator, "If-Match": '"1"'},
    )
    history = (await intake.get(f"{url}/history", headers=a.operator)).json()["items"]
    assert [entry["action"] for entry in history] == ["registered", "updated"]
    assert history[1]["fields"] == ["contact", "municipality"]
    assert history[1]["changes"]["municipality"] == {"from": "Roma", "to": "Fiumicino"}
    assert history[1]["actor"]


async def test_required_fields_cannot_be_cleared_and_dates_are_checked(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    url = f"/api/v1/beneficiaries/{(await register(intake, a))['id']}"
    headers = {**a.operator, "If-Match": '"1"'}
    cleared = await intake.patch(url, json={"family_name": None}, headers=headers)
    assert cleared.status_code == 422
    before_birth = await intake.patch(url, json={"arrival_date": "1990-01-01"}, headers=headers)
    assert before_birth.status_code == 422
    assert before_birth.json()["errors"][0]["field"] == "body.arrival_date"
    unknown = await intake.patch(url, json={"shoe_size": 42}, headers=headers)
    assert unknown.status_code == 422
    assert (await intake.get(url, headers=a.operator)).headers["etag"] == '"1"'
