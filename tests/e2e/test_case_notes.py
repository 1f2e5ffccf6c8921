"""End to end through the gateway: case notes. A person registered by one NGO shares two sections
with another and everything with a provider organisation: the other NGO reads the notes of those
two sections and writes none, the provider reads none, nor does the person in the app; a
correction is a new note and the chain shows; the export holds the notes and an erasure leaves no
word of them in intake's database."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.beneficiary_world import ok
from tests.e2e.conftest import Stack
from tests.e2e.helpers import Organisation, bearer, organisation, signed_in_user
from tests.support import sql

pytestmark = pytest.mark.e2e

APP_PASSWORD = "a-person-chooses-a-long-phrase"
SECTIONS = ("identity", "contact", "profile", "pathway")


def _share(
    client: httpx.Client, owner: Organisation, person_id: str, with_: str, sections: list[str]
) -> None:
    body = {
        "purpose": "sharing",
        "organization_id": with_,
        "sections": sections,
        "text_version": "it-2026",
        "collection_method": "paper_signed",
    }
    url = f"/api/v1/beneficiaries/{person_id}/consents"
    ok(client.post(url, json=body, headers=owner.operator))


def _notes(client: httpx.Client, url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(client.get(f"{url}/notes", headers=headers))["items"]
    return items


def _app_token(client: httpx.Client, owner: Organisation, person_id: str) -> dict[str, str]:
    url = f"/api/v1/beneficiaries/{person_id}/invitations"
    code = ok(client.post(url, headers=owner.operator))["code"]
    tokens = ok(client.post("/api/v1/auth/activate", json={"code": code, "password": APP_PASSWORD}))
    return bearer(tokens["access_token"])


def test_notes_follow_the_sections_shared_and_corrections_chain(stack: Stack) -> None:
    with stack.client() as client:
        owner = organisation(client, "Notes owner")
        partner = organisation(client, "Notes partner")
        employer = organisation(client, "Notes employer", kind="employer")
        _, _, provider_token = signed_in_user(
            client, employer.admin, employer.id, "provider", "Notes provider"
        )
        provider = bearer(provider_token)
        body = {"given_name": "Abena", "family_name": "Owusu", "birth_date": "1997-04-19"}
        person = ok(client.post("/api/v1/beneficiaries", json=body, headers=owner.operator))
        url = f"/api/v1/beneficiaries/{person['id']}"
        _share(client, owner, person["id"], partner.id, ["identity", "pathway"])
        _share(client, owner, person["id"], employer.id, list(SECTIONS))

        written = {
            section: ok(
                client.post(
                    f"{url}/notes",
                    json={"section": section, "text": f"Abena, {section} note"},
                    headers={**owner.operator, "Idempotency-Key": uuid.uuid4().hex},
                )
            )
            for section in SECTIONS
        }
        wrong = written["pathway"]
        fixed = ok(
            client.post(
                f"{url}/notes",
                json={"corrects": wrong["id"], "text": "Abena, the course starts in May"},
                headers=owner.admin,
            )
        )
        assert fixed["section"] == "pathway"

        # The owner reads all five, newest first; the partner the identity and pathway ones.
        mine = _notes(client, url, owner.operator)
        assert mine[0]["id"] == fixed["id"]
        assert len(mine) == 5
        theirs = {note["id"]: note for note in _notes(client, url, partner.operator)}
        assert set(theirs) == {written["identity"]["id"], wrong["id"], fixed["id"]}
        assert theirs[wrong["id"]]["corrected_by"] == [fixed["id"]]
        assert theirs[fixed["id"]]["corrects"] == wrong["id"]
        refused = client.post(
            f"{url}/notes", json={"section": "pathway", "text": "ours"}, headers=partner.operator
        )
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")

        # A provider reads no record, though the person shared everything with its organisation;
        # nor does the person read the operators' notes through this path.
        assert client.get(f"{url}/notes", headers=provider).status_code == 404
        app = _app_token(client, owner, person["id"])
        assert client.get(f"{url}/notes", headers=app).status_code == 404
        assert client.post(
            f"{url}/notes", json={"section": "identity", "text": "me"}, headers=app
        ).status_code in (403, 404)

        # Immutable: nothing changes or deletes a note.
        for method in ("PATCH", "DELETE"):
            answer = client.request(
                method, f"{url}/notes", json={"text": "x"}, headers={**owner.admin, "If-Match": "*"}
            )
            assert answer.status_code == 405
        log = ok(client.get(f"{url}/access-log", headers=owner.admin))["items"]
        readers = {
            entry["actor_organization_id"] for entry in log if entry["purpose"].endswith("/notes")
        }
        assert readers == {owner.id, partner.id}


async def test_the_export_holds_the_notes_and_erasure_clears_them(stack: Stack) -> None:
    with stack.client() as client:
        owner = organisation(client, "Notes eraser")
        body = {"given_name": "Kofi", "family_name": "Mensah", "birth_date": "1990-01-30"}
        person = ok(client.post("/api/v1/beneficiaries", json=body, headers=owner.operator))
        url = f"/api/v1/beneficiaries/{person['id']}"
        first = ok(
            client.post(
                f"{url}/notes",
                json={"section": "profile", "text": "Kofi-notes-secret: worked in Kumasi"},
                headers={**owner.operator, "Idempotency-Key": uuid.uuid4().hex},
            )
        )
        ok(
            client.post(
                f"{url}/notes",
                json={"corrects": first["id"], "text": "Kofi-notes-secret: in Accra"},
                headers={**owner.operator, "Idempotency-Key": uuid.uuid4().hex},
            )
        )
        exported = ok(client.get(f"{url}/export", headers=owner.admin))
        texts = [note["text"] for note in exported["data"]["intake"]["notes"]]
        assert texts == ["Kofi-notes-secret: worked in Kumasi", "Kofi-notes-secret: in Accra"]

        assert client.delete(url, headers=owner.admin).status_code == 204
        assert client.get(f"{url}/notes", headers=owner.admin).status_code == 404
    left = await sql(
        stack.databases["intake"],
        "SELECT count(*) AS n FROM note WHERE beneficiary_id = $1",
        uuid.UUID(person["id"]),
    )
    assert left[0]["n"] == 0
    # The stored answers of the Idempotency-Key retries held the text too.
    mentions = await sql(
        stack.databases["intake"],
        "SELECT count(*) AS n FROM idempotency_record WHERE convert_from(body, 'UTF8') LIKE $1",
        "%Kofi-notes-secret%",
    )
    assert mentions[0]["n"] == 0
