"""End to end through the gateway: registration, consent-based sharing across organisations,
events reaching pathways and matching, the access log, the export and erasure everywhere."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import eventually_async, organisation
from tests.support import sql

pytestmark = pytest.mark.e2e

PERSON = {
    "given_name": "Youssef",
    "family_name": "Bennani-Alaoui",
    "birth_date": "2001-09-23",
    "sex": "male",
    "nationality": "MA",
    "arrival_date": "2025-06-02",
    "municipality": "Latina",
    "external_id": "e2e-ext-8812",
    "contact": {"phone": "+39 320 555 0199"},
    "languages": [{"code": "ar", "native": True}, {"code": "it", "level": "A2"}],
    "skills": [{"label": "pruning olive trees"}],
    "needs": ["documents_legal", "employment"],
}
PERSONAL_VALUES = [
    "Youssef",
    "Bennani",
    "Alaoui",
    "2001-09-23",
    "e2e-ext-8812",
    "555 0199",
    "olive",
]


async def test_sharing_events_export_and_erasure_across_services(stack: Stack) -> None:
    with stack.client() as client:
        a = organisation(client, "Caritas")
        b = organisation(client, "Centro impiego", kind="employment_service")

        created = client.post("/api/v1/beneficiaries", json=PERSON, headers=a.operator)
        assert created.status_code == 201, created.text
        person = created.json()
        url = f"/api/v1/beneficiaries/{person['id']}"

        assert client.get(url, headers=b.operator).status_code == 404
        assert (
            client.get("/api/v1/beneficiaries", params={"q": "youssef"}, headers=b.operator).json()[
                "items"
            ]
            == []
        )
        assert [
            i["id"]
            for i in client.get(
                "/api/v1/beneficiaries", params={"q": "youssef"}, headers=a.operator
            ).json()["items"]
        ] == [person["id"]]

        consent = client.post(
            f"{url}/consents",
            json={
                "purpose": "sharing",
                "organization_id": b.id,
                "sections": ["identity", "profile"],
                "text_version": "it-2026",
                "collection_method": "paper_signed",
            },
            headers=a.operator,
        )
        assert consent.status_code == 201
        shared = client.get(url, headers=b.operator)
        assert shared.status_code == 200
        assert shared.json()["given_name"] == "Youssef"
        assert "contact" not in shared.json()

        # The other services hear of it: matching's read model and both access mirrors.
        async def mirrored() -> bool:
            rows = await sql(
                stack.databases["matching"],
                "SELECT grants FROM beneficiary_access WHERE beneficiary_id = $1",
                _uuid(person["id"]),
            )
            profiles = await sql(
                stack.databases["matching"],
                "SELECT profile FROM candidate_profile WHERE beneficiary_id = $1",
                _uuid(person["id"]),
            )
            return bool(rows) and b.id in rows[0]["grants"] and bool(profiles)

        await eventually_async(mirrored)

        withdrawn = client.delete(f"{url}/consents/{consent.json()['id']}", headers=a.operator)
        assert withdrawn.status_code == 204
        assert client.get(url, headers=b.operator).status_code == 404

        async def withdrawn_everywhere() -> bool:
            for service in ("pathways", "matching"):
                rows = await sql(
                    stack.databases[service],
                    "SELECT grants FROM beneficiary_access WHERE beneficiary_id = $1",
                    _uuid(person["id"]),
                )
                if not rows or json.loads(rows[0]["grants"]) != []:
                    return False
            return True

        await eventually_async(withdrawn_everywhere)

        log = client.get(f"{url}/access-log", headers=a.admin).json()["items"]
        assert any(
            entry["action"] == "read" and entry["actor_organization_id"] == b.id for entry in log
        )
        assert any(entry["action"] == "list" for entry in log)

        export = client.get(f"{url}/export", headers=a.admin)
        assert export.status_code == 200
        document = export.json()
        assert document["complete"] is True
        assert {item["service"] for item in document["manifest"]} == {
            "intake",
            "pathways",
            "matching",
            "gateway",
        }
        assert (
            document["data"]["matching"]["profiles"][0]["profile"]["skills"][0]["label"]
            == "pruning olive trees"
        )

        assert client.delete(url, headers=a.admin).status_code == 204
        assert client.get(url, headers=a.operator).status_code == 404

        async def erased_everywhere() -> bool:
            rows = await sql(
                stack.databases["matching"],
                "SELECT erased FROM beneficiary_access WHERE beneficiary_id = $1",
                _uuid(person["id"]),
            )
            profiles = await sql(
                stack.databases["matching"],
                "SELECT 1 FROM candidate_profile WHERE beneficiary_id = $1",
                _uuid(person["id"]),
            )
            return bool(rows) and rows[0]["erased"] and not profiles

        await eventually_async(erased_everywhere)
        for service, database in stack.databases.items():
            text = await _database_text(database)
            for value in PERSONAL_VALUES:
                assert value not in text, f"{value!r} still in {service}'s database"


def _uuid(value: str) -> object:
    import uuid

    return uuid.UUID(value)


async def _database_text(database: str) -> str:
    """Every row of every table of a database, as text."""
    tables = await sql(database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    parts = []
    for table in tables:
        rows = await sql(database, f'SELECT t::text AS row FROM "{table["tablename"]}" t')  # noqa: S608 - names from the catalogue
        parts += [row["row"] for row in rows]
    return "\n".join(parts)
