"""Appointments in the pathways service (over ASGI, real PostgreSQL): booking checks what it names
before storing anything, lists follow the person's visibility and the start time, attendance
follows its rules with the clock set, the person sees only their own upcoming ones, and erasure
and merge reach them. The service point path (checked with matching) is in the e2e test."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from services.pathways.app import create_app
from services.pathways.db.models import metadata
from services.pathways.settings import PathwaysSettings
from shared import clock
from shared.testing.tokens import TestIssuer
from tests.pathways.conftest import INTERNAL, RESPONSE, deliver, open_pathway, person, step
from tests.support import Org, envelope, serve, truncate
from tools.processes import free_port

URL = "/api/v1/appointments"
INTERNAL_HEADERS = {"Authorization": f"Bearer {INTERNAL}"}
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def body(beneficiary_id: uuid.UUID, **fields: Any) -> dict[str, Any]:
    return {
        "beneficiary_id": str(beneficiary_id),
        "start_at": (NOW + timedelta(days=2)).isoformat(),
        "duration_minutes": 45,
        "address": "Via Roma 1, Latina",
        "purpose": "Plan review",
        **fields,
    }


async def book(client: httpx.AsyncClient, org: Org, payload: dict[str, Any]) -> dict[str, Any]:
    answer = await client.post(URL, json=payload, headers=org.operator)
    assert answer.status_code == 201, answer.text
    assert answer.headers["Location"] == f"{URL}/{answer.json()['id']}"
    assert answer.headers["ETag"] == '"1"'
    created: dict[str, Any] = answer.json()
    return created


async def count(client: httpx.AsyncClient, org: Org) -> int:
    return len((await client.get(URL, headers=org.operator)).json()["items"])


async def test_booking_links_a_pathway_and_its_action(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    someone = await person(pathways, a)
    pathway = await open_pathway(pathways, a, someone)
    assert (await step(pathways, a, pathway["id"], "assess")).status_code == 201
    assert (await step(pathways, a, pathway["id"], "respond", RESPONSE)).status_code == 201
    actions = await pathways.get(f"/api/v1/pathways/{pathway['id']}/actions", headers=a.operator)
    action_id = actions.json()["items"][0]["id"]
    with clock.frozen_at(NOW):
        created = await book(
            pathways,
            a,
            body(
                someone,
                pathway_id=pathway["id"],
                step="monitor",
                action_id=action_id,
                interpreter_needed=True,
                language="ar",
            ),
        )
    assert created["operator_id"] == a.operator_id  # the caller by default
    assert created["attendance"] == "scheduled"
    assert created["organization_id"] == str(a.id)
    assert (created["step"], created["action_id"]) == ("monitor", action_id)
    timeline = await pathways.get(f"/api/v1/pathways/{pathway['id']}/timeline", headers=a.operator)
    assert "appointment_booked" in {entry["kind"] for entry in timeline.json()["items"]}


async def test_what_an_appointment_names_is_checked_and_nothing_is_stored(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    someone = await person(pathways, a, shared_with=[(b, ["pathway"])])
    other = await person(pathways, a)
    pathway = await open_pathway(pathways, a, someone)
    others_pathway = await open_pathway(pathways, a, other)
    bs_pathway = await open_pathway(pathways, b, someone)
    stranger = await person(pathways, b)
    cases = [
        # Another person's pathway, another organisation's pathway, an action not of the pathway.
        (a, body(someone, pathway_id=others_pathway["id"]), 422, "body.pathway_id"),
        (a, body(someone, pathway_id=bs_pathway["id"]), 422, "body.pathway_id"),
        (a, body(someone, pathway_id=str(uuid.uuid4())), 422, "body.pathway_id"),
        (a, body(someone, pathway_id=pathway["id"], action_id=str(uuid.uuid4())), 422, None),
        (a, body(someone, action_id=str(uuid.uuid4())), 422, None),  # no pathway_id
        (a, body(someone, start_at="2027-03-03T10:00:00"), 422, None),  # no time zone
        (a, body(someone, language="xx", interpreter_needed=True), 422, None),
        (a, body(someone, cultural_mediator_needed=True), 422, None),  # no language
        (a, body(someone, language="ar"), 422, None),  # a language without support
        (a, {**body(someone), "service_point_id": str(uuid.uuid4())}, 422, None),  # two places
        (a, {**body(someone), "address": None}, 422, None),  # no place
        (a, body(someone, purpose="x" * 121), 422, None),
        (a, body(someone, duration_minutes=0), 422, None),
        (a, body(someone, notes="free text"), 422, None),
        (a, body(stranger), 404, None),  # a person A may not see
        (a, body(uuid.uuid4()), 404, None),
    ]
    for org, payload, status, field in cases:
        with clock.frozen_at(NOW):
            answer = await pathways.post(URL, json=payload, headers=org.operator)
        assert answer.status_code == status, (payload, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        if field:
            assert field in {error["field"] for error in answer.json()["errors"]}
    provider = await pathways.post(URL, json=body(someone), headers=a.provider)
    assert provider.status_code == 403
    # Matching is not running here: a service point cannot be checked, so nothing is booked.
    at_point = {**body(someone), "address": None, "service_point_id": str(uuid.uuid4())}
    assert (await pathways.post(URL, json=at_point, headers=a.operator)).status_code == 503
    assert await count(pathways, a) == 0
    # B sees the shared person, and books on its own pathway.
    await book(pathways, b, body(someone, pathway_id=bs_pathway["id"]))


async def test_lists_follow_visibility_filters_and_start_time(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, c = orgs
    shared = await person(pathways, a, shared_with=[(b, ["pathway"])])
    private = await person(pathways, a)
    pathway = await open_pathway(pathways, a, shared)
    colleague = str(uuid.uuid4())
    with clock.frozen_at(NOW):
        late = await book(pathways, a, body(shared, start_at="2027-03-10T15:00:00+01:00"))
        early = await book(
            pathways, a, body(shared, pathway_id=pathway["id"], start_at="2027-03-05T09:00:00Z")
        )
        # A colleague books for themselves (the operator by default: no question to the gateway).
        answer = await pathways.post(
            URL,
            json=body(private, start_at="2027-03-07T09:00:00Z"),
            headers=a.headers("operator", subject=colleague),
        )
        assert answer.status_code == 201, answer.text
        middle = answer.json()

    async def ids(org: Org, **params: Any) -> list[str]:
        found, cursor = [], None
        while True:
            query = {**params, "limit": 1, **({"cursor": cursor} if cursor else {})}
            answer = await pathways.get(URL, params=query, headers=org.operator)
            assert answer.status_code == 200, answer.text
            found += [item["id"] for item in answer.json()["items"]]
            cursor = answer.json()["next_cursor"]
            if cursor is None:
                return found

    assert await ids(a) == [early["id"], middle["id"], late["id"]]
    assert await ids(b) == [early["id"], late["id"]]  # shared: the pathway section
    assert await ids(c) == []
    assert await ids(a, beneficiary_id=str(shared)) == [early["id"], late["id"]]
    assert await ids(a, pathway_id=pathway["id"]) == [early["id"]]
    assert await ids(a, operator="me") == [early["id"], late["id"]]
    assert await ids(a, operator=colleague) == [middle["id"]]
    window = {"from": "2027-03-06T00:00:00Z", "to": "2027-03-10T14:00:00Z"}
    assert await ids(a, **window) == [middle["id"]]  # 15:00+01:00 is 14:00Z: ``to`` excludes it
    assert await ids(a, **{"from": "2027-03-06T00:00:00Z", "to": "2027-03-10T14:00:01Z"}) == [
        middle["id"],
        late["id"],
    ]
    assert await ids(a, attendance="cancelled") == []
    naive = await pathways.get(URL, params={"from": "2027-03-06T00:00:00"}, headers=a.operator)
    assert naive.status_code == 422
    for org, status in ((a, 200), (b, 200), (c, 404)):
        answer = await pathways.get(f"{URL}/{late['id']}", headers=org.operator)
        assert answer.status_code == status
    assert (await pathways.get(f"{URL}/{middle['id']}", headers=b.operator)).status_code == 404
    assert (await pathways.get(f"{URL}/{late['id']}", headers=a.provider)).status_code == 404


async def _patch(
    client: httpx.AsyncClient, org: Org, appointment: dict[str, Any], payload: dict[str, Any]
) -> httpx.Response:
    current = await client.get(f"{URL}/{appointment['id']}", headers=org.operator)
    headers = {**org.operator, "If-Match": current.headers.get("ETag", '"0"')}
    return await client.patch(f"{URL}/{appointment['id']}", json=payload, headers=headers)


async def test_reschedule_and_attendance_follow_their_rules(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    someone = await person(pathways, a, shared_with=[(b, ["pathway"])])
    with clock.frozen_at(NOW):
        appointment = await book(pathways, a, body(someone))
        url = f"{URL}/{appointment['id']}"
        no_match = await pathways.patch(url, json={"duration_minutes": 30}, headers=a.operator)
        assert no_match.status_code == 428
        stale = {**a.operator, "If-Match": '"7"'}
        assert (
            await pathways.patch(url, json={"duration_minutes": 30}, headers=stale)
        ).status_code == 412
        # B sees it, but only A, which booked it, changes it.
        assert (await _patch(pathways, b, appointment, {"duration_minutes": 30})).status_code == 403
        for payload in (
            {"start_at": (NOW - timedelta(hours=1)).isoformat()},  # the past
            {"attendance": "attended"},  # not started yet
            {"attendance": "cancelled"},  # no reason
            {"attendance": "cancelled", "attendance_reason": "tired"},
            {"attendance": "cancelled", "attendance_reason": "illness", "duration_minutes": 30},
            {"attendance_reason": "illness"},
            {"duration_minutes": None},
            {},
        ):
            answer = await _patch(pathways, a, appointment, payload)
            assert answer.status_code in (409, 422), (payload, answer.text)
        moved = await _patch(
            pathways,
            a,
            appointment,
            {"start_at": "2027-03-04T10:00:00+01:00", "duration_minutes": 30},
        )
        assert moved.status_code == 200, moved.text
        assert moved.headers["ETag"] == '"2"'
        assert moved.json()["start_at"].startswith("2027-03-04T09:00:00")
        assert moved.json()["duration_minutes"] == 30
    with clock.frozen_at(datetime(2027, 3, 4, 9, 5, tzinfo=UTC)):
        missed = await _patch(
            pathways, a, appointment, {"attendance": "missed", "attendance_reason": "transport"}
        )
        assert missed.status_code == 200, missed.text
        assert missed.json()["attendance_reason"] == "transport"
        assert missed.json()["attendance_recorded_by"] == a.operator_id
        # A register filled in wrong is corrected; a reason goes only with missed or cancelled.
        wrong = await _patch(
            pathways, a, appointment, {"attendance": "attended", "attendance_reason": "transport"}
        )
        assert wrong.status_code == 422
        attended = await _patch(pathways, a, appointment, {"attendance": "attended"})
        assert attended.json()["attendance"] == "attended"
        assert attended.json()["attendance_reason"] is None
        again = await _patch(pathways, a, appointment, {"start_at": "2027-03-09T10:00:00Z"})
        assert again.status_code == 409
        cancel = {"attendance": "cancelled", "attendance_reason": "illness"}
        assert (await _patch(pathways, a, appointment, cancel)).status_code == 409
        second = await book(pathways, a, body(someone, start_at="2027-03-05T10:00:00Z"))
        assert (await _patch(pathways, a, second, cancel)).status_code == 200
        assert (await _patch(pathways, a, second, {"attendance": "attended"})).status_code == 409


async def test_the_person_sees_their_own_upcoming_appointments_only(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org], issuer: TestIssuer
) -> None:
    a, _, _ = orgs
    someone, other = await person(pathways, a), await person(pathways, a)
    pathway = await open_pathway(pathways, a, someone)
    with clock.frozen_at(NOW):
        past = await book(pathways, a, body(someone, start_at="2027-02-20T09:00:00Z"))
        soon = await book(
            pathways,
            a,
            body(
                someone,
                pathway_id=pathway["id"],
                start_at="2027-03-02T09:00:00Z",
                cultural_mediator_needed=True,
                language="ti",
            ),
        )
        cancelled = await book(pathways, a, body(someone, start_at="2027-03-03T09:00:00Z"))
        await book(pathways, a, body(other))
        cancel = {"attendance": "cancelled", "attendance_reason": "person_request"}
        assert (await _patch(pathways, a, cancelled, cancel)).status_code == 200
        own = issuer.headers(roles=("beneficiary",), beneficiary_id=someone)
        answer = await pathways.get("/api/v1/me/appointments", headers=own)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [item["id"] for item in items] == [soon["id"], cancelled["id"]]
    assert past["id"] not in answer.text
    assert items[0] == {
        "id": soon["id"],
        "start_at": "2027-03-02T09:00:00Z",
        "duration_minutes": 45,
        "place_name": None,
        "address": "Via Roma 1, Latina",
        "purpose": "Plan review",
        "interpreter_needed": False,
        "cultural_mediator_needed": True,
        "language": "ti",
        "cancelled": False,
    }
    assert items[1]["cancelled"] is True
    for internal in (pathway["id"], a.operator_id, str(a.id)):
        assert internal not in answer.text
    staff = await pathways.get("/api/v1/me/appointments", headers=a.operator)
    assert staff.status_code == 403


async def test_erasure_removes_and_merge_moves_appointments(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    erased, survivor, merged = [await person(pathways, a) for _ in range(3)]
    with clock.frozen_at(NOW):
        gone = await book(pathways, a, body(erased))
        moved = await book(pathways, a, body(merged))
    export = await pathways.get(
        f"/internal/beneficiaries/{erased}/export", headers=INTERNAL_HEADERS
    )
    assert [row["id"] for row in export.json()["appointments"]] == [gone["id"]]
    await deliver(
        pathways,
        envelope(
            "beneficiary.erased", {"beneficiary_id": str(erased), "organization_id": str(a.id)}
        ),
        envelope(
            "beneficiary.merged",
            {"merged_id": str(merged), "survivor_id": str(survivor), "organization_id": str(a.id)},
        ),
    )
    export = await pathways.get(
        f"/internal/beneficiaries/{erased}/export", headers=INTERNAL_HEADERS
    )
    assert export.json()["appointments"] == []
    listed = await pathways.get(URL, params={"beneficiary_id": str(survivor)}, headers=a.operator)
    assert [item["id"] for item in listed.json()["items"]] == [moved["id"]]
    assert (await pathways.get(f"{URL}/{gone['id']}", headers=a.operator)).status_code == 404


async def test_the_operator_named_is_checked_with_the_gateway(
    pathways_database: str, issuer: TestIssuer, orgs: tuple[Org, Org, Org]
) -> None:
    """A partner system must name the operator; naming one needs the gateway's answer: while it
    cannot be asked, 503 and nothing stored (it answers in the end-to-end test)."""
    a, _, _ = orgs
    await truncate(pathways_database, metadata)
    settings = PathwaysSettings(
        database_url=pathways_database,
        migrate_on_start=False,
        internal_token=INTERNAL,
        gateway_url=f"http://127.0.0.1:{free_port()}",  # nothing listens there
    )
    async with serve(create_app(settings, verifier=issuer.verifier_factory())) as client:
        someone = await person(client, a)
        partner = issuer.headers(
            roles=("partner_system",), organization_id=a.id, subject="pc_test", kind="client"
        )
        unnamed = await client.post(URL, json=body(someone), headers=partner)
        assert unnamed.status_code == 422, unnamed.text
        assert unnamed.json()["errors"][0]["field"] == "body.operator_id"
        named = body(someone, operator_id=str(uuid.uuid4()))
        for headers in (partner, a.operator):
            answer = await client.post(URL, json=named, headers=headers)
            assert answer.status_code == 503, answer.text
        not_a_user = await client.post(
            URL, json=body(someone, operator_id="somebody"), headers=a.operator
        )
        assert not_a_user.status_code == 422
        mine = await client.post(
            URL, json=body(someone, operator_id=a.operator_id), headers=a.operator
        )
        assert mine.status_code == 201, mine.text  # the caller: nothing to ask
        listed = await client.get(URL, headers=a.operator)
        assert [item["id"] for item in listed.json()["items"]] == [mine.json()["id"]]
