"""Transferring a person's case to another organisation: the person's consent, a request the
receiving organisation accepts or rejects (or the sender cancels), who sees what before and after,
and what the history and the other services are told. Intake asks the real gateway whether the
receiving organisation exists (the fixture of test_emergency)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from services.intake.db.models import metadata
from tests.intake.conftest import Org, register
from tests.intake.test_emergency import Glass, glass  # noqa: F401 - the fixture
from tests.support import sql

REASON = "Moved from Rome to Latina for seasonal work."

__all__ = ["metadata"]


async def consent(client: httpx.AsyncClient, person: str, owner: Org, to: Org, **extra: Any) -> str:
    body = {
        "purpose": "transfer",
        "organization_id": str(to.id),
        "text_version": "transfer-it-2026-01",
        "collection_method": "paper_signed",
        **extra,
    }
    answer = await client.post(
        f"/api/v1/beneficiaries/{person}/consents", json=body, headers=owner.operator
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def ask(client: httpx.AsyncClient, person: str, by: Org, to: uuid.UUID) -> httpx.Response:
    body = {"beneficiary_id": person, "to_organization_id": str(to), "reason": REASON}
    return await client.post("/api/v1/transfers", json=body, headers=by.operator)


async def decide(
    client: httpx.AsyncClient, transfer: str, by: dict[str, str], status: str, **extra: Any
) -> httpx.Response:
    current = await client.get(f"/api/v1/transfers/{transfer}", headers=by)
    headers = {**by, "If-Match": current.headers.get("ETag", '"0"')}
    return await client.patch(
        f"/api/v1/transfers/{transfer}", json={"status": status, **extra}, headers=headers
    )


async def _events(database: str, beneficiary: str) -> list[dict[str, Any]]:
    rows = await sql(
        database,
        "SELECT type, payload FROM outbox_event WHERE payload->>'beneficiary_id' = $1 ORDER BY seq",
        beneficiary,
    )
    return [{"type": row["type"], **json.loads(row["payload"])} for row in rows]


async def test_a_transfer_needs_the_persons_consent_and_another_real_organisation(
    glass: Glass,  # noqa: F811
) -> None:
    rome, latina = await glass.organisation(), await glass.organisation()
    person = (await register(glass.intake, rome))["id"]

    refused = await ask(glass.intake, person, rome, latina.id)
    assert refused.status_code == 422, refused.text
    assert "consent" in refused.json()["detail"]
    assert refused.json()["errors"][0]["code"] == "no_consent"

    # A sharing consent is not a transfer consent; a transfer consent opens nothing.
    await glass.intake.post(
        f"/api/v1/beneficiaries/{person}/consents",
        json={
            "purpose": "sharing",
            "organization_id": str(latina.id),
            "sections": ["identity"],
            "text_version": "v1",
            "collection_method": "paper_signed",
        },
        headers=rome.operator,
    )
    assert (await ask(glass.intake, person, rome, latina.id)).status_code == 422
    unknown = Org(glass.issuer)
    await consent(glass.intake, person, rome, unknown)
    answer = await ask(glass.intake, person, rome, unknown.id)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["code"] == "unknown"
    answer = await ask(glass.intake, person, rome, rome.id)
    assert answer.status_code == 422  # the consent refuses the owner first
    sections = await glass.intake.post(
        f"/api/v1/beneficiaries/{person}/consents",
        json={
            "purpose": "transfer",
            "organization_id": str(latina.id),
            "sections": ["identity"],
            "text_version": "v1",
            "collection_method": "paper_signed",
        },
        headers=rome.operator,
    )
    assert sections.status_code == 422  # a transfer consent names no sections
    assert (await glass.intake.get("/api/v1/transfers", headers=rome.operator)).json()[
        "items"
    ] == []

    # Only the registering organisation's org admins and operators ask.
    await consent(glass.intake, person, rome, latina)
    assert (await ask(glass.intake, person, latina, latina.id)).status_code == 404
    body = {"beneficiary_id": person, "to_organization_id": str(latina.id), "reason": REASON}
    for roles in (("partner_system",), ("provider",), ("cluster_coordinator",)):
        answer = await glass.intake.post(
            "/api/v1/transfers", json=body, headers=rome.headers(*roles)
        )
        assert answer.status_code == 403, roles
    missing = await ask(glass.intake, str(uuid.uuid4()), rome, latina.id)
    assert missing.status_code == 404

    asked = await ask(glass.intake, person, rome, latina.id)
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "pending"
    assert asked.headers["Location"] == f"/api/v1/transfers/{asked.json()['id']}"
    assert (await ask(glass.intake, person, rome, latina.id)).status_code == 409


async def test_accepting_moves_the_record_and_the_sender_loses_it(
    glass: Glass,  # noqa: F811
    intake_database: str,
) -> None:
    rome, latina, milan = (
        await glass.organisation(),
        await glass.organisation(),
        await glass.organisation(),
    )
    person = (await register(glass.intake, rome, external_id="ROMA-1"))["id"]
    consent_id = await consent(glass.intake, person, rome, latina)
    asked = (await ask(glass.intake, person, rome, latina.id)).json()
    transfer = asked["id"]
    assert asked["consent_id"] == consent_id

    # Before accepting, the receiver sees the request and the name, not the record.
    received = await glass.intake.get(
        "/api/v1/transfers", params={"direction": "received"}, headers=latina.operator
    )
    assert [item["id"] for item in received.json()["items"]] == [transfer]
    assert received.json()["items"][0]["person"]["family_name"]
    sent = await glass.intake.get(
        "/api/v1/transfers", params={"direction": "sent"}, headers=latina.operator
    )
    assert sent.json()["items"] == []
    record = f"/api/v1/beneficiaries/{person}"
    assert (await glass.intake.get(record, headers=latina.operator)).status_code == 404
    for outsider in (milan.operator, latina.headers("provider"), rome.headers("provider")):
        assert (
            await glass.intake.get(f"/api/v1/transfers/{transfer}", headers=outsider)
        ).status_code == 404
    assert (await glass.intake.get("/api/v1/transfers", headers=milan.operator)).json()[
        "items"
    ] == []

    # Who may take which step, and the ETag.
    assert (await decide(glass.intake, transfer, rome.operator, "accepted")).status_code == 403
    assert (await decide(glass.intake, transfer, latina.operator, "cancelled")).status_code == 403
    reject = await decide(glass.intake, transfer, latina.operator, "rejected")
    assert reject.status_code == 422  # without a reason
    url = f"/api/v1/transfers/{transfer}"
    no_tag = await glass.intake.patch(url, json={"status": "accepted"}, headers=latina.operator)
    assert no_tag.status_code == 428
    stale = await glass.intake.patch(
        url, json={"status": "accepted"}, headers={**latina.operator, "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    assert (await glass.intake.get(url, headers=rome.operator)).json()["status"] == "pending"

    accepted = await decide(glass.intake, transfer, latina.admin, "accepted")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["decided_at"]
    assert (
        await decide(glass.intake, transfer, latina.admin, "rejected", reason="no")
    ).status_code == 409

    mine = await glass.intake.get(record, headers=latina.operator)
    assert mine.status_code == 200
    assert mine.json().get("external_id") is None  # the sender's system's id stays behind
    assert (await glass.intake.get(record, headers=rome.operator)).status_code == 404
    # The sender still sees the request itself (its own history).
    assert (await glass.intake.get(url, headers=rome.operator)).json()["status"] == "accepted"

    history = await glass.intake.get(f"{record}/history", headers=latina.operator)
    actions = [change["action"] for change in history.json()["items"]]
    assert "transferred" in actions
    assert "transfer_requested" in actions
    told = await _events(intake_database, person)
    updated = [event for event in told if event["type"] == "beneficiary.updated"]
    assert updated[-1]["organization_id"] == str(latina.id)
    access = [event for event in told if event["type"] == "beneficiary.access_changed"]
    assert access[-1]["owner_organization_id"] == str(latina.id)

    # The person shares with the sender again: a sharing consent the new owner records.
    shared = await glass.intake.post(
        f"{record}/consents",
        json={
            "purpose": "sharing",
            "organization_id": str(rome.id),
            "sections": ["identity", "profile"],
            "text_version": "v1",
            "collection_method": "paper_signed",
        },
        headers=latina.operator,
    )
    assert shared.status_code == 201, shared.text
    assert (await glass.intake.get(record, headers=rome.operator)).status_code == 200


async def test_a_rejection_or_a_cancellation_leaves_the_record_as_it_was(
    glass: Glass,  # noqa: F811
) -> None:
    rome, latina = await glass.organisation(), await glass.organisation()
    person = (await register(glass.intake, rome))["id"]
    await consent(glass.intake, person, rome, latina)
    record = f"/api/v1/beneficiaries/{person}"
    before = (await glass.intake.get(record, headers=rome.operator)).json()

    first = (await ask(glass.intake, person, rome, latina.id)).json()["id"]
    rejected = await decide(
        glass.intake, first, latina.operator, "rejected", reason="No capacity in Latina."
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["decision_reason"] == "No capacity in Latina."
    assert (await glass.intake.get(record, headers=rome.operator)).json() == before
    assert (await glass.intake.get(record, headers=latina.operator)).status_code == 404

    second = (await ask(glass.intake, person, rome, latina.id)).json()["id"]
    assert (await decide(glass.intake, second, rome.operator, "cancelled")).status_code == 200
    assert (await decide(glass.intake, second, latina.operator, "accepted")).status_code == 409
    assert (await glass.intake.get(record, headers=rome.operator)).json() == before
    listed = await glass.intake.get(
        "/api/v1/transfers", params={"status": "cancelled"}, headers=latina.operator
    )
    assert [item["id"] for item in listed.json()["items"]] == [second]
    history = await glass.intake.get(f"{record}/history", headers=rome.operator)
    actions = [change["action"] for change in history.json()["items"]]
    assert "transfer_rejected" in actions
    assert "transfer_cancelled" in actions
    assert "transferred" not in actions


async def test_withdrawing_the_consent_stops_a_new_request(glass: Glass) -> None:  # noqa: F811
    rome, latina = await glass.organisation(), await glass.organisation()
    person = (await register(glass.intake, rome))["id"]
    consent_id = await consent(glass.intake, person, rome, latina)
    withdrawn = await glass.intake.delete(
        f"/api/v1/beneficiaries/{person}/consents/{consent_id}", headers=rome.operator
    )
    assert withdrawn.status_code == 204, withdrawn.text
    assert (await ask(glass.intake, person, rome, latina.id)).status_code == 422


async def test_the_export_holds_the_transfers_and_an_erasure_removes_them(
    glass: Glass,  # noqa: F811
    intake_database: str,
) -> None:
    rome, latina = await glass.organisation(), await glass.organisation()
    person = (await register(glass.intake, rome))["id"]
    await consent(glass.intake, person, rome, latina)
    transfer = (await ask(glass.intake, person, rome, latina.id)).json()["id"]
    record = f"/api/v1/beneficiaries/{person}"
    exported = (await glass.intake.get(f"{record}/export", headers=rome.admin)).json()
    held = exported["data"]["intake"]["transfers"]
    assert [(item["id"], item["reason"]) for item in held] == [(transfer, REASON)]

    assert (await glass.intake.delete(record, headers=rome.admin)).status_code == 204
    left = await sql(intake_database, "SELECT id FROM transfer WHERE beneficiary_id = $1", person)
    assert left == []
    gone = await glass.intake.get(f"/api/v1/transfers/{transfer}", headers=latina.operator)
    assert gone.status_code == 404


async def test_a_retried_request_answers_the_first_answer(glass: Glass) -> None:  # noqa: F811
    rome, latina = await glass.organisation(), await glass.organisation()
    person = (await register(glass.intake, rome))["id"]
    await consent(glass.intake, person, rome, latina)
    body = {"beneficiary_id": person, "to_organization_id": str(latina.id), "reason": REASON}
    headers = {**rome.operator, "Idempotency-Key": uuid.uuid4().hex}
    first = await glass.intake.post("/api/v1/transfers", json=body, headers=headers)
    again = await glass.intake.post("/api/v1/transfers", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    listed = await glass.intake.get("/api/v1/transfers", headers=rome.operator)
    assert len(listed.json()["items"]) == 1


async def test_the_list_pages_newest_first(glass: Glass) -> None:  # noqa: F811
    rome, latina = await glass.organisation(), await glass.organisation()
    asked = []
    for _ in range(3):
        person = (await register(glass.intake, rome))["id"]
        await consent(glass.intake, person, rome, latina)
        asked.append((await ask(glass.intake, person, rome, latina.id)).json()["id"])
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2, "direction": "received"}
    while True:
        page = (
            await glass.intake.get("/api/v1/transfers", params=params, headers=latina.admin)
        ).json()
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == list(reversed(asked))


async def test_each_step_is_an_event_and_a_merge_cancels_a_pending_request(
    glass: Glass,  # noqa: F811
    intake_database: str,
) -> None:
    """Pathways lists a pending request as the receiver's task and the gateway tells both
    organisations (webhooks): each step is a ``transfer.status_changed`` event, without the
    reasons. A record merged into another leaves its pending request cancelled, naming the
    survivor: the receiver could never accept it."""
    rome, latina = await glass.organisation(), await glass.organisation()
    survivor = (await register(glass.intake, rome))["id"]
    merged = (await register(glass.intake, rome))["id"]
    await consent(glass.intake, merged, rome, latina)
    transfer = (await ask(glass.intake, merged, rome, latina.id)).json()["id"]
    answer = await glass.intake.post(
        f"/api/v1/beneficiaries/{survivor}/merge",
        json={"merged_id": merged},
        headers=rome.operator,
    )
    assert answer.status_code == 200, answer.text

    read = (await glass.intake.get(f"/api/v1/transfers/{transfer}", headers=latina.operator)).json()
    assert (read["status"], read["decision_reason"]) == ("cancelled", f"merged into {survivor}")
    assert (await decide(glass.intake, transfer, latina.operator, "accepted")).status_code == 409
    steps = [e for e in await _events(intake_database, merged) if e["type"].startswith("transfer")]
    assert [(e["type"], e["status"]) for e in steps] == [
        ("transfer.status_changed", "pending"),
        ("transfer.status_changed", "cancelled"),
    ]
    assert {e["transfer_id"] for e in steps} == {transfer}
    assert not any("reason" in e for e in steps)
    # The survivor may be asked for at once (one pending request per person).
    await consent(glass.intake, survivor, rome, latina)
    assert (await ask(glass.intake, survivor, rome, latina.id)).status_code == 201
