"""Consent-based sharing, withdrawal and the access log (emergency access: test_emergency)."""

from __future__ import annotations

import uuid

import httpx

from shared.testing.tokens import TestIssuer
from tests.intake.conftest import Org, register
from tests.support import sql


def _sharing(org: Org, sections: list[str]) -> dict[str, object]:
    return {
        "purpose": "sharing",
        "organization_id": str(org.id),
        "sections": sections,
        "text_version": "it-2026-01",
        "collection_method": "paper_signed",
    }


async def test_another_organisation_sees_only_what_was_shared_until_withdrawal(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    created = await register(intake, a)
    url = f"/api/v1/beneficiaries/{created['id']}"
    assert (await intake.get(url, headers=b.operator)).status_code == 404
    listed = (await intake.get("/api/v1/beneficiaries", headers=b.operator)).json()
    assert listed["items"] == []

    consent = await intake.post(
        f"{url}/consents", json=_sharing(b, ["identity"]), headers=a.operator
    )
    assert consent.status_code == 201
    seen = await intake.get(url, headers=b.operator)
    assert seen.status_code == 200
    body = seen.json()
    assert body["visible_sections"] == ["identity"]
    assert body["given_name"] == "Ahmed"
    assert "municipality" not in body
    assert "languages" not in body
    assert "derived" not in body
    assert [
        item["id"]
        for item in (await intake.get("/api/v1/beneficiaries", headers=b.operator)).json()["items"]
    ] == [created["id"]]
    assert (
        await intake.patch(
            url, json={"municipality": "X"}, headers={**b.operator, "If-Match": '"1"'}
        )
    ).status_code == 403

    withdrawn = await intake.delete(f"{url}/consents/{consent.json()['id']}", headers=a.operator)
    assert withdrawn.status_code == 204
    assert (await intake.get(url, headers=b.operator)).status_code == 404
    assert (
        await intake.delete(f"{url}/consents/{consent.json()['id']}", headers=a.operator)
    ).status_code == 204
    consents = (await intake.get(f"{url}/consents", headers=a.operator)).json()["items"]
    assert consents[0]["active"] is False
    assert consents[0]["withdrawn_at"] is not None


async def test_access_changes_are_announced_with_increasing_versions(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, b, _ = orgs
    created = await register(intake, a)
    url = f"/api/v1/beneficiaries/{created['id']}"
    consent = (
        await intake.post(f"{url}/consents", json=_sharing(b, ["profile"]), headers=a.operator)
    ).json()
    await intake.delete(f"{url}/consents/{consent['id']}", headers=a.operator)
    rows = await sql(
        intake_database,
        "SELECT type, payload FROM outbox_event "
        "WHERE type = 'beneficiary.access_changed' OR type LIKE 'consent.%' ORDER BY seq",
    )
    kinds = [row["type"] for row in rows]
    assert kinds == [
        "beneficiary.access_changed",
        "consent.granted",
        "beneficiary.access_changed",
        "consent.withdrawn",
        "beneficiary.access_changed",
    ]
    import json

    versions = [
        json.loads(row["payload"])["version"]
        for row in rows
        if row["type"] == "beneficiary.access_changed"
    ]
    assert versions == sorted(versions)
    assert len(set(versions)) == 3
    grants = [
        json.loads(row["payload"])["grants"]
        for row in rows
        if row["type"] == "beneficiary.access_changed"
    ]
    assert grants[1][0]["organization_id"] == str(b.id)
    assert grants[2] == []


async def test_invalid_consents(intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]) -> None:
    a, b, _ = orgs
    url = f"/api/v1/beneficiaries/{(await register(intake, a))['id']}/consents"
    no_org = {**_sharing(b, ["identity"]), "organization_id": None}
    assert (await intake.post(url, json=no_org, headers=a.operator)).status_code == 422
    no_sections = _sharing(b, [])
    assert (await intake.post(url, json=no_sections, headers=a.operator)).status_code == 422
    to_owner = _sharing(a, ["identity"])
    assert (await intake.post(url, json=to_owner, headers=a.operator)).status_code == 422
    by_other = await intake.post(url, json=_sharing(b, ["identity"]), headers=b.operator)
    assert by_other.status_code == 404
    # "Given in the app" is the person's own act (POST /me/consents), never an operator's.
    matching = {"purpose": "matching", "text_version": "v1", "collection_method": "mobile_app"}
    in_the_app = await intake.post(url, json=matching, headers=a.operator)
    assert in_the_app.status_code == 422
    assert in_the_app.json()["errors"][0]["field"] == "body.collection_method"
    by_partner = await intake.post(url, json=matching, headers=a.headers("partner_system"))
    assert by_partner.status_code == 422
    assert (await intake.get(url, headers=a.operator)).json() == {"items": [], "next_cursor": None}
    on_paper = {**matching, "collection_method": "paper_signed"}
    assert (await intake.post(url, json=on_paper, headers=a.operator)).status_code == 201


async def test_reads_are_logged_and_only_the_owners_admins_read_the_log(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    created = await register(intake, a)
    url = f"/api/v1/beneficiaries/{created['id']}"
    await intake.get(url, headers=a.operator)
    await intake.get("/api/v1/beneficiaries", headers=a.operator)
    log = await intake.get(f"{url}/access-log", headers=a.admin)
    assert log.status_code == 200
    entries = log.json()["items"]
    assert [entry["action"] for entry in entries] == ["read", "list"]
    assert entries[0]["purpose"] == "GET /api/v1/beneficiaries/{beneficiary_id}"
    assert (await intake.get(f"{url}/access-log", headers=a.operator)).status_code == 404
    assert (await intake.get(f"{url}/access-log", headers=b.admin)).status_code == 404


async def test_the_person_sees_and_withdraws_their_own_consents(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], issuer: TestIssuer
) -> None:
    a, b, _ = orgs
    created = await register(intake, a)
    other = await register(intake, a, given_name="Other")
    url = f"/api/v1/beneficiaries/{created['id']}"
    consent = (
        await intake.post(f"{url}/consents", json=_sharing(b, ["identity"]), headers=a.operator)
    ).json()
    person = issuer.headers(
        roles=["beneficiary"], organization_id=a.id, beneficiary_id=uuid.UUID(created["id"])
    )
    own = await intake.get(f"{url}/consents", headers=person)
    assert [item["id"] for item in own.json()["items"]] == [consent["id"]]
    assert (
        await intake.get(f"/api/v1/beneficiaries/{other['id']}/consents", headers=person)
    ).status_code == 404
    assert (
        await intake.post(f"{url}/consents", json=_sharing(b, ["profile"]), headers=person)
    ).status_code == 404
    assert (
        await intake.delete(f"{url}/consents/{consent['id']}", headers=person)
    ).status_code == 204
    assert (await intake.get(url, headers=b.operator)).status_code == 404
