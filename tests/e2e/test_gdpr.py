"""End to end through the gateway: what a withdrawal, a merge and an erasure must remove, and what
an export must hold. A former partner's sync shows a withdrawal once and nothing after; erasing a
person erases the records merged into them, here and in the gateway; the export holds the merged
records and the gateway's part (the person's app account and sign-ins)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.e2e.beneficiary_world import ok
from tests.e2e.conftest import Stack
from tests.e2e.helpers import Organisation, eventually_async, organisation
from tests.e2e.test_intake import _database_text
from tests.support import sql

pytestmark = pytest.mark.e2e

PASSWORD = "a-person-chooses-a-long-phrase"
SURVIVOR = {
    "given_name": "Tesfaye",
    "family_name": "Gebremedhin",
    "birth_date": "1994-07-08",
    "sex": "male",
    "nationality": "ER",
    "contact": {"phone": "+39 351 444 0101"},
}
DUPLICATE = {
    "given_name": "Tesfalem",
    "family_name": "Gebremeskel",
    "birth_date": "1994-08-07",
    "sex": "male",
    "nationality": "ER",
    "contact": {"phone": "+39 351 444 0202"},
}
PERSONAL_VALUES = (
    *("Tesfaye", "Gebremedhin", "1994-07-08", "444 0101"),
    *("Tesfalem", "Gebremeskel", "1994-08-07", "444 0202", "444 0303"),
)


def _sync(client: httpx.Client, org: Organisation, since: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"updated_since": since, **({"cursor": cursor} if cursor else {})}
        page = ok(client.get("/api/v1/beneficiaries", params=params, headers=org.operator))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def _change(client: httpx.Client, org: Organisation, person_id: str, phone: str) -> None:
    url = f"/api/v1/beneficiaries/{person_id}"
    etag = client.get(url, headers=org.operator).headers["etag"]
    ok(
        client.patch(
            url, json={"contact": {"phone": phone}}, headers={**org.operator, "If-Match": etag}
        )
    )


def _activate(client: httpx.Client, org: Organisation, person_id: str) -> dict[str, Any]:
    invitation = ok(
        client.post(f"/api/v1/beneficiaries/{person_id}/invitations", headers=org.operator)
    )
    tokens: dict[str, Any] = ok(
        client.post(
            "/api/v1/auth/activate", json={"code": invitation["code"], "password": PASSWORD}
        )
    )
    return tokens


def test_a_former_partner_hears_of_a_withdrawal_once(stack: Stack) -> None:
    with stack.client() as client:
        owner = organisation(client, "Owner")
        partner = organisation(client, "Former partner")
        body = {"given_name": "Samuel", "family_name": "Haile", "birth_date": "1999-02-11"}
        person = ok(client.post("/api/v1/beneficiaries", json=body, headers=owner.operator))
        url = f"/api/v1/beneficiaries/{person['id']}"
        consent = ok(
            client.post(
                f"{url}/consents",
                json={
                    "purpose": "sharing",
                    "organization_id": partner.id,
                    "sections": ["identity"],
                    "text_version": "it-2026",
                    "collection_method": "paper_signed",
                },
                headers=owner.operator,
            )
        )
        shared = _sync(client, partner, "2000-01-01T00:00:00Z")
        assert [(item["id"], item["given_name"]) for item in shared] == [(person["id"], "Samuel")]
        since = shared[0]["updated_at"]

        ok(client.delete(f"{url}/consents/{consent['id']}", headers=owner.operator))
        tombstones = _sync(client, partner, since)
        assert tombstones == [
            {
                "id": person["id"],
                "status": "withdrawn",
                "updated_at": tombstones[0]["updated_at"],
                "merged_into": None,
            }
        ]
        withdrawn_at = ok(client.get(f"{url}/consents", headers=owner.operator))["items"][0][
            "withdrawn_at"
        ]

        for turn in range(3):
            _change(client, owner, person["id"], f"+39 351 777 09{turn}9")
        assert _sync(client, partner, tombstones[0]["updated_at"]) == []
        # From before the withdrawal: the same single tombstone, at the moment the access ended.
        assert _sync(client, partner, since) == tombstones
        moment = datetime.fromisoformat(tombstones[0]["updated_at"])
        assert moment == datetime.fromisoformat(withdrawn_at)


async def test_erasing_a_person_erases_the_records_merged_into_them(stack: Stack) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Merge then erase")
        survivor = ok(client.post("/api/v1/beneficiaries", json=SURVIVOR, headers=ngo.operator))
        duplicate = ok(client.post("/api/v1/beneficiaries", json=DUPLICATE, headers=ngo.operator))
        _change(client, ngo, duplicate["id"], "+39 351 444 0303")
        duplicate_app = _activate(client, ngo, duplicate["id"])  # the duplicate had the app
        ok(
            client.post(
                f"/api/v1/beneficiaries/{survivor['id']}/merge",
                json={"merged_id": duplicate["id"]},
                headers=ngo.operator,
            )
        )
        history = client.get(
            f"/api/v1/beneficiaries/{duplicate['id']}/history", headers=ngo.operator
        )
        assert "444 0303" in history.text  # the owner reads it until the erasure

        erased = client.delete(f"/api/v1/beneficiaries/{survivor['id']}", headers=ngo.admin)
        assert erased.status_code == 204
        for path in ("/history", "/consents", "/duplicates", ""):
            gone = client.get(
                f"/api/v1/beneficiaries/{duplicate['id']}{path}", headers=ngo.operator
            )
            assert gone.status_code == 404, (path, gone.text)
        log = client.get(f"/api/v1/beneficiaries/{duplicate['id']}/access-log", headers=ngo.admin)
        assert log.status_code == 404

        text = await _database_text(stack.databases["intake"])
        for value in PERSONAL_VALUES:
            assert value not in text, f"{value!r} still in intake's database"

        async def account_gone() -> bool:
            # The duplicate's app account followed the person to the survivor at the merge: it
            # is gone once neither record holds it (the erasure's event, applied a moment later).
            left = await sql(
                stack.databases["gateway"],
                "SELECT 1 FROM user_account WHERE beneficiary_id = ANY($1::uuid[])",
                [uuid.UUID(duplicate["id"]), uuid.UUID(survivor["id"])],
            )
            return not left

        await eventually_async(account_gone)
        sign_in = {
            "grant_type": "password",
            "username": duplicate_app["username"],
            "password": PASSWORD,
        }
        assert client.post("/api/v1/auth/token", data=sign_in).status_code == 400


def test_the_export_holds_the_merged_records_and_the_gateway_part(stack: Stack) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Merge then export")
        first = {**SURVIVOR, "given_name": "Aster", "family_name": "Kidane"}
        second = {**DUPLICATE, "given_name": "Astier", "family_name": "Kidanemariam"}
        survivor = ok(client.post("/api/v1/beneficiaries", json=first, headers=ngo.operator))
        duplicate = ok(client.post("/api/v1/beneficiaries", json=second, headers=ngo.operator))
        _change(client, ngo, duplicate["id"], "+39 351 444 0404")
        # Both records had the app: the duplicate's account, then the survivor's.
        duplicate_app = _activate(client, ngo, duplicate["id"])
        survivor_app = _activate(client, ngo, survivor["id"])
        form = {"grant_type": "refresh_token", "refresh_token": survivor_app["refresh_token"]}
        ok(client.post("/api/v1/auth/token", data=form))  # a second sign-in of the survivor
        ok(
            client.post(
                f"/api/v1/beneficiaries/{survivor['id']}/merge",
                json={"merged_id": duplicate["id"]},
                headers=ngo.operator,
            )
        )

        answer = client.get(f"/api/v1/beneficiaries/{survivor['id']}/export", headers=ngo.admin)
        assert answer.status_code == 200, answer.text
        document = answer.json()
        assert {item["service"]: item["status"] for item in document["manifest"]} == {
            "intake": "included",
            "pathways": "included",
            "matching": "included",
            "gateway": "included",
        }
        assert document["complete"] is True
        (merged,) = document["data"]["intake"]["merged_records"]
        assert merged["record"]["id"] == duplicate["id"]
        assert merged["record"]["given_name"] == "Astier"
        assert merged["record"]["contact"]["phone"] == "+39 351 444 0404"
        assert [change["action"] for change in merged["history"]][-1] == "merged_into"
        gateway = document["data"]["gateway"]
        handles = {account["handle"] for account in gateway["accounts"]}
        assert handles == {survivor_app["username"], duplicate_app["username"]}
        assert all(account["roles"] == ["beneficiary"] for account in gateway["accounts"])
        assert len(gateway["sessions"]) >= 3  # two activations and a refresh
        assert all(session["issued_at"] for session in gateway["sessions"])
        assert "token_hash" not in answer.text
        assert "argon2" not in answer.text
        # The gateway's export is internal: not on the public port at all, and on the internal
        # one not without the internal token.
        path = f"/internal/beneficiaries/{survivor['id']}/export"
        assert client.get(path, headers=ngo.admin).status_code == 404
        internal = httpx.get(
            stack.processes["gateway"].internal_url + path, headers=ngo.admin, timeout=30.0
        )
        assert internal.status_code == 401
