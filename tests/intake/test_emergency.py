"""Emergency access ("break the glass"): only org admins of organisations the platform admin
entitled to the reason, the sections the reason opens, one open access per organisation and
person, closing and expiry, and who learns of it. Intake asks the real gateway (run here by
uvicorn on its own database) for the entitlement."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from services.gateway.app import create_app as create_gateway
from services.gateway.db.models import metadata as gateway_metadata
from services.intake.app import create_app
from services.intake.db.models import metadata
from services.intake.settings import IntakeSettings
from shared.testing.tokens import TestIssuer
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, gateway_settings
from tests.intake.conftest import Org, register
from tests.support import serve, sql, truncate
from tools.processes import free_port

INTERNAL_TOKEN = "test-internal-token"
REASON = "Admitted to the emergency room unconscious; the ward needs the emergency contact."


@dataclass
class Glass:
    intake: httpx.AsyncClient
    gateway: httpx.AsyncClient
    admin: dict[str, str]
    issuer: TestIssuer

    async def organisation(self, *reasons: str) -> Org:
        """An organisation of the gateway, entitled to ``reasons`` by the platform admin."""
        body = {"name": f"Org {uuid.uuid4().hex[:8]}", "type": "ngo", "emergency_reasons": reasons}
        answer = await self.gateway.post("/api/v1/organizations", json=body, headers=self.admin)
        assert answer.status_code == 201, answer.text
        assert answer.json()["emergency_reasons"] == sorted(reasons)
        return Org(self.issuer, id=uuid.UUID(answer.json()["id"]))

    async def open(
        self, person: str, org: Org, code: str = "medical_emergency", **extra: Any
    ) -> httpx.Response:
        body = {"reason_code": code, "reason": REASON, **extra}
        return await self.intake.post(
            f"/api/v1/beneficiaries/{person}/emergency-access", json=body, headers=org.admin
        )


@pytest.fixture
async def glass(
    intake_database: str, gateway_database: str, issuer: TestIssuer
) -> AsyncIterator[Glass]:
    await truncate(gateway_database, gateway_metadata)
    await truncate(intake_database, metadata)
    port = free_port()
    gateway = create_gateway(
        gateway_settings(gateway_database, internal_token=INTERNAL_TOKEN, webhook_deliver=False)
    )
    server = uvicorn.Server(uvicorn.Config(gateway, host="127.0.0.1", port=port, log_level="error"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    settings = IntakeSettings(
        database_url=intake_database,
        migrate_on_start=False,
        relay_events=False,
        internal_token=INTERNAL_TOKEN,
        gateway_url=f"http://127.0.0.1:{port}",
    )
    try:
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as gateway_client,
            serve(create_app(settings, verifier=issuer.verifier_factory())) as intake,
        ):
            form = {"grant_type": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
            signed_in = await gateway_client.post("/api/v1/auth/token", data=form)
            admin = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
            yield Glass(intake, gateway_client, admin, issuer)
    finally:
        server.should_exit = True
        await task


async def _events(database: str, *types: str) -> list[dict[str, Any]]:
    rows = await sql(
        database,
        "SELECT type, payload FROM outbox_event WHERE type = ANY($1::text[]) ORDER BY seq",
        list(types),
    )
    return [{"type": row["type"], **json.loads(row["payload"])} for row in rows]


async def test_only_org_admins_of_an_entitled_organisation_and_a_refusal_tells_nothing(
    glass: Glass,
) -> None:
    owner, employer = await glass.organisation(), await glass.organisation()
    hospital = await glass.organisation("medical_emergency")
    person = (await register(glass.intake, owner))["id"]
    random_id = str(uuid.uuid4())

    def as_hospital(*roles: str, kind: str = "user") -> dict[str, str]:
        return glass.issuer.headers(roles=roles, organization_id=hospital.id, kind=kind)

    refused = {
        "employer's org admin (not entitled)": (employer.admin, "medical_emergency"),
        "entitled org admin, another reason": (hospital.admin, "trafficking_protection"),
        "operator": (hospital.operator, "medical_emergency"),
        "partner system": (as_hospital("partner_system", kind="client"), "medical_emergency"),
        "a client with org_admin": (as_hospital("org_admin", kind="client"), "medical_emergency"),
        "platform admin and org admin": (
            as_hospital("org_admin", "platform_admin"),
            "medical_emergency",
        ),
        "the person": (
            glass.issuer.headers(
                roles=["beneficiary"], organization_id=owner.id, beneficiary_id=uuid.UUID(person)
            ),
            "medical_emergency",
        ),
    }
    body = {"reason": REASON}
    for who, (headers, code) in refused.items():
        answers = [
            await glass.intake.post(
                f"/api/v1/beneficiaries/{target}/emergency-access",
                json={**body, "reason_code": code},
                headers=headers,
            )
            for target in (person, random_id)
        ]
        assert [answer.status_code for answer in answers] == [403, 403], who
        assert answers[0].json()["detail"] == answers[1].json()["detail"], who

    assert (await glass.open(random_id, hospital)).status_code == 404
    assert (await glass.open(person, owner)).status_code == 403  # its own: it sees it all
    opened = await glass.open(person, hospital)
    assert opened.status_code == 201, opened.text
    assert opened.headers["location"].endswith(f"/emergency-access/{opened.json()['id']}")
    assert opened.json()["reason_code"] == "medical_emergency"


async def test_the_reason_opens_its_sections_and_the_view_is_the_grant(
    glass: Glass, intake_database: str
) -> None:
    owner = await glass.organisation()
    shelter = await glass.organisation("trafficking_protection", "missing_person")
    hospital = await glass.organisation("medical_emergency")
    person = (await register(glass.intake, owner))["id"]
    url = f"/api/v1/beneficiaries/{person}"

    for org, code, sections in (
        (hospital, "medical_emergency", ["pathway"]),
        (shelter, "missing_person", ["identity", "profile"]),
    ):
        beyond = await glass.open(person, org, code, sections=sections)
        assert beyond.status_code == 422, beyond.text
        assert beyond.json()["errors"][0]["field"] == "body.sections"
    assert await _events(intake_database, "emergency_access.opened") == []

    trafficking = await glass.open(person, shelter, "trafficking_protection")
    assert trafficking.status_code == 201
    assert trafficking.json()["sections"] == ["contact", "identity", "pathway"]
    seen = (await glass.intake.get(url, headers=shelter.admin)).json()
    assert seen["visible_sections"] == ["contact", "identity", "pathway"]
    assert seen["given_name"] == "Ahmed"
    assert seen["contact"]
    for hidden in ("languages", "legal_status", "skills", "derived", "needs"):
        assert hidden not in seen, hidden

    medical = await glass.open(person, hospital, sections=["identity", "contact", "profile"])
    assert medical.status_code == 201
    assert medical.json()["sections"] == ["contact", "identity", "profile"]
    seen = (await glass.intake.get(url, headers=hospital.admin)).json()
    assert seen["visible_sections"] == ["contact", "identity", "profile"]
    assert seen["languages"]

    # The other services get each grant with its sections only.
    changed = await _events(intake_database, "beneficiary.access_changed")
    grants = {grant["organization_id"]: grant["sections"] for grant in changed[-1]["grants"]}
    assert grants == {
        str(shelter.id): ["contact", "identity", "pathway"],
        str(hospital.id): ["contact", "identity", "profile"],
    }


async def test_one_open_access_never_renewed_closed_early_or_expired(
    glass: Glass, intake_database: str
) -> None:
    owner, other = await glass.organisation(), await glass.organisation("medical_emergency")
    hospital = await glass.organisation("medical_emergency", "missing_person")
    person = (await register(glass.intake, owner))["id"]
    url = f"/api/v1/beneficiaries/{person}"
    first = (await glass.open(person, hospital)).json()
    again = await glass.open(person, hospital, "missing_person")
    assert again.status_code == 409
    assert first["id"] in again.json()["detail"]

    close = f"{url}/emergency-access/{first['id']}"
    assert (await glass.intake.delete(close, headers=hospital.operator)).status_code == 403
    for stranger in (other, owner):
        assert (await glass.intake.delete(close, headers=stranger.admin)).status_code == 404
    assert (await glass.intake.get(url, headers=hospital.admin)).status_code == 200
    assert (await glass.intake.delete(close, headers=hospital.admin)).status_code == 204
    assert (await glass.intake.get(url, headers=hospital.admin)).status_code == 404
    assert (await glass.intake.delete(close, headers=hospital.admin)).status_code == 204

    second = await glass.open(person, hospital)  # a new request, once the first is closed
    assert second.status_code == 201
    await sql(
        intake_database,
        "UPDATE emergency_access SET expires_at = now() - interval '1 minute' WHERE id = $1",
        uuid.UUID(second.json()["id"]),
    )
    await sql(
        intake_database,
        "UPDATE access_grant SET expires_at = now() - interval '1 minute' WHERE source_id = $1",
        uuid.UUID(second.json()["id"]),
    )
    assert (await glass.intake.get(url, headers=hospital.admin)).status_code == 404
    expired = f"{url}/emergency-access/{second.json()['id']}"
    assert (await glass.intake.delete(expired, headers=hospital.admin)).status_code == 204
    third = await glass.open(person, hospital)
    assert third.status_code == 201

    listed = (await glass.intake.get(f"{url}/emergency-access", headers=owner.operator)).json()[
        "items"
    ]
    assert [(item["status"], item["closed_by"] is not None) for item in listed] == [
        ("closed", True),
        ("expired", False),
        ("open", False),
    ]
    sent = await _events(intake_database, "emergency_access.opened", "emergency_access.closed")
    assert [(event["type"], event["emergency_access_id"]) for event in sent] == [
        ("emergency_access.opened", first["id"]),
        ("emergency_access.closed", first["id"]),
        ("emergency_access.opened", second.json()["id"]),
        ("emergency_access.opened", third.json()["id"]),
    ]
    assert sent[1]["closed_at"] is not None
    assert all(event["owner_organization_id"] == str(owner.id) for event in sent)
    assert all(REASON not in json.dumps(event) for event in sent)


async def test_the_owner_and_the_person_learn_of_it(glass: Glass) -> None:
    owner = await glass.organisation()
    shelter = await glass.organisation("trafficking_protection")
    person = (await register(glass.intake, owner))["id"]
    other = (await register(glass.intake, owner, given_name="Other"))["id"]
    url = f"/api/v1/beneficiaries/{person}"
    opened = (await glass.open(person, shelter, "trafficking_protection")).json()
    await glass.intake.get(url, headers=shelter.admin)

    listed = (await glass.intake.get(f"{url}/emergency-access", headers=owner.operator)).json()[
        "items"
    ]
    assert [(item["reason_code"], item["reason"], item["status"]) for item in listed] == [
        ("trafficking_protection", REASON, "open")
    ]
    assert listed[0]["sections"] == ["contact", "identity", "pathway"]
    assert (
        await glass.intake.get(f"{url}/emergency-access", headers=shelter.admin)
    ).status_code == 404
    log = (await glass.intake.get(f"{url}/access-log", headers=owner.admin)).json()["items"]
    emergency_reads = [entry for entry in log if entry["emergency"]]
    assert {entry["actor_organization_id"] for entry in emergency_reads} == {str(shelter.id)}
    assert {entry["action"] for entry in emergency_reads} == {"emergency", "read"}

    def app(beneficiary: str) -> dict[str, str]:
        return glass.issuer.headers(
            roles=["beneficiary"], organization_id=owner.id, beneficiary_id=uuid.UUID(beneficiary)
        )

    own = await glass.intake.get("/api/v1/me/emergency-accesses", headers=app(person))
    assert own.status_code == 200
    assert own.json()["next_cursor"] is None
    assert own.json()["items"] == [
        {
            "id": opened["id"],
            "organization_id": str(shelter.id),
            "reason_code": "trafficking_protection",
            "sections": ["contact", "identity", "pathway"],
            "status": "open",
            "opened_at": opened["opened_at"],
            "expires_at": opened["expires_at"],
            "closed_at": None,
        }
    ]
    assert (await glass.intake.get("/api/v1/me/emergency-accesses", headers=app(other))).json() == {
        "items": [],
        "next_cursor": None,
    }
    staff = await glass.intake.get("/api/v1/me/emergency-accesses", headers=owner.admin)
    assert staff.status_code == 403


async def test_a_withdrawn_entitlement_takes_effect_at_once(glass: Glass) -> None:
    owner, hospital = await glass.organisation(), await glass.organisation("medical_emergency")
    person = (await register(glass.intake, owner))["id"]
    path = f"/api/v1/organizations/{hospital.id}"
    etag = (await glass.gateway.get(path, headers=glass.admin)).headers["etag"]
    changed = await glass.gateway.patch(
        path, json={"emergency_reasons": []}, headers={**glass.admin, "If-Match": etag}
    )
    assert changed.status_code == 200, changed.text
    assert (await glass.open(person, hospital)).status_code == 403


async def test_without_the_gateway_nothing_opens(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    owner, hospital, _ = orgs
    person = (await register(intake, owner))["id"]
    url = f"/api/v1/beneficiaries/{person}/emergency-access"
    body = {"reason_code": "medical_emergency", "reason": REASON}
    answer = await intake.post(url, json=body, headers=hospital.admin)
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert (await intake.get(url, headers=owner.operator)).json()["items"] == []
    assert await _events(intake_database, "emergency_access.opened") == []


async def test_an_access_to_a_merged_record_moves_to_the_survivor(glass: Glass) -> None:
    owner = await glass.organisation()
    hospital = await glass.organisation("medical_emergency")
    survivor = (await register(glass.intake, owner, given_name="Kept"))["id"]
    duplicate = (await register(glass.intake, owner, given_name="Copy"))["id"]
    opened = (await glass.open(duplicate, hospital)).json()
    merged = await glass.intake.post(
        f"/api/v1/beneficiaries/{survivor}/merge",
        json={"merged_id": duplicate},
        headers=owner.admin,
    )
    assert merged.status_code == 200, merged.text
    url = f"/api/v1/beneficiaries/{survivor}"
    listed = (await glass.intake.get(f"{url}/emergency-access", headers=owner.operator)).json()[
        "items"
    ]
    assert [(item["id"], item["status"]) for item in listed] == [(opened["id"], "open")]
    assert (await glass.open(survivor, hospital)).status_code == 409  # still the one open
    close = f"{url}/emergency-access/{opened['id']}"
    assert (await glass.intake.delete(close, headers=hospital.admin)).status_code == 204
    assert (await glass.intake.get(url, headers=hospital.admin)).status_code == 404


async def test_an_emergency_access_reads_the_notes_of_the_sections_it_opened(glass: Glass) -> None:
    owner = await glass.organisation()
    shelter = await glass.organisation("trafficking_protection")
    url = f"/api/v1/beneficiaries/{(await register(glass.intake, owner))['id']}"
    for section in ("identity", "contact", "profile", "pathway"):
        body = {"section": section, "text": f"a {section} note"}
        written = await glass.intake.post(f"{url}/notes", json=body, headers=owner.operator)
        assert written.status_code == 201, written.text
    assert (await glass.intake.get(f"{url}/notes", headers=shelter.admin)).status_code == 404
    assert (await glass.open(url.rsplit("/", 1)[1], shelter, "trafficking_protection")).is_success
    seen = (await glass.intake.get(f"{url}/notes", headers=shelter.admin)).json()["items"]
    assert sorted(note["section"] for note in seen) == ["contact", "identity", "pathway"]
    refused = await glass.intake.post(
        f"{url}/notes", json={"section": "contact", "text": "x"}, headers=shelter.admin
    )
    assert refused.status_code == 403  # an emergency opens sections to read, never to write
    log = (await glass.intake.get(f"{url}/access-log", headers=owner.admin)).json()["items"]
    reads = [entry for entry in log if entry["purpose"].endswith("/notes")]
    assert [(entry["actor_organization_id"], entry["emergency"]) for entry in reads] == [
        (str(shelter.id), True)
    ]
