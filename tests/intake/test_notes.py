"""Case notes: written by the registering organisation, read by the organisations the person shared
the note's section with, never changed (corrections are new notes); in the export, gone with an
erasure, moved by a merge."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.intake.domain.enums import Section
from services.intake.domain.notes import SectionDiffers, SectionMissing, section_of
from shared import clock
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


async def _note(
    intake: httpx.AsyncClient, url: str, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    answer = await intake.post(f"{url}/notes", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


async def _listed(
    intake: httpx.AsyncClient, url: str, headers: dict[str, str], **params: str
) -> list[dict[str, Any]]:
    answer = await intake.get(f"{url}/notes", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def _count(database: str, beneficiary_id: str) -> int:
    rows = await sql(
        database,
        "SELECT count(*) AS n FROM note WHERE beneficiary_id = $1",
        uuid.UUID(beneficiary_id),
    )
    return int(rows[0]["n"])


async def test_an_operator_writes_notes_read_newest_first_page_by_page(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], issuer: TestIssuer
) -> None:
    a, _, _ = orgs
    url = f"/api/v1/beneficiaries/{(await register(intake, a))['id']}"
    author = str(uuid.uuid4())
    operator = issuer.headers(roles=("operator",), organization_id=a.id, subject=author)
    pathway = str(uuid.uuid4())
    start = datetime.now(UTC).replace(microsecond=0)
    written = []
    for minute in range(3):
        with clock.frozen_at(start + timedelta(minutes=minute)):
            links = {"pathway_id": pathway} if minute != 1 else {}
            answer = await intake.post(
                f"{url}/notes",
                json={"section": "pathway", "text": f"  call {minute}  ", **links},
                headers=operator,
            )
        assert answer.status_code == 201, answer.text
        assert answer.headers["location"] == f"{url}/notes/{answer.json()['id']}"
        written.append(answer.json())
    first = written[0]
    assert first["text"] == "call 0"
    assert first["author_id"] == author
    assert first["author_organization_id"] == str(a.id)
    assert datetime.fromisoformat(first["created_at"]) == start  # the server's clock
    assert first["pathway_id"] == pathway
    assert first["corrects"] is None
    assert first["corrected_by"] == []

    page = await intake.get(f"{url}/notes", params={"limit": 2}, headers=a.operator)
    assert [item["text"] for item in page.json()["items"]] == ["call 2", "call 1"]
    cursor = page.json()["next_cursor"]
    rest = await intake.get(f"{url}/notes", params={"cursor": cursor}, headers=a.operator)
    assert [item["text"] for item in rest.json()["items"]] == ["call 0"]
    assert rest.json()["next_cursor"] is None
    about = await _listed(intake, url, a.admin, pathway_id=pathway)
    assert [item["text"] for item in about] == ["call 2", "call 0"]
    assert await _listed(intake, url, a.admin, pathway_id=str(uuid.uuid4())) == []
    bad = await intake.get(f"{url}/notes", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=a.admin)
    assert bad.status_code == 422


async def test_a_shared_organisation_reads_the_granted_sections_and_writes_nothing(
    intake: httpx.AsyncClient,
    orgs: tuple[Org, Org, Org],
    issuer: TestIssuer,
    intake_database: str,
) -> None:
    a, b, c = orgs
    created = await register(intake, a)
    url = f"/api/v1/beneficiaries/{created['id']}"
    for section in ("identity", "contact", "profile", "pathway"):
        await _note(intake, url, a.operator, section=section, text=f"about {section}")
    consent = await intake.post(
        f"{url}/consents", json=_sharing(b, ["identity", "pathway"]), headers=a.operator
    )
    assert consent.status_code == 201

    seen = await _listed(intake, url, b.operator)
    assert sorted(item["section"] for item in seen) == ["identity", "pathway"]
    assert len(await _listed(intake, url, a.operator)) == 4
    refused = await intake.post(
        f"{url}/notes", json={"section": "pathway", "text": "ours"}, headers=b.operator
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    for headers in (
        c.operator,  # shares nothing with C
        b.headers("provider"),  # a provider reads no record, shared or not
        issuer.headers(
            roles=("beneficiary",), organization_id=a.id, beneficiary_id=uuid.UUID(created["id"])
        ),
        issuer.headers(roles=("platform_admin",), organization_id=a.id),
        a.headers("cluster_coordinator"),
    ):
        assert (await intake.get(f"{url}/notes", headers=headers)).status_code == 404
        posted = await intake.post(
            f"{url}/notes", json={"section": "identity", "text": "x"}, headers=headers
        )
        assert posted.status_code == 404
    assert await _count(intake_database, created["id"]) == 4

    await intake.delete(f"{url}/consents/{consent.json()['id']}", headers=a.operator)
    assert (await intake.get(f"{url}/notes", headers=b.operator)).status_code == 404


async def test_a_partner_system_writes_for_its_organisation(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    url = f"/api/v1/beneficiaries/{(await register(intake, a))['id']}"
    note = await _note(
        intake, url, a.headers("partner_system"), section="profile", text="synced from our CRM"
    )
    assert note["author_organization_id"] == str(a.id)


async def test_reads_are_in_the_access_log(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    url = f"/api/v1/beneficiaries/{(await register(intake, a))['id']}"
    await intake.post(f"{url}/consents", json=_sharing(b, ["pathway"]), headers=a.operator)
    await _listed(intake, url, b.operator)
    log = (await intake.get(f"{url}/access-log", headers=a.admin)).json()["items"]
    reads = [entry for entry in log if entry["purpose"].endswith("/notes")]
    assert [(entry["action"], entry["actor_organization_id"]) for entry in reads] == [
        ("read", str(b.id))
    ]


async def test_a_correction_is_a_new_note_in_the_corrected_notes_section(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, b, _ = orgs
    person = await register(intake, a)
    url = f"/api/v1/beneficiaries/{person['id']}"
    wrong = await _note(intake, url, a.operator, section="pathway", text="Starts on Monday.")
    fixed = await _note(
        intake, url, a.operator, corrects=wrong["id"], text="Starts on Tuesday, not Monday."
    )
    assert fixed["section"] == "pathway"
    assert fixed["corrects"] == wrong["id"]
    again = await _note(
        intake, url, a.operator, section="pathway", corrects=wrong["id"], text="Wednesday."
    )
    chain = await _note(intake, url, a.operator, corrects=fixed["id"], text="Thursday, finally.")
    await intake.post(f"{url}/consents", json=_sharing(b, ["pathway"]), headers=a.operator)
    shown = {item["id"]: item for item in await _listed(intake, url, b.operator)}
    assert shown[wrong["id"]]["corrected_by"] == [fixed["id"], again["id"]]
    assert shown[wrong["id"]]["text"] == "Starts on Monday."  # the original stays as written
    assert shown[fixed["id"]]["corrected_by"] == [chain["id"]]
    assert shown[chain["id"]]["corrected_by"] == []

    other = await register(intake, a, given_name="Karim")
    elsewhere = await _note(
        intake, f"/api/v1/beneficiaries/{other['id']}", a.operator, section="pathway", text="y"
    )
    before = await _count(intake_database, person["id"])
    for body, field in (
        ({"corrects": elsewhere["id"], "text": "of another person"}, "body.corrects"),
        ({"corrects": str(uuid.uuid4()), "text": "of nobody"}, "body.corrects"),
        ({"corrects": wrong["id"], "section": "identity", "text": "moved"}, "body.section"),
    ):
        answer = await intake.post(f"{url}/notes", json=body, headers=a.operator)
        assert answer.status_code == 422, answer.text
        assert [error["field"] for error in answer.json()["errors"]] == [field]
    assert await _count(intake_database, person["id"]) == before


async def test_bad_notes_are_refused_and_nothing_is_written(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, _, _ = orgs
    person = await register(intake, a)
    url = f"/api/v1/beneficiaries/{person['id']}"
    for body in (
        {"text": "no section"},
        {"section": "pathway", "text": "   "},
        {"section": "pathway", "text": "x" * 4001},
        {"section": "health", "text": "not a section"},
        {"section": "pathway", "text": "x", "pathway_id": "P-12"},
        {"section": "pathway", "text": "x", "author_id": "someone else"},
        {"section": "pathway", "text": "x", "created_at": "2020-01-01T00:00:00Z"},
    ):
        answer = await intake.post(f"{url}/notes", json=body, headers=a.operator)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert await _count(intake_database, person["id"]) == 0
    assert (await _note(intake, url, a.operator, section="pathway", text="x" * 4000))["text"]
    missing = f"/api/v1/beneficiaries/{uuid.uuid4()}/notes"
    answer = await intake.post(missing, json={"section": "pathway", "text": "x"}, headers=a.admin)
    assert answer.status_code == 404


async def test_notes_are_never_changed_nor_deleted(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    url = f"/api/v1/beneficiaries/{(await register(intake, a))['id']}"
    note = await _note(intake, url, a.operator, section="pathway", text="as written")
    for method in ("PATCH", "DELETE", "PUT"):
        for path in (f"{url}/notes", f"{url}/notes/{note['id']}"):
            answer = await intake.request(
                method, path, json={"text": "changed"}, headers={**a.admin, "If-Match": "*"}
            )
            assert answer.status_code in (404, 405), (method, path, answer.status_code)
        assert (await intake.request(method, f"{url}/notes", headers=a.admin)).status_code == 405
    assert [item["text"] for item in await _listed(intake, url, a.operator)] == ["as written"]


async def test_a_retried_post_writes_one_note(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, _, _ = orgs
    person = await register(intake, a)
    url = f"/api/v1/beneficiaries/{person['id']}/notes"
    headers = {**a.headers("operator"), "Idempotency-Key": uuid.uuid4().hex}
    body = {"section": "contact", "text": "New phone number given at the desk."}
    first = await intake.post(url, json=body, headers=headers)
    again = await intake.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert await _count(intake_database, person["id"]) == 1


async def test_export_holds_the_notes_and_erasure_removes_them(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, _, _ = orgs
    person = await register(intake, a)
    url = f"/api/v1/beneficiaries/{person['id']}"
    first = await _note(intake, url, a.operator, section="profile", text="Speaks Tigrinya.")
    await _note(intake, url, a.operator, corrects=first["id"], text="Speaks Tigrinya and Arabic.")
    exported = (await intake.get(f"{url}/export", headers=a.admin)).json()
    notes = exported["data"]["intake"]["notes"]
    assert [note["text"] for note in notes] == ["Speaks Tigrinya.", "Speaks Tigrinya and Arabic."]
    assert notes[1]["corrects"] == first["id"]
    manifest = {item["service"]: item for item in exported["manifest"]}
    assert manifest["intake"]["items"]["notes"] == 2

    assert (await intake.delete(url, headers=a.admin)).status_code == 204
    assert await _count(intake_database, person["id"]) == 0
    texts = await sql(intake_database, "SELECT text FROM note WHERE text LIKE 'Speaks%'")
    assert texts == []
    assert (await intake.get(f"{url}/notes", headers=a.admin)).status_code == 404


async def test_a_merge_moves_the_notes_to_the_survivor(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, _, _ = orgs
    survivor = await register(intake, a)
    duplicate = await register(intake, a, given_name="Ahmad")
    kept = await _note(
        intake, f"/api/v1/beneficiaries/{survivor['id']}", a.operator, section="pathway", text="1"
    )
    dup_url = f"/api/v1/beneficiaries/{duplicate['id']}"
    moved = await _note(intake, dup_url, a.operator, section="identity", text="2")
    merged = await intake.post(
        f"/api/v1/beneficiaries/{survivor['id']}/merge",
        json={"merged_id": duplicate["id"]},
        headers=a.operator,
    )
    assert merged.status_code == 200, merged.text
    url = f"/api/v1/beneficiaries/{survivor['id']}"
    assert {item["id"] for item in await _listed(intake, url, a.operator)} == {
        kept["id"],
        moved["id"],
    }
    # A note moved with the person is corrected on the survivor.
    fixed = await _note(intake, url, a.operator, corrects=moved["id"], text="2, corrected")
    assert fixed["section"] == "identity"
    assert await _count(intake_database, duplicate["id"]) == 0
    assert (await intake.get(f"{dup_url}/notes", headers=a.operator)).status_code == 404


def test_a_corrections_section_is_the_corrected_notes() -> None:
    assert section_of(Section.PROFILE, None) == Section.PROFILE
    assert section_of(None, Section.PATHWAY) == Section.PATHWAY
    assert section_of(Section.PATHWAY, Section.PATHWAY) == Section.PATHWAY
    with pytest.raises(SectionDiffers):
        section_of(Section.IDENTITY, Section.PATHWAY)
    with pytest.raises(SectionMissing):
        section_of(None, None)
