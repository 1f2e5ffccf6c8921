"""Service points: publishing and changing one (If-Match), closing it, the list's filters (the
territory's subtree) and pages, who reads which point (clusters), and referrals to a point.

Clusters and their members are written straight into the database here: their API is built
apart."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from alembic import command
from sqlalchemy import Connection

from shared import clock
from shared.db import create_engine
from shared.migrations import alembic_config, upgrade
from shared.testing.plugin import DatabaseFactory
from shared.testing.tokens import TestIssuer
from tests.matching.conftest import deliver, person
from tests.matching.test_withdrawal import access, events
from tests.support import Org, envelope, migrations, sql

POINTS = "/api/v1/service-points"
PROBLEM = "application/problem+json"
BODY: dict[str, Any] = {
    "name": "Sportello legale Esquilino",
    "kind": "legal_aid",
    "need_domains": ["documents_legal", "housing"],
    "tier": "low_threshold",
    "territory_code": "IT_058091",  # Roma
    "access_mode": "drop_in",
    "languages": ["it", "ar"],
    "opening_hours": [{"weekday": 2, "opens": "09:30", "closes": "13:00"}],
    "transport_access": [{"hub": "Roma Termini", "minutes": 8}],
    "contacts": {"phone": "+39 06 1234567", "email": "desk@example.org"},
    "url": "https://example.org/desk",
    "latitude": 41.8967,
    "longitude": 12.5018,
}


async def publish(client: httpx.AsyncClient, org: Org, **fields: Any) -> dict[str, Any]:
    answer = await client.post(POINTS, json={**BODY, **fields}, headers=org.provider)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


async def cluster(url: str, coordinator: Org, *members: Org, left: Org | None = None) -> str:
    """A cluster coordinated by ``coordinator`` with ``members`` (and one that has left)."""
    cluster_id = uuid.uuid4()
    await sql(
        url,
        "INSERT INTO cluster (id, name, territory_codes, status, coordinator_organization_id, "
        "version, created_by) VALUES ($1, $2, '{ITI43}', 'active', $3, 1, 'test')",
        cluster_id,
        f"Cluster {cluster_id.hex[:6]}",
        coordinator.id,
    )
    rows = [(org, None) for org in members] + ([(left, date(2026, 1, 1))] if left else [])
    for org, left_on in rows:
        await sql(
            url,
            "INSERT INTO cluster_member (cluster_id, organization_id, roles, joined_on, left_on, "
            "version) VALUES ($1, $2, '{host_company}', '2025-01-01', $3, 1)",
            cluster_id,
            org.id,
            left_on,
        )
    return str(cluster_id)


def ids(answer: httpx.Response) -> set[str]:
    assert answer.status_code == 200, answer.text
    return {item["id"] for item in answer.json()["items"]}


async def test_a_provider_publishes_changes_and_closes_its_point(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    provider, other, _ = orgs
    answer = await matching.post(POINTS, json=BODY, headers=provider.admin)
    assert answer.status_code == 201, answer.text
    point = answer.json()
    assert answer.headers["location"] == f"{POINTS}/{point['id']}"
    assert answer.headers["etag"] == '"1"'
    assert point["organization_id"] == str(provider.id)
    assert (point["status"], point["version"], point["cluster_ids"]) == ("active", 1, [])
    assert point["contacts"] == {"phone": "+39 06 1234567", "email": "desk@example.org"}
    assert point["opening_hours"] == BODY["opening_hours"]
    url = f"{POINTS}/{point['id']}"
    assert (await matching.get(url, headers=other.operator)).json() == point

    change = {"languages": ["it", "bn"], "access_mode": "appointment", "address": "Via Roma 1"}
    assert (await matching.patch(url, json=change, headers=provider.provider)).status_code == 428
    stale = await matching.patch(url, json=change, headers={**provider.provider, "If-Match": '"7"'})
    assert stale.status_code == 412
    changed = await matching.patch(
        url, json=change, headers={**provider.provider, "If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    assert (changed.json()["languages"], changed.json()["address"]) == (["it", "bn"], "Via Roma 1")
    cleared = await matching.patch(
        url, json={"tier": None, "kind": None}, headers={**provider.provider, "If-Match": '"2"'}
    )
    assert cleared.status_code == 422
    assert {e["field"] for e in cleared.json()["errors"]} == {"body.tier", "body.kind"}
    half = await matching.patch(
        url, json={"latitude": None}, headers={**provider.provider, "If-Match": '"2"'}
    )
    assert half.status_code == 422
    flags = await matching.patch(
        url, json={"cultural_mediators": None}, headers={**provider.provider, "If-Match": '"2"'}
    )
    assert flags.status_code == 422
    assert [e["field"] for e in flags.json()["errors"]] == ["body.cultural_mediators"]
    assert (await matching.get(url, headers=other.operator)).json()["version"] == 2
    # A null list is an empty one (it was a 500: JSON null in a NOT NULL column).
    emptied = await matching.patch(
        url, json={"opening_hours": None, "transport_access": None, "languages": None},
        headers={**provider.provider, "If-Match": '"2"'},
    )  # fmt: skip
    assert emptied.status_code == 200, emptied.text
    lists = emptied.json()
    assert (lists["opening_hours"], lists["transport_access"], lists["languages"]) == ([], [], [])
    restored = await matching.patch(
        url, json={"languages": ["it", "bn"]}, headers={**provider.provider, "If-Match": '"3"'}
    )
    assert restored.status_code == 200

    # Another organisation reads it but changes nothing; an operator publishes nothing.
    foreign = {**other.provider, "If-Match": '"4"'}
    assert (await matching.patch(url, json=change, headers=foreign)).status_code == 403
    assert (await matching.delete(url, headers=other.provider)).status_code == 403
    refused = await matching.post(POINTS, json=BODY, headers=provider.operator)
    assert (refused.status_code, refused.headers["content-type"]) == (403, PROBLEM)

    assert (await matching.delete(url, headers=provider.provider)).status_code == 204
    assert (await matching.delete(url, headers=provider.provider)).status_code == 204
    closed = (await matching.get(url, headers=other.operator)).json()
    assert (closed["status"], closed["version"]) == ("closed", 5)
    assert ids(await matching.get(POINTS, headers=other.operator)) == set()
    listed = await matching.get(POINTS, params={"status": "closed"}, headers=other.operator)
    assert ids(listed) == {point["id"]}
    reopened = await matching.patch(
        url, json={"status": "active"}, headers={**provider.provider, "If-Match": '"5"'}
    )
    assert reopened.json()["status"] == "active"
    assert ids(await matching.get(POINTS, headers=other.operator)) == {point["id"]}
    missing = await matching.get(f"{POINTS}/{uuid.uuid4()}", headers=other.operator)
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"territory_code": "ITZ99"}, "body.territory_code"),
        ({"opening_hours": [{"weekday": 1, "opens": "14:00", "closes": "09:00"}]}, "body"),
        ({"opening_hours": [{"weekday": 8, "opens": "09:00", "closes": "12:00"}]}, "body"),
        ({"opening_hours": [{"weekday": 1, "opens": "9:00", "closes": "12:00"}]}, "body"),
        (
            {
                "opening_hours": [
                    {"weekday": 1, "opens": "09:00", "closes": "12:00"},
                    {"weekday": 1, "opens": "11:00", "closes": "13:00"},
                ]
            },
            "body",
        ),
        ({"latitude": 91, "longitude": 12}, "body.latitude"),
        ({"longitude": None}, "body"),
        ({"transport_access": [{"hub": "Termini", "minutes": 601}]}, "body"),
        ({"languages": ["xx"]}, "body.languages"),
        ({"kind": "bakery"}, "body.kind"),
        ({"need_domains": ["happiness"]}, "body.need_domains"),
        ({"need_domains": []}, "body.need_domains"),
        ({"tier": "top"}, "body.tier"),
        ({"access_mode": "by_post"}, "body.access_mode"),
        ({"colour": "blue"}, "body.colour"),
        ({"cluster_ids": [str(uuid.uuid4())]}, "body.cluster_ids.0"),
    ],
)
async def test_bad_input_is_refused_naming_the_field_and_stores_nothing(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org], change: dict[str, Any], field: str
) -> None:
    provider, _, _ = orgs
    answer = await matching.post(POINTS, json={**BODY, **change}, headers=provider.provider)
    assert (answer.status_code, answer.headers["content-type"]) == (422, PROBLEM), answer.text
    assert any(e["field"].startswith(field) for e in answer.json()["errors"]), answer.json()
    assert ids(await matching.get(POINTS, headers=provider.operator)) == set()


async def test_the_list_filters_by_territory_subtree_kind_need_tier_language_and_pages(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    caritas, asl, reader = orgs
    roma = await publish(matching, caritas)
    latina = await publish(
        matching,
        caritas,
        territory_code="ITI44",
        kind="language_school",
        need_domains=["language"],
        tier="structured",
        languages=["it", "en"],
    )
    health = await publish(
        matching, asl, kind="health", need_domains=["health"], tier="intermediate"
    )
    nicosia = await publish(matching, asl, territory_code="CY000", languages=["el", "tr"])

    async def find(**params: Any) -> set[str]:
        return ids(await matching.get(POINTS, params=params, headers=reader.operator))

    assert await find() == {roma["id"], latina["id"], health["id"], nicosia["id"]}
    assert await find(territory="ITI4") == {roma["id"], latina["id"], health["id"]}
    assert await find(territory="ITI43") == {roma["id"], health["id"]}
    assert await find(territory="IT_058091") == {roma["id"], health["id"]}
    assert await find(territory="CY") == {nicosia["id"]}
    assert await find(kind="language_school") == {latina["id"]}
    assert await find(need="documents_legal") == {roma["id"], nicosia["id"]}
    assert await find(tier="intermediate") == {health["id"]}
    assert await find(language="ar") == {roma["id"], health["id"]}
    assert await find(language="ar", territory="ITI4", need="housing") == {roma["id"]}
    assert await find(organization_id=str(asl.id)) == {health["id"], nicosia["id"]}
    unknown = await matching.get(POINTS, params={"territory": "ITZ99"}, headers=reader.operator)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "query.territory"
    for bad in ({"kind": "bakery"}, {"need": "x"}, {"language": "xx"}, {"status": "gone"}):
        assert (await matching.get(POINTS, params=bad, headers=reader.operator)).status_code == 422

    seen: list[str] = []
    params: dict[str, Any] = {"limit": 3}
    while True:
        page = (await matching.get(POINTS, params=params, headers=reader.operator)).json()
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert sorted(seen) == seen
    assert len(set(seen)) == 4


async def test_points_published_to_a_cluster_are_read_by_its_members_only(
    matching: httpx.AsyncClient,
    matching_database: str,
    orgs: tuple[Org, Org, Org],
    issuer: TestIssuer,
) -> None:
    with clock.frozen_at(datetime(2026, 6, 1, 9, tzinfo=UTC)):  # after the former left
        await _published_to_clusters(matching, matching_database, orgs, issuer)


async def _published_to_clusters(
    matching: httpx.AsyncClient,
    matching_database: str,
    orgs: tuple[Org, Org, Org],
    issuer: TestIssuer,
) -> None:
    rome_member, rome_provider, nicosia_member = orgs
    coordinator, former = Org(issuer), Org(issuer)
    rome = await cluster(matching_database, coordinator, rome_member, rome_provider, left=former)
    nicosia = await cluster(matching_database, coordinator, nicosia_member)

    everyone = await publish(matching, rome_provider)
    in_rome = await publish(matching, rome_provider, cluster_ids=[rome])
    outside = await matching.post(
        POINTS, json={**BODY, "cluster_ids": [nicosia]}, headers=rome_provider.provider
    )
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["field"] == "body.cluster_ids.0"
    left = await matching.post(
        POINTS, json={**BODY, "cluster_ids": [rome]}, headers=former.provider
    )
    assert left.status_code == 422

    assert ids(await matching.get(POINTS, headers=rome_member.operator)) == {
        everyone["id"],
        in_rome["id"],
    }
    for stranger in (nicosia_member.operator, former.operator, nicosia_member.admin):
        assert ids(await matching.get(POINTS, headers=stranger)) == {everyone["id"]}
        hidden = await matching.get(f"{POINTS}/{in_rome['id']}", headers=stranger)
        assert (hidden.status_code, hidden.headers["content-type"]) == (404, PROBLEM)
    # The coordinator's organisation coordinates Rome without being a member of it.
    coordinating = coordinator.headers("cluster_coordinator")
    assert ids(await matching.get(POINTS, headers=coordinating)) == {everyone["id"], in_rome["id"]}
    # A coordinator role in another organisation coordinates nothing.
    assert ids(await matching.get(POINTS, headers=former.headers("cluster_coordinator"))) == {
        everyone["id"]
    }
    admin = issuer.headers(roles=("platform_admin",))
    assert ids(await matching.get(POINTS, headers=admin)) == {everyone["id"], in_rome["id"]}
    person_token = issuer.headers(roles=("beneficiary",), beneficiary_id=uuid.uuid4())
    assert ids(await matching.get(POINTS, headers=person_token)) == set()
    assert (
        await matching.get(f"{POINTS}/{everyone['id']}", headers=person_token)
    ).status_code == 404

    # Published to Nicosia too: its members see it; the owner sees its own whatever it names.
    moved = await matching.patch(
        f"{POINTS}/{in_rome['id']}",
        json={"cluster_ids": [rome, nicosia]},
        headers={**rome_provider.provider, "If-Match": '"1"'},
    )
    assert moved.status_code == 422  # the owner is no member of Nicosia
    await sql(
        matching_database,
        "INSERT INTO cluster_member (cluster_id, organization_id, roles, joined_on, version) "
        "VALUES ($1, $2, '{training_provider}', '2025-01-01', 1)",
        uuid.UUID(nicosia),
        rome_provider.id,
    )
    moved = await matching.patch(
        f"{POINTS}/{in_rome['id']}",
        json={"cluster_ids": [rome, nicosia]},
        headers={**rome_provider.provider, "If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    assert in_rome["id"] in ids(await matching.get(POINTS, headers=nicosia_member.operator))


async def _referral_row(
    url: str,
    beneficiary: uuid.UUID,
    point: dict[str, Any],
    referrer: Org,
    status: str = "proposed",
    cluster_id: uuid.UUID | None = None,
) -> str:
    referral_id = uuid.uuid4()
    await sql(
        url,
        "INSERT INTO referral (id, beneficiary_id, service_point_id, organization_id, "
        "provider_organization_id, status, person_card, history, version, created_by, "
        "cluster_id) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, '[]'::jsonb, 1, 'test', $8)",
        referral_id,
        beneficiary,
        uuid.UUID(point["id"]),
        referrer.id,
        uuid.UUID(point["organization_id"]),
        status,
        json.dumps({"given_name": "Amal"}),
        cluster_id,
    )
    return str(referral_id)


async def test_a_referral_names_one_target_and_a_point_has_no_seats(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, desk, stranger = orgs
    point = await publish(matching, desk)
    someone = await person(matching, ngo)
    refer = {"beneficiary_id": str(someone)}
    for target in ({}, {"service_point_id": point["id"], "offer_id": str(uuid.uuid4())}):
        answer = await matching.post(
            "/api/v1/referrals", json={**refer, **target}, headers=ngo.operator
        )
        assert (answer.status_code, answer.headers["content-type"]) == (422, PROBLEM)
        fields = {e["field"] for e in answer.json()["errors"]}
        assert fields == {"body.offer_id", "body.service_point_id"}
    unknown = await matching.post(
        "/api/v1/referrals",
        json={**refer, "service_point_id": str(uuid.uuid4())},
        headers=ngo.operator,
    )
    assert unknown.status_code == 404
    unconsented = await person(matching, ngo, consent=False)
    answer = await matching.post(
        "/api/v1/referrals",
        json={"beneficiary_id": str(unconsented), "service_point_id": point["id"]},
        headers=ngo.operator,
    )
    assert answer.json()["type"].endswith("consent-required")
    hidden = await matching.post(
        "/api/v1/referrals",
        json={**refer, "service_point_id": point["id"]},
        headers=stranger.operator,
    )
    assert hidden.status_code == 404

    referral_id = await _referral_row(matching_database, someone, point, ngo)
    url = f"/api/v1/referrals/{referral_id}"
    seen = (await matching.get(url, headers=desk.provider)).json()
    assert (seen["service_point_id"], seen["offer_id"]) == (point["id"], None)
    assert seen["person"] == {"given_name": "Amal"}
    listed = await matching.get(
        "/api/v1/referrals", params={"service_point_id": point["id"]}, headers=ngo.operator
    )
    assert ids(listed) == {referral_id}
    accepted = await matching.patch(url, json={"status": "accepted"}, headers=desk.provider)
    assert accepted.status_code == 200, accepted.text
    enrolled = await matching.patch(url, json={"status": "enrolled"}, headers=desk.provider)
    assert (enrolled.status_code, enrolled.headers["content-type"]) == (409, PROBLEM)
    assert enrolled.json()["allowed_statuses"] == ["completed", "dropped"]
    done = await matching.patch(url, json={"status": "completed"}, headers=desk.provider)
    assert done.json()["status"] == "completed"

    # Closing the point: no new referral; the old one still names it.
    assert (
        await matching.delete(f"{POINTS}/{point['id']}", headers=desk.provider)
    ).status_code == 204
    closed = await matching.post(
        "/api/v1/referrals", json={**refer, "service_point_id": point["id"]}, headers=ngo.operator
    )
    assert closed.status_code == 404
    assert (await matching.get(url, headers=ngo.operator)).json()["service_point_id"] == point["id"]


async def test_the_database_holds_one_target_and_one_active_referral_per_point(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, desk, _ = orgs
    point = await publish(matching, desk)
    someone = await person(matching, ngo)
    await _referral_row(matching_database, someone, point, ngo)
    with pytest.raises(asyncpg.UniqueViolationError):
        await _referral_row(matching_database, someone, point, ngo)
    with pytest.raises(asyncpg.CheckViolationError):
        await sql(
            matching_database,
            "INSERT INTO referral (id, beneficiary_id, organization_id, provider_organization_id, "
            "status, history, version, created_by) "
            "VALUES ($1, $2, $3, $3, 'proposed', '[]'::jsonb, 1, 'test')",
            uuid.uuid4(),
            someone,
            ngo.id,
        )


async def test_a_points_referrals_end_with_consent_merge_into_one_and_tell_their_point(
    matching: httpx.AsyncClient,
    matching_database: str,
    orgs: tuple[Org, Org, Org],
    issuer: TestIssuer,
) -> None:
    ngo, desk, _ = orgs
    point, other_point = await publish(matching, desk), await publish(matching, desk)
    survivor, duplicate = await person(matching, ngo), await person(matching, ngo)
    kept = await _referral_row(matching_database, survivor, point, ngo)
    cluster_id = uuid.uuid4()  # the twin was made in a cluster: the system's ends name it too
    twin = await _referral_row(matching_database, duplicate, point, ngo, "accepted", cluster_id)
    carried = await _referral_row(matching_database, duplicate, other_point, ngo)
    await deliver(
        matching,
        envelope(
            "beneficiary.merged",
            {
                "merged_id": str(duplicate),
                "survivor_id": str(survivor),
                "organization_id": str(ngo.id),
            },
        ),
    )
    listed = (await matching.get("/api/v1/referrals", headers=desk.provider)).json()["items"]
    by_id = {item["id"]: item for item in listed}
    assert {by_id[r]["beneficiary_id"] for r in (kept, twin, carried)} == {str(survivor)}
    assert (by_id[twin]["status"], by_id[twin]["reason_code"]) == ("dropped", "merged")
    assert by_id[carried]["status"] == "proposed"

    # The person reads where they were sent; their consent ends, and so do the referrals.
    me = issuer.headers(roles=("beneficiary",), organization_id=ngo.id, beneficiary_id=survivor)
    own = (await matching.get("/api/v1/me/referrals", headers=me)).json()["items"]
    assert {item["service_point"]["id"] for item in own} == {point["id"], other_point["id"]}
    assert {item["offer"] is None for item in own} == {True}
    await deliver(matching, access(survivor, ngo, 2, consent=False))
    ended = (await matching.get("/api/v1/referrals", headers=desk.provider)).json()["items"]
    assert {(item["status"], item["reason_code"], item["person"]) for item in ended} == {
        ("dropped", "merged", None),
        ("dropped", "consent_withdrawn", None),
    }
    sent = await events(matching_database)
    assert {event["service_point_id"] for event in sent} == {point["id"], other_point["id"]}
    assert {event["offer_id"] for event in sent} == {None}
    assert {event["provider_organization_id"] for event in sent} == {str(desk.id)}
    assert {(event["referral_id"], event["cluster_id"]) for event in sent} == {
        (twin, str(cluster_id)),
        (kept, None),
        (carried, None),
    }


async def test_migration_0013_goes_back_to_offers_only_and_forward_again(
    database_factory: DatabaseFactory,
) -> None:
    """Going back to 0012 drops the referrals to service points (an offer_id is required there)
    and keeps those to offers; forward again, both kinds are accepted."""
    url = await database_factory("matching")
    engine = create_engine(url, pool_size=1, max_overflow=0)
    migrations_dir = migrations("matching")
    config = alembic_config(migrations_dir, url)

    def downgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, "0012")

    insert = (
        "INSERT INTO referral (id, beneficiary_id, offer_id, service_point_id, organization_id, "
        "provider_organization_id, status, history, version, created_by) "
        "VALUES ($1, $2, $3, $4, $2, $2, 'proposed', '[]'::jsonb, 1, 'test')"
    )
    to_offer, to_point = uuid.uuid4(), uuid.uuid4()
    try:
        await upgrade(engine, migrations_dir)
        await sql(url, insert, to_offer, uuid.uuid4(), uuid.uuid4(), None)
        await sql(url, insert, to_point, uuid.uuid4(), None, uuid.uuid4())
        async with engine.begin() as connection:
            await connection.run_sync(downgrade)
        left = await sql(url, "SELECT id FROM referral")
        assert [row["id"] for row in left] == [to_offer]
        with pytest.raises(asyncpg.NotNullViolationError):
            await sql(url, insert, uuid.uuid4(), uuid.uuid4(), None, uuid.uuid4())
        await upgrade(engine, migrations_dir)
        await sql(url, insert, to_point, uuid.uuid4(), None, uuid.uuid4())
    finally:
        await engine.dispose()
