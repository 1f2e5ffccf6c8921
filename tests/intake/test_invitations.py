"""Invitations to the self-service app, and the person's own record (``/api/v1/me``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.intake.service import invitations
from shared.testing.tokens import TestIssuer
from tests.intake.conftest import Org, register
from tests.support import sql

INTERNAL = {"Authorization": "Bearer test-internal-token"}


def person_headers(issuer: TestIssuer, org: Org, beneficiary_id: str) -> dict[str, str]:
    return issuer.headers(
        roles=("beneficiary",), organization_id=org.id, beneficiary_id=uuid.UUID(beneficiary_id)
    )


async def _invite(client: httpx.AsyncClient, org: Org, beneficiary_id: str) -> dict[str, Any]:
    answer = await client.post(
        f"/api/v1/beneficiaries/{beneficiary_id}/invitations", headers=org.operator
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body: dict[str, Any] = answer.json()
    return body


async def _redeem(client: httpx.AsyncClient, code: str) -> httpx.Response:
    return await client.post("/internal/invitations/redeem", json={"code": code}, headers=INTERNAL)


def test_codes_are_typeable_and_forgiving() -> None:
    code = invitations.new_code()
    assert len(code) == 10
    assert set(code) <= set(invitations.ALPHABET)
    assert not set("01ILO") & set(invitations.ALPHABET)
    shown = invitations.shown(code)
    assert invitations.code_hash(f" {shown.lower()} ") == invitations.code_hash(code)


async def test_a_code_works_once_for_the_person_it_names(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, _, _ = orgs
    person = await register(intake, ngo)
    invitation = await _invite(intake, ngo, person["id"])
    expires = datetime.fromisoformat(invitation["expires_at"])
    assert timedelta(hours=71) < expires - datetime.now(UTC) <= timedelta(hours=72)
    assert (await _redeem(intake, "WRONG-CODE1")).status_code == 404
    used = await _redeem(intake, invitation["code"].lower().replace("-", " "))
    assert used.status_code == 200
    assert used.json() == {"beneficiary_id": person["id"], "organization_id": str(ngo.id)}
    assert (await _redeem(intake, invitation["code"])).status_code == 404
    refused = await intake.post(
        "/internal/invitations/redeem", json={"code": invitation["code"]}, headers={}
    )
    assert refused.status_code == 401


async def test_a_new_invitation_replaces_the_unused_one(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, _, _ = orgs
    person = await register(intake, ngo)
    first = await _invite(intake, ngo, person["id"])
    second = await _invite(intake, ngo, person["id"])
    assert first["code"] != second["code"]
    assert (await _redeem(intake, first["code"])).status_code == 404
    assert (await _redeem(intake, second["code"])).status_code == 200


async def test_only_the_registering_organisation_invites(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], issuer: TestIssuer
) -> None:
    ngo, other, _ = orgs
    person = await register(intake, ngo)
    url = f"/api/v1/beneficiaries/{person['id']}/invitations"
    assert (await intake.post(url, headers=other.operator)).status_code == 404
    assert (await intake.post(url, headers=ngo.headers("provider"))).status_code == 404
    itself = person_headers(issuer, ngo, person["id"])
    assert (await intake.post(url, headers=itself)).status_code == 404
    missing = f"/api/v1/beneficiaries/{uuid.uuid4()}/invitations"
    assert (await intake.post(missing, headers=ngo.operator)).status_code == 404


async def test_an_expired_code_or_an_erased_person_redeems_nothing(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    ngo, _, _ = orgs
    person = await register(intake, ngo)
    invitation = await _invite(intake, ngo, person["id"])
    await sql(intake_database, "UPDATE invitation SET expires_at = now() - interval '1 second'")
    assert (await _redeem(intake, invitation["code"])).status_code == 404

    again = await _invite(intake, ngo, person["id"])
    erased = await intake.delete(f"/api/v1/beneficiaries/{person['id']}", headers=ngo.admin)
    assert erased.status_code == 204, erased.text
    assert (await _redeem(intake, again["code"])).status_code == 404


async def test_the_person_sees_a_reduced_profile_and_manages_consents(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], issuer: TestIssuer
) -> None:
    ngo, partner, _ = orgs
    person = await register(intake, ngo)
    someone_else = await register(intake, ngo, given_name="Amina", family_name="Diallo")
    me = person_headers(issuer, ngo, person["id"])

    profile = await intake.get("/api/v1/me/profile", headers=me)
    assert profile.status_code == 200, profile.text
    body = profile.json()
    assert body["id"] == person["id"]
    assert body["given_name"] == person["given_name"]
    assert {"vulnerability", "needs", "legal_status", "migration_project"}.isdisjoint(body)

    given = await intake.post(
        "/api/v1/me/consents",
        json={
            "purpose": "sharing",
            "organization_id": str(partner.id),
            "sections": ["identity", "contact"],
            "text_version": "app-2026-01",
        },
        headers=me,
    )
    assert given.status_code == 201, given.text
    consent = given.json()
    assert consent["collection_method"] == "mobile_app"
    assert consent["beneficiary_id"] == person["id"]
    shared = await intake.get(f"/api/v1/beneficiaries/{person['id']}", headers=partner.operator)
    assert shared.status_code == 200
    assert "contact" in shared.json()["visible_sections"]

    listed = await intake.get("/api/v1/me/consents", headers=me)
    assert [c["id"] for c in listed.json()["items"]] == [consent["id"]]

    # Another person's consent is not theirs to withdraw, by either path.
    theirs = await intake.post(
        f"/api/v1/beneficiaries/{someone_else['id']}/consents",
        json={"purpose": "matching", "text_version": "v1", "collection_method": "paper_signed"},
        headers=ngo.operator,
    )
    assert theirs.status_code == 201
    other_id = theirs.json()["id"]
    assert (await intake.delete(f"/api/v1/me/consents/{other_id}", headers=me)).status_code == 404
    other_url = f"/api/v1/beneficiaries/{someone_else['id']}/consents/{other_id}"
    assert (await intake.delete(other_url, headers=me)).status_code == 404

    withdrawn = await intake.delete(f"/api/v1/me/consents/{consent['id']}", headers=me)
    assert withdrawn.status_code == 204
    gone = await intake.get(f"/api/v1/beneficiaries/{person['id']}", headers=partner.operator)
    assert gone.status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/me/profile", "/api/v1/me/consents"])
async def test_me_is_for_a_signed_in_person_only(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], issuer: TestIssuer, path: str
) -> None:
    ngo, _, _ = orgs
    assert (await intake.get(path, headers=ngo.operator)).status_code == 403
    no_id = issuer.headers(roles=("beneficiary",), organization_id=ngo.id)
    assert (await intake.get(path, headers=no_id)).status_code == 403
    ghost = person_headers(issuer, ngo, str(uuid.uuid4()))
    assert (await intake.get(path, headers=ghost)).status_code == 404
