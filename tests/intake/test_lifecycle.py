"""Duplicates and merge; GDPR export and erasure."""

from __future__ import annotations

import httpx

from tests.intake.conftest import Org, register
from tests.support import sql


async def test_a_transliteration_variant_is_flagged_and_merged(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    first = await register(
        intake, a, given_name="Mohammed", family_name="El-Sayed", birth_date="1995-03-12"
    )
    answer = await intake.post(
        "/api/v1/beneficiaries",
        json={
            "given_name": "Muhammad",
            "family_name": "Elsayed",
            "birth_date": "1995-12-03",
            "nationality": "EG",
            "sex": "male",
        },
        headers=a.operator,
    )
    second = answer.json()
    assert [candidate["id"] for candidate in second["possible_duplicates"]] == [first["id"]]
    assert second["possible_duplicates"][0]["reasons"]
    listed = (
        await intake.get(f"/api/v1/beneficiaries/{second['id']}/duplicates", headers=a.operator)
    ).json()
    assert listed["items"][0]["id"] == first["id"]

    merged = await intake.post(
        f"/api/v1/beneficiaries/{first['id']}/merge",
        json={"merged_id": second["id"]},
        headers=a.operator,
    )
    assert merged.status_code == 200
    pointer = await intake.get(f"/api/v1/beneficiaries/{second['id']}", headers=a.operator)
    assert pointer.status_code == 301
    assert pointer.headers["location"] == f"/api/v1/beneficiaries/{first['id']}"
    assert pointer.json() == {"id": second["id"], "status": "merged", "merged_into": first["id"]}
    history = (
        await intake.get(f"/api/v1/beneficiaries/{first['id']}/history", headers=a.operator)
    ).json()
    assert history["items"][-1]["action"] == "merged_from"
    again = await intake.post(
        f"/api/v1/beneficiaries/{first['id']}/merge",
        json={"merged_id": second["id"]},
        headers=a.operator,
    )
    assert again.status_code == 409


async def test_duplicates_of_other_organisations_stay_hidden_without_consent(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    await register(intake, a)
    second = await register(intake, b)
    assert second["possible_duplicates"] == []


async def test_merge_needs_both_records(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    mine, theirs = await register(intake, a), await register(intake, b)
    answer = await intake.post(
        f"/api/v1/beneficiaries/{mine['id']}/merge",
        json={"merged_id": theirs["id"]},
        headers=a.operator,
    )
    assert answer.status_code == 404
    itself = await intake.post(
        f"/api/v1/beneficiaries/{mine['id']}/merge",
        json={"merged_id": mine["id"]},
        headers=a.operator,
    )
    assert itself.status_code == 422


async def test_erasure_removes_personal_data_and_is_idempotent(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, b, _ = orgs
    created = await register(
        intake, a, given_name="Zainab", family_name="Qureshi", external_id="ngo-77"
    )
    url = f"/api/v1/beneficiaries/{created['id']}"
    await intake.patch(
        url, json={"municipality": "Ostia"}, headers={**a.operator, "If-Match": '"1"'}
    )
    assert (await intake.delete(url, headers=a.operator)).status_code == 403
    assert (await intake.delete(url, headers=b.admin)).status_code == 404
    assert (await intake.delete(url, headers=a.admin)).status_code == 204
    assert (await intake.delete(url, headers=a.admin)).status_code == 204
    assert (await intake.get(url, headers=a.operator)).status_code == 404

    dump = await sql(
        intake_database,
        "SELECT b::text AS row FROM beneficiary b "
        "UNION ALL SELECT c::text FROM beneficiary_change c "
        "UNION ALL SELECT o.payload::text FROM outbox_event o "
        "UNION ALL SELECT i::text FROM idempotency_record i",
    )
    text = " ".join(row["row"] for row in dump)
    for personal in ("Zainab", "Qureshi", "ngo-77", "Roma", created["birth_date"], "Ahmed"):
        assert personal not in text, personal
    stats = (
        await sql(intake_database, "SELECT status, sex, nationality, birth_year FROM beneficiary")
    )[0]
    assert (stats["status"], stats["sex"], stats["nationality"], stats["birth_year"]) == (
        "erased",
        "male",
        "EG",
        int(created["birth_date"][:4]),
    )
    erased_event = await sql(
        intake_database, "SELECT payload FROM outbox_event WHERE type = 'beneficiary.erased'"
    )
    assert created["id"] in erased_event[0]["payload"]


async def test_export_gathers_everything_with_a_manifest(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    created = await register(intake, a)
    url = f"/api/v1/beneficiaries/{created['id']}"
    await intake.post(
        f"{url}/consents",
        json={"purpose": "matching", "text_version": "v1", "collection_method": "paper_signed"},
        headers=a.operator,
    )
    assert (await intake.get(f"{url}/export", headers=a.operator)).status_code == 403
    assert (await intake.get(f"{url}/export", headers=b.admin)).status_code == 404
    answer = await intake.get(f"{url}/export", headers=a.admin)
    assert answer.status_code == 200
    document = answer.json()
    assert document["data"]["intake"]["record"]["given_name"] == "Ahmed"
    assert len(document["data"]["intake"]["consents"]) == 1
    assert document["data"]["intake"]["history"][0]["action"] == "registered"
    services = {item["service"]: item["status"] for item in document["manifest"]}
    assert services["intake"] == "included"
    assert services["pathways"].startswith("unavailable")  # nothing listens in this test
    assert document["complete"] is False
