"""Duplicates and merge; GDPR export and erasure."""

from __future__ import annotations

import uuid

import httpx

from tests.intake.conftest import Org, person, register
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
    assert services["gateway"].startswith("unavailable")
    assert document["complete"] is False


DUPLICATES = (
    {
        "given_name": "Muhammad",
        "family_name": "Elsayed",
        "birth_date": "1995-12-03",
        "contact": {"phone": "+39 345 000 1111"},
    },
    {
        "given_name": "Mohamed",
        "family_name": "Sayyid",
        "birth_date": "1995-03-21",
        "contact": {"phone": "+39 345 000 2222"},
    },
)
DUPLICATE_VALUES = (
    *("Muhammad", "Elsayed", "1995-12-03", "000 1111"),
    *("Mohamed", "Sayyid", "1995-03-21", "000 2222", "000 3333", "dup-ext-9"),
)


async def _merged_family(intake: httpx.AsyncClient, a: Org) -> tuple[str, str, str]:
    """A survivor, a duplicate merged into it, and a third record merged into the duplicate
    before that (a chain); the duplicates have history with values and a stored idempotent
    answer. Returns their ids (survivor, duplicate, its duplicate)."""
    survivor = await register(intake, a, given_name="Mohammed", family_name="El-Sayed")
    first = await intake.post(
        "/api/v1/beneficiaries",
        json=person(**DUPLICATES[0]),
        headers={**a.operator, "Idempotency-Key": "register-duplicate"},
    )
    assert first.status_code == 201, first.text
    second = await register(intake, a, **DUPLICATES[1], external_id="dup-ext-9")
    changed = await intake.patch(
        f"/api/v1/beneficiaries/{second['id']}",
        json={"contact": {"phone": "+39 345 000 3333"}},
        headers={**a.operator, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    for into, merged in ((first.json()["id"], second["id"]), (survivor["id"], first.json()["id"])):
        answer = await intake.post(
            f"/api/v1/beneficiaries/{into}/merge", json={"merged_id": merged}, headers=a.operator
        )
        assert answer.status_code == 200, answer.text
    return survivor["id"], first.json()["id"], second["id"]


async def test_erasing_a_survivor_erases_every_record_merged_into_it(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, _, _ = orgs
    survivor, duplicate, older = await _merged_family(intake, a)
    history = await intake.get(f"/api/v1/beneficiaries/{older}/history", headers=a.operator)
    assert "000 3333" in history.text  # before the erasure, the owner reads it

    assert (
        await intake.delete(f"/api/v1/beneficiaries/{survivor}", headers=a.admin)
    ).status_code == 204
    for merged in (duplicate, older):
        url = f"/api/v1/beneficiaries/{merged}"
        for path in ("", "/history", "/duplicates", "/consents"):
            answer = await intake.get(f"{url}{path}", headers=a.operator)
            assert answer.status_code == 404, (path, answer.status_code)
        assert (await intake.get(f"{url}/access-log", headers=a.admin)).status_code == 404
    dump = await sql(
        intake_database,
        "SELECT b::text AS row FROM beneficiary b "
        "UNION ALL SELECT c::text FROM beneficiary_change c "
        "UNION ALL SELECT o.payload::text FROM outbox_event o "
        "UNION ALL SELECT encode(i.body, 'escape') FROM idempotency_record i",
    )
    text = " ".join(row["row"] for row in dump)
    for value in DUPLICATE_VALUES:
        assert value not in text, value
    statuses = await sql(intake_database, "SELECT id::text, status FROM beneficiary")
    assert {row["id"]: row["status"] for row in statuses} == dict.fromkeys(
        (survivor, duplicate, older), "erased"
    )
    erasures = await sql(
        intake_database,
        "SELECT payload->>'beneficiary_id' AS id FROM outbox_event "
        "WHERE type = 'beneficiary.erased'",
    )
    assert {row["id"] for row in erasures} == {survivor, duplicate, older}
    # Idempotent: nothing is left to erase.
    assert (
        await intake.delete(f"/api/v1/beneficiaries/{duplicate}", headers=a.admin)
    ).status_code == 204
    assert len(await sql(intake_database, "SELECT 1 FROM erasure")) == 3


async def test_a_merged_id_erases_the_person_it_was_merged_into(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, b, _ = orgs
    survivor, _duplicate, older = await _merged_family(intake, a)
    url = f"/api/v1/beneficiaries/{older}"
    assert (await intake.delete(url, headers=b.admin)).status_code == 404
    assert (await intake.delete(url, headers=a.operator)).status_code == 403
    assert (await intake.delete(url, headers=a.admin)).status_code == 204
    assert (
        await intake.get(f"/api/v1/beneficiaries/{survivor}", headers=a.operator)
    ).status_code == 404
    statuses = await sql(intake_database, "SELECT DISTINCT status FROM beneficiary")
    assert [row["status"] for row in statuses] == ["erased"]


async def test_erasing_again_clears_merged_records_an_earlier_erasure_left(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, _, _ = orgs
    survivor, duplicate, older = await _merged_family(intake, a)
    await sql(  # what an erasure before merged records were erased too left behind
        intake_database,
        "UPDATE beneficiary SET status = 'erased' WHERE id = $1",
        uuid.UUID(survivor),
    )
    assert (
        await intake.delete(f"/api/v1/beneficiaries/{survivor}", headers=a.admin)
    ).status_code == 204
    rows = await sql(
        intake_database,
        "SELECT status, given_name FROM beneficiary WHERE id = ANY($1::uuid[])",
        [uuid.UUID(duplicate), uuid.UUID(older)],
    )
    assert [(row["status"], row["given_name"]) for row in rows] == [("erased", None)] * 2


async def test_the_export_includes_the_records_merged_into_the_person(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    survivor, duplicate, older = await _merged_family(intake, a)
    answer = await intake.get(f"/api/v1/beneficiaries/{survivor}/export", headers=a.admin)
    assert answer.status_code == 200, answer.text
    document = answer.json()
    merged = {item["record"]["id"]: item for item in document["data"]["intake"]["merged_records"]}
    assert set(merged) == {duplicate, older}
    assert merged[duplicate]["record"]["given_name"] == "Muhammad"
    assert merged[duplicate]["record"]["contact"]["phone"] == "+39 345 000 1111"
    assert merged[duplicate]["record"]["merged_into"] == survivor
    assert merged[older]["record"]["birth_date"] == "1995-03-21"
    assert merged[older]["record"]["merged_into"] == duplicate
    actions = [change["action"] for change in merged[older]["history"]]
    assert actions == ["registered", "updated", "merged_into"]
    assert merged[older]["history"][1]["changes"]["contact"]["to"]["phone"] == "+39 345 000 3333"
    assert not any(entry["action"] == "export" for entry in merged[older]["access_log"])
    intake_items = next(m for m in document["manifest"] if m["service"] == "intake")["items"]
    assert intake_items["merged_records"] == 2
    # A merged id exports the person it was merged into.
    again = await intake.get(f"/api/v1/beneficiaries/{older}/export", headers=a.admin)
    assert again.status_code == 200
    assert again.json()["beneficiary_id"] == survivor
    log = (await intake.get(f"/api/v1/beneficiaries/{survivor}/export", headers=a.admin)).json()
    older_log = next(
        item for item in log["data"]["intake"]["merged_records"] if item["record"]["id"] == older
    )["access_log"]
    assert [entry["action"] for entry in older_log] == ["export", "export"]


async def test_erasure_clears_consent_texts_and_ends_open_invitations(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, b, _ = orgs
    created = await register(intake, a)
    url = f"/api/v1/beneficiaries/{created['id']}"
    consent = await intake.post(
        f"{url}/consents",
        json={
            "purpose": "sharing",
            "organization_id": str(b.id),
            "sections": ["identity"],
            "text_version": "v3 read aloud by her brother Karim",
            "collection_method": "verbal_witnessed",
        },
        headers=a.operator,
    )
    assert consent.status_code == 201, consent.text
    invited = await intake.post(f"{url}/invitations", headers=a.operator)
    assert invited.status_code == 201, invited.text

    exported = (await intake.get(f"{url}/export", headers=a.admin)).json()["data"]["intake"]
    (invitation,) = exported["invitations"]
    assert invitation["id"] == invited.json()["id"]
    assert invitation["used_at"] is None
    assert "code_hash" not in invitation
    assert invited.json()["code"].replace("-", "") not in str(exported)

    assert (await intake.delete(url, headers=a.admin)).status_code == 204
    consents = await sql(intake_database, "SELECT c::text AS row FROM consent c")
    assert consents
    assert "Karim" not in " ".join(row["row"] for row in consents)
    assert await sql(intake_database, "SELECT 1 FROM invitation WHERE revoked_at IS NULL") == []
