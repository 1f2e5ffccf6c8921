"""Search, filters, cursor pagination and sync with tombstones."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx

from tests.intake.conftest import Org, register
from tests.support import sql


async def _ids(client: httpx.AsyncClient, org: Org, **params: str | int) -> list[str]:
    answer = await client.get("/api/v1/beneficiaries", params=params, headers=org.operator)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


async def test_q_is_partial_case_and_accent_insensitive(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    jose = await register(
        intake, a, given_name="José", family_name="García López", nationality="CO"
    )
    await register(intake, a, given_name="Amina", family_name="Diallo", nationality="GN")
    assert await _ids(intake, a, q="jose") == [jose["id"]]
    assert await _ids(intake, a, q="GARC lop") == [jose["id"]]
    assert await _ids(intake, a, q="lópez") == [jose["id"]]
    assert await _ids(intake, a, q="zzz") == []


async def test_filters(intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]) -> None:
    a, _, _ = orgs
    today = date.today()
    soon = (today + timedelta(days=20)).isoformat()
    recent = await register(
        intake,
        a,
        given_name="Recent",
        arrival_date=(today - timedelta(days=200)).isoformat(),
        needs=["housing"],
        legal_status={"permit_type": "IT-famiglia", "permit_expires_on": soon},
    )
    old = await register(
        intake,
        a,
        given_name="Settled",
        arrival_date="2012-05-01",
        nationality="MA",
        birth_date="1980-02-02",
        municipality="Fiumicino",
    )
    assert await _ids(intake, a, recent_arrival="true") == [recent["id"]]
    assert await _ids(intake, a, recent_arrival="false") == [old["id"]]
    assert await _ids(intake, a, need="housing") == [recent["id"]]
    assert await _ids(intake, a, nationality="MA") == [old["id"]]
    assert await _ids(intake, a, municipality="Fiumicino") == [old["id"]]
    assert await _ids(intake, a, permit_expiring_within_days=30) == [recent["id"]]
    assert await _ids(intake, a, age_min=40) == [old["id"]]
    assert await _ids(intake, a, age_max=30) == [recent["id"]]
    assert await _ids(intake, a, organization_id=str(a.id)) == [recent["id"], old["id"]]
    bad = await intake.get(
        "/api/v1/beneficiaries", params={"nationality": "XX"}, headers=a.operator
    )
    assert bad.status_code == 422


async def test_cursor_walks_every_person_once_in_a_stable_order(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    created = [(await register(intake, a, given_name=f"Person{index}"))["id"] for index in range(7)]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await intake.get("/api/v1/beneficiaries", params=params, headers=a.operator)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == created


async def test_sync_returns_changes_and_tombstones(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    kept = await register(intake, a, given_name="Kept")
    erased = await register(intake, a, given_name="Erased")
    shared = await register(intake, a, given_name="Shared")
    consent_id = await _share(intake, a, shared["id"], b)
    mark = datetime.now(UTC).isoformat()
    b_before = await intake.get(
        "/api/v1/beneficiaries",
        params={"updated_since": "2000-01-01T00:00:00Z"},
        headers=b.operator,
    )
    assert [item["id"] for item in b_before.json()["items"]] == [shared["id"]]

    await intake.delete(f"/api/v1/beneficiaries/{erased['id']}", headers=a.admin)
    await intake.delete(
        f"/api/v1/beneficiaries/{shared['id']}/consents/{consent_id}", headers=a.operator
    )
    mine = (
        await intake.get(
            "/api/v1/beneficiaries", params={"updated_since": mark}, headers=a.operator
        )
    ).json()
    by_id = {item["id"]: item for item in mine["items"]}
    assert by_id[erased["id"]] == {
        "id": erased["id"],
        "status": "erased",
        "updated_at": by_id[erased["id"]]["updated_at"],
        "merged_into": None,
    }
    assert by_id[shared["id"]]["given_name"] == "Shared"
    assert kept["id"] not in by_id
    theirs = (
        await intake.get(
            "/api/v1/beneficiaries", params={"updated_since": mark}, headers=b.operator
        )
    ).json()
    assert [(item["id"], item["status"]) for item in theirs["items"]] == [
        (shared["id"], "withdrawn")
    ]


async def test_updated_since_takes_an_iso_date_time_only(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    for wrong in ("12345", "0", "yesterday"):
        answer = await intake.get(
            "/api/v1/beneficiaries", params={"updated_since": wrong}, headers=orgs[0].operator
        )
        assert answer.status_code == 422, (wrong, answer.text)
        assert answer.json()["errors"][0]["field"] == "query.updated_since"
    for right in ("2026-01-02", "2026-01-02T08:00:00Z", "2026-01-02T08:00:00.5+01:00"):
        answer = await intake.get(
            "/api/v1/beneficiaries", params={"updated_since": right}, headers=orgs[0].operator
        )
        assert answer.status_code == 200, (right, answer.text)


async def _sync(
    client: httpx.AsyncClient, org: Org, since: str, **params: str | int
) -> list[dict[str, object]]:
    """Every page of a sync, followed by its cursor."""
    items: list[dict[str, object]] = []
    cursor: str | None = None
    while True:
        query: dict[str, str | int] = {"updated_since": since, **params}
        if cursor:
            query["cursor"] = cursor
        answer = await client.get("/api/v1/beneficiaries", params=query, headers=org.operator)
        assert answer.status_code == 200, answer.text
        items += answer.json()["items"]
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return items


async def _share(client: httpx.AsyncClient, owner: Org, person_id: str, partner: Org) -> str:
    answer = await client.post(
        f"/api/v1/beneficiaries/{person_id}/consents",
        json={
            "purpose": "sharing",
            "organization_id": str(partner.id),
            "sections": ["identity"],
            "text_version": "v1",
            "collection_method": "paper_signed",
        },
        headers=owner.operator,
    )
    assert answer.status_code == 201, answer.text
    consent_id: str = answer.json()["id"]
    return consent_id


async def _change(client: httpx.AsyncClient, org: Org, person_id: str, times: int) -> None:
    url = f"/api/v1/beneficiaries/{person_id}"
    for turn in range(times):
        version = (await client.get(url, headers=org.operator)).headers["etag"]
        answer = await client.patch(
            url,
            json={"municipality": f"Latina {turn}"},
            headers={**org.operator, "If-Match": version},
        )
        assert answer.status_code == 200, answer.text


async def test_a_withdrawal_is_one_tombstone_and_later_changes_stay_unseen(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    gone = await register(intake, a, given_name="Withdrawn")
    kept = await register(intake, a, given_name="Kept")
    consent_id = await _share(intake, a, gone["id"], b)
    await _share(intake, a, kept["id"], b)
    start = datetime.now(UTC).isoformat()
    assert {item["id"] for item in await _sync(intake, b, "2000-01-01T00:00:00Z")} == {
        gone["id"],
        kept["id"],
    }

    withdrawn = await intake.delete(
        f"/api/v1/beneficiaries/{gone['id']}/consents/{consent_id}", headers=a.operator
    )
    assert withdrawn.status_code == 204
    consents = (
        await intake.get(f"/api/v1/beneficiaries/{gone['id']}/consents", headers=a.operator)
    ).json()["items"]
    ended = datetime.fromisoformat(consents[0]["withdrawn_at"])
    tombstones = await _sync(intake, b, start)
    assert [(item["id"], item["status"]) for item in tombstones] == [(gone["id"], "withdrawn")]
    # The tombstone's moment is when the access ended, not the record's last change.
    assert datetime.fromisoformat(str(tombstones[0]["updated_at"])) == ended

    await _change(intake, a, gone["id"], 3)
    await _change(intake, a, kept["id"], 1)
    after = tombstones[0]["updated_at"]
    assert isinstance(after, str)
    # Nothing about the person after the end, however often the record changes.
    assert [item["id"] for item in await _sync(intake, b, after)] == [kept["id"]]
    # A sync from before the end still shows the tombstone once, at the end, then the change of
    # the person still shared, in that order, page by page.
    again = await _sync(intake, b, start, limit=1)
    assert [(item["id"], item["status"]) for item in again] == [
        (gone["id"], "withdrawn"),
        (kept["id"], "active"),
    ]
    assert again[0]["updated_at"] == after
    assert "given_name" not in again[0]


async def test_an_expired_grant_is_one_tombstone_at_its_expiry(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], intake_database: str
) -> None:
    a, b, _ = orgs
    person = await register(intake, a)
    await _share(intake, a, person["id"], b)
    start = datetime.now(UTC).isoformat()
    expired = datetime.now(UTC)  # after start, before the sync
    await sql(
        intake_database,
        "UPDATE access_grant SET expires_at = $1 WHERE beneficiary_id = $2",
        expired,
        uuid.UUID(person["id"]),
    )
    await _change(intake, a, person["id"], 2)
    tombstones = await _sync(intake, b, start)
    assert [(item["id"], item["status"]) for item in tombstones] == [(person["id"], "withdrawn")]
    assert datetime.fromisoformat(str(tombstones[0]["updated_at"])) == expired
    assert await _sync(intake, b, expired.isoformat()) == []
    await _change(intake, a, person["id"], 1)
    assert await _sync(intake, b, expired.isoformat()) == []


async def test_a_partner_drops_a_record_merged_into_one_shared_with_it(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, c = orgs
    survivor = await register(intake, a, given_name="Survivor")
    merged = await register(intake, a, given_name="Duplicate")
    await _share(intake, a, merged["id"], b)  # b holds the duplicate
    c_consent = await _share(intake, a, survivor["id"], c)  # c holds the survivor, for a while
    assert [item["id"] for item in await _sync(intake, b, "2000-01-01T00:00:00Z")] == [merged["id"]]
    before_merge = datetime.now(UTC).isoformat()
    answer = await intake.post(
        f"/api/v1/beneficiaries/{survivor['id']}/merge",
        json={"merged_id": merged["id"]},
        headers=a.operator,
    )
    assert answer.status_code == 200, answer.text
    after_merge = {item["id"]: item for item in await _sync(intake, b, before_merge)}
    assert after_merge[merged["id"]]["status"] == "merged"
    assert after_merge[merged["id"]]["merged_into"] == survivor["id"]
    assert after_merge[survivor["id"]]["given_name"] == "Survivor"

    withdrawn = await intake.delete(
        f"/api/v1/beneficiaries/{survivor['id']}/consents/{c_consent}", headers=a.operator
    )
    assert withdrawn.status_code == 204
    (c_tombstone,) = [
        item for item in await _sync(intake, c, before_merge) if item["id"] == survivor["id"]
    ]
    before_erasure = datetime.now(UTC).isoformat()
    assert (
        await intake.delete(f"/api/v1/beneficiaries/{survivor['id']}", headers=a.admin)
    ).status_code == 204
    erased = await _sync(intake, b, before_erasure)
    assert sorted((item["id"], item["status"]) for item in erased) == sorted(
        [(survivor["id"], "erased"), (merged["id"], "erased")]
    )
    # c's access ended before the erasure: it hears nothing of it, nor of the merged record.
    assert await _sync(intake, c, str(c_tombstone["updated_at"])) == []


async def test_a_caseload_page_of_people_in_one_read_by_their_ids(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    mine = [(await register(intake, a, given_name=f"Caseload{n}"))["id"] for n in range(3)]
    theirs = (await register(intake, b, given_name="Elsewhere"))["id"]
    unknown = str(uuid.uuid4())
    asked = [mine[0], theirs, mine[2], unknown]
    answer = await intake.get(
        "/api/v1/beneficiaries", params={"id": asked, "limit": 200}, headers=a.operator
    )
    assert answer.status_code == 200, answer.text
    shown = answer.json()["items"]
    # Another organisation's person and an unknown id are simply absent.
    assert sorted(item["id"] for item in shown) == sorted([mine[0], mine[2]])
    assert {item["given_name"] for item in shown} == {"Caseload0", "Caseload2"}
    too_many = [str(uuid.uuid4()) for _ in range(201)]
    refused = await intake.get("/api/v1/beneficiaries", params={"id": too_many}, headers=a.operator)
    assert refused.status_code == 422, refused.text
    malformed = await intake.get(
        "/api/v1/beneficiaries", params={"id": "not-an-id"}, headers=a.operator
    )
    assert malformed.status_code == 422
