"""Clusters, their members and commitments, and the dashboard: who may do what (404 for whoever
may not see a cluster), the coordinator organisation always a member, closed meaning final, what
each kind of commitment delivered over its period, and the dashboard's suppressed counts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx

from services.matching.app import create_app
from services.matching.domain.cluster_access import MemberRole
from shared import clock
from tests.matching.cluster_world import CLUSTERS, World, cluster_world  # noqa: F401 - fixture
from tests.matching.conftest import matching_settings
from tests.support import serve

PROBLEM = "application/problem+json"
JUNE = datetime(2026, 6, 15, 10, tzinfo=UTC)


def _at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+00:00")


async def test_the_platform_admin_creates_a_cluster_its_coordinator_a_member(world: World) -> None:
    coordinator = await world.org()
    with clock.frozen_at(JUNE):
        created = await world.matching.post(
            CLUSTERS,
            json={
                "name": "MEIC Roma",
                "territory_codes": ["ITI43", "IT_058091"],
                "sector_focus": ["construction", "hospitality"],
                "target_group": "Young third-country nationals",
                "coordinator_organization_id": str(coordinator.id),
            },
            headers=world.admin,
        )
    assert created.status_code == 201, created.text
    cluster = created.json()
    assert created.headers["location"] == f"{CLUSTERS}/{cluster['id']}"
    assert created.headers["etag"] == '"1"'
    assert (cluster["status"], cluster["territory_codes"]) == ("forming", ["ITI43", "IT_058091"])
    members = (
        await world.matching.get(f"{CLUSTERS}/{cluster['id']}/members", headers=world.admin)
    ).json()["items"]
    assert [(m["organization_id"], m["roles"], m["joined_on"], m["current"]) for m in members] == [
        (str(coordinator.id), ["coordinator"], "2026-06-15", True)
    ]


async def test_bad_clusters_are_refused_and_nothing_is_written(world: World) -> None:
    coordinator, other = await world.org(), await world.org()
    body = {"name": "MEIC Latina", "territory_codes": ["ITI44"]}
    post = world.matching.post

    unknown_code = await post(
        CLUSTERS,
        json={
            **body,
            "territory_codes": ["ITI44", "ITZ99"],
            "coordinator_organization_id": str(coordinator.id),
        },
        headers=world.admin,
    )
    assert unknown_code.status_code == 422
    assert [e["field"] for e in unknown_code.json()["errors"]] == ["body.territory_codes[1]"]
    no_territory = await post(CLUSTERS, json={**body, "territory_codes": []}, headers=world.admin)
    assert no_territory.status_code == 422
    unknown_org = await post(
        CLUSTERS,
        json={**body, "coordinator_organization_id": str(uuid.uuid4())},
        headers=world.admin,
    )
    assert unknown_org.status_code == 422
    assert unknown_org.json()["errors"][0]["field"] == "body.coordinator_organization_id"
    assert (await post(CLUSTERS, json=body, headers=world.admin)).status_code == 422
    # Only the platform admin and a coordinator (for its own organisation) create clusters.
    for headers in (coordinator.operator, coordinator.admin, coordinator.provider):
        assert (await post(CLUSTERS, json=body, headers=headers)).status_code == 403
    foreign = {**body, "coordinator_organization_id": str(other.id)}
    assert (
        await post(CLUSTERS, json=foreign, headers=world.coordinator(coordinator))
    ).status_code == 403
    listed = await world.matching.get(CLUSTERS, headers=world.admin)
    assert listed.json()["items"] == []

    own = await post(CLUSTERS, json=body, headers=world.coordinator(coordinator))
    assert own.status_code == 201, own.text
    assert own.json()["coordinator_organization_id"] == str(coordinator.id)
    again = await post(
        CLUSTERS, json={**body, "coordinator_organization_id": str(other.id)}, headers=world.admin
    )
    assert again.status_code == 409  # the name is taken


async def test_the_gateway_not_answering_is_a_503_and_nothing_is_written(
    world: World, matching_database: str
) -> None:
    coordinator = await world.org()
    settings = matching_settings(matching_database, gateway_url="http://127.0.0.1:9")
    app = create_app(settings, verifier=world.issuer.verifier_factory())
    async with serve(app) as cut_off:
        answer = await cut_off.post(
            CLUSTERS,
            json={
                "name": "MEIC Nicosia",
                "territory_codes": ["CY000"],
                "coordinator_organization_id": str(coordinator.id),
            },
            headers=world.admin,
        )
    assert answer.status_code == 503
    assert answer.headers["content-type"] == PROBLEM
    assert (await world.matching.get(CLUSTERS, headers=world.admin)).json()["items"] == []


async def test_who_reads_a_cluster_and_who_gets_404(world: World) -> None:
    rome_coordinator, member, outsider, nicosia_coordinator = [await world.org() for _ in range(4)]
    rome = await world.cluster(rome_coordinator)
    nicosia = await world.cluster(nicosia_coordinator, territory_codes=["CY000"], status="active")
    await world.member(rome, member)
    path = f"{CLUSTERS}/{rome['id']}"

    readers = {
        "platform admin": world.admin,
        "Rome's coordinator": world.coordinator(rome_coordinator),
        "a member's operator": member.operator,
        "a member's org admin": member.admin,
        "a member's provider": member.provider,
        "a member's partner system": world.as_(member, "partner_system"),
        "the coordinator organisation's operator (a member)": rome_coordinator.operator,
    }
    for who, headers in readers.items():
        answer = await world.matching.get(path, headers=headers)
        assert answer.status_code == 200, who
        assert answer.headers["etag"] == '"1"'
        assert (await world.matching.get(f"{path}/members", headers=headers)).status_code == 200
        assert (await world.matching.get(f"{path}/commitments", headers=headers)).status_code == 200
    strangers = {
        "an outsider's operator": outsider.operator,
        "an outsider's org admin": outsider.admin,
        "Nicosia's coordinator": world.coordinator(nicosia_coordinator),
        "a beneficiary": world.issuer.headers(roles=("beneficiary",), beneficiary_id=uuid.uuid4()),
    }
    for who, headers in strangers.items():
        for suffix in ("", "/members", f"/members/{member.id}", "/commitments", "/dashboard"):
            answer = await world.matching.get(f"{path}{suffix}", headers=headers)
            assert answer.status_code == 404, (who, suffix)

    def names(answer: httpx.Response) -> set[str]:
        return {item["name"] for item in answer.json()["items"]}

    assert names(await world.matching.get(CLUSTERS, headers=world.admin)) == {
        rome["name"],
        nicosia["name"],
    }
    assert names(await world.matching.get(CLUSTERS, headers=member.operator)) == {rome["name"]}
    assert names(
        await world.matching.get(CLUSTERS, headers=world.coordinator(nicosia_coordinator))
    ) == {nicosia["name"]}
    assert names(await world.matching.get(CLUSTERS, headers=outsider.admin)) == set()
    active = await world.matching.get(CLUSTERS, params={"status": "active"}, headers=world.admin)
    assert names(active) == {nicosia["name"]}


async def test_changes_need_if_match_and_the_coordinator_and_closed_is_final(world: World) -> None:
    coordinator, member = await world.org(), await world.org()
    cluster = await world.cluster(coordinator)
    await world.member(cluster, member)
    path = f"{CLUSTERS}/{cluster['id']}"
    boss = world.coordinator(coordinator)

    assert (
        await world.matching.patch(path, json={"status": "active"}, headers=boss)
    ).status_code == 428
    stale = await world.matching.patch(
        path, json={"status": "active"}, headers={**boss, "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    for headers in (member.operator, member.admin):
        refused = await world.matching.patch(
            path, json={"status": "active"}, headers={**headers, "If-Match": '"1"'}
        )
        assert refused.status_code == 403
    cleared = await world.matching.patch(
        path, json={"name": None}, headers={**boss, "If-Match": '"1"'}
    )
    assert cleared.status_code == 422
    changed = await world.matching.patch(
        path,
        json={"status": "active", "sector_focus": ["logistics"], "description": "Rome's network"},
        headers={**boss, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["status"], changed.json()["sector_focus"]) == ("active", ["logistics"])
    assert changed.headers["etag"] == '"2"'

    closed = await world.matching.patch(
        path, json={"status": "closed"}, headers={**world.admin, "If-Match": '"2"'}
    )
    assert closed.status_code == 200
    after = {
        "patch": world.matching.patch(
            path, json={"status": "active"}, headers={**boss, "If-Match": '"3"'}
        ),
        "member": world.matching.post(
            f"{path}/members",
            json={"organization_id": str((await world.org()).id), "roles": ["trade_union"]},
            headers=boss,
        ),
        "member patch": world.matching.patch(
            f"{path}/members/{member.id}",
            json={"roles": ["host_company"]},
            headers={**boss, "If-Match": '"1"'},
        ),
        "member end": world.matching.delete(f"{path}/members/{member.id}", headers=boss),
        "commitment": world.matching.post(
            f"{path}/commitments",
            json={
                "organization_id": str(member.id),
                "kind": "other",
                "quantity": 1,
                "period_start": "2026-01-01",
                "period_end": "2026-12-31",
            },
            headers=boss,
        ),
    }
    for what, request in after.items():
        answer = await request
        assert answer.status_code == 409, (what, answer.text)
    assert (await world.matching.get(path, headers=boss)).json()["status"] == "closed"


async def test_members_roles_dates_and_the_end_of_a_membership(world: World) -> None:
    coordinator, member, newcomer = await world.org(), await world.org(), await world.org()
    with clock.frozen_at(JUNE):
        cluster = await world.cluster(coordinator)
    path = f"{CLUSTERS}/{cluster['id']}/members"
    boss = world.coordinator(coordinator)

    async def add(org: Any, roles: list[str], headers: dict[str, str] = boss) -> httpx.Response:
        return await world.matching.post(
            path, json={"organization_id": str(org.id), "roles": roles}, headers=headers
        )

    assert (await add(member, ["astrologer"])).status_code == 422
    assert (await add(member, [])).status_code == 422
    assert (await add(member, ["coordinator"])).status_code == 422
    assert (await add(member, ["host_company", "host_company"])).status_code == 422
    unknown = await world.matching.post(
        path, json={"organization_id": str(uuid.uuid4()), "roles": ["trade_union"]}, headers=boss
    )
    assert unknown.status_code == 422
    assert (
        await add(member, ["host_company"], member.admin)
    ).status_code == 404  # not yet a member
    with clock.frozen_at(JUNE):
        added = await add(member, ["host_company", "legal_support"])
    assert added.status_code == 201, added.text
    assert added.headers["location"] == f"{path}/{member.id}"
    assert added.json()["joined_on"] == "2026-06-15"
    assert (await add(member, ["trade_union"])).status_code == 409
    assert (await add(newcomer, ["trade_union"], member.admin)).status_code == 403  # reads only

    one = f"{path}/{member.id}"
    changed = await world.matching.patch(
        one, json={"roles": ["host_company"]}, headers={**boss, "If-Match": '"1"'}
    )
    assert changed.status_code == 200
    assert changed.json()["roles"] == ["host_company"]
    backwards = await world.matching.patch(
        one, json={"left_on": "2020-01-01"}, headers={**boss, "If-Match": '"2"'}
    )
    assert backwards.status_code == 422
    assert (await world.matching.get(f"{path}/{newcomer.id}", headers=boss)).status_code == 404

    # The coordinator organisation stays a member while it coordinates.
    assert (
        await world.matching.delete(f"{path}/{coordinator.id}", headers=boss)
    ).status_code == 409
    keep = await world.matching.patch(
        f"{path}/{coordinator.id}",
        json={"roles": ["trade_union"]},
        headers={**boss, "If-Match": '"1"'},
    )
    assert keep.status_code == 422

    with clock.frozen_at(datetime(2026, 9, 1, 9, tzinfo=UTC)):
        assert (await world.matching.delete(one, headers=member.operator)).status_code == 403
        assert (await world.matching.delete(one, headers=boss)).status_code == 204
        ended = (await world.matching.get(one, headers=boss)).json()
        assert (ended["left_on"], ended["current"]) == ("2026-09-01", False)
        assert (await world.matching.delete(one, headers=boss)).status_code == 204  # still ended
        # A former member reads the cluster no more; its membership stays in the list.
        assert (
            await world.matching.get(f"{CLUSTERS}/{cluster['id']}", headers=member.operator)
        ).status_code == 404
        listed = (await world.matching.get(path, headers=boss)).json()["items"]
        assert {m["organization_id"]: m["current"] for m in listed} == {
            str(coordinator.id): True,
            str(member.id): False,
        }


async def test_a_new_coordinator_becomes_a_member_and_the_former_one_loses_the_role(
    world: World,
) -> None:
    first, second = await world.org(), await world.org()
    cluster = await world.cluster(first)
    path = f"{CLUSTERS}/{cluster['id']}"
    moved = await world.matching.patch(
        path,
        json={"coordinator_organization_id": str(second.id)},
        headers={**world.coordinator(first), "If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    members = {
        m["organization_id"]: (m["roles"], m["current"])
        for m in (await world.matching.get(f"{path}/members", headers=world.admin)).json()["items"]
    }
    assert members == {str(first.id): ([], False), str(second.id): (["coordinator"], True)}
    # The former coordinator's coordinator sees the cluster no more; the new one does.
    assert (await world.matching.get(path, headers=world.coordinator(first))).status_code == 404
    assert (await world.matching.get(path, headers=world.coordinator(second))).status_code == 200


async def _commit(
    world: World, cluster: dict[str, Any], headers: dict[str, str], **fields: Any
) -> httpx.Response:
    body = {"quantity": 4, "period_start": "2026-01-01", "period_end": "2026-06-30", **fields}
    body["organization_id"] = str(body["organization_id"])
    return await world.matching.post(
        f"{CLUSTERS}/{cluster['id']}/commitments", json=body, headers=headers
    )


async def test_who_pledges_for_whom(world: World) -> None:
    coordinator, member, other_member, outsider = [await world.org() for _ in range(4)]
    cluster = await world.cluster(coordinator)
    await world.member(cluster, member)
    await world.member(cluster, other_member)
    boss = world.coordinator(coordinator)
    pledge = {"kind": "other", "description": "legal desk twice a week"}

    own = await _commit(world, cluster, member.admin, organization_id=member.id, **pledge)
    assert own.status_code == 201, own.text
    body = own.json()
    assert (body["pledged"], body["delivered"], body["ratio"]) == (4, None, None)
    assert "not measurable" in body["measure"]
    assert own.headers["location"].endswith(f"/commitments/{body['id']}")
    assert (
        await _commit(world, cluster, member.admin, organization_id=other_member.id, **pledge)
    ).status_code == 403
    assert (
        await _commit(world, cluster, member.operator, organization_id=member.id, **pledge)
    ).status_code == 403
    assert (
        await _commit(world, cluster, outsider.admin, organization_id=outsider.id, **pledge)
    ).status_code == 404
    assert (
        await _commit(world, cluster, boss, organization_id=outsider.id, **pledge)
    ).status_code == 422
    assert (
        await _commit(world, cluster, boss, organization_id=other_member.id, **pledge)
    ).status_code == 201
    backwards = await _commit(
        world, cluster, boss, organization_id=member.id, kind="other", period_end="2025-01-01"
    )
    assert backwards.status_code == 422
    typed_other = await _commit(
        world, cluster, boss, organization_id=member.id, kind="other", offer_type="job"
    )
    assert typed_other.status_code == 422

    one = f"{CLUSTERS}/{cluster['id']}/commitments/{body['id']}"
    assert (await world.matching.get(one, headers=member.operator)).status_code == 200
    assert (
        await world.matching.patch(
            one, json={"quantity": 6}, headers={**member.operator, "If-Match": '"1"'}
        )
    ).status_code == 403
    mine = await world.matching.patch(
        one, json={"quantity": 6}, headers={**member.admin, "If-Match": '"1"'}
    )
    assert mine.status_code == 200
    assert mine.json()["pledged"] == 6
    theirs = await world.matching.get(
        f"{CLUSTERS}/{cluster['id']}/commitments",
        params={"organization_id": str(other_member.id)},
        headers=member.admin,
    )
    assert [c["organization_id"] for c in theirs.json()["items"]] == [str(other_member.id)]
    other_id = theirs.json()["items"][0]["id"]
    refused = await world.matching.patch(
        f"{CLUSTERS}/{cluster['id']}/commitments/{other_id}",
        json={"quantity": 1},
        headers={**member.admin, "If-Match": '"1"'},
    )
    assert refused.status_code == 403


async def test_what_each_kind_of_commitment_delivered_in_its_period(world: World) -> None:
    coordinator, provider, referrer = [await world.org() for _ in range(3)]
    rome = await world.cluster(coordinator)
    latina = await world.cluster(coordinator, territory_codes=["ITI44"])
    for cluster in (rome, latina):
        await world.member(cluster, provider, "training_provider")
        await world.member(cluster, referrer, "employment_service")
    boss = world.coordinator(coordinator)
    in_period, before = date(2026, 3, 1), date(2025, 12, 1)

    # Offers: to every cluster, to Rome, to Latina only, a draft, one too early, a job.
    every = await world.offer(provider, seats=3, starts_on=in_period)
    to_rome = await world.offer(provider, seats=5, starts_on=in_period, cluster_ids=(rome["id"],))
    await world.offer(provider, seats=7, starts_on=in_period, cluster_ids=(latina["id"],))
    await world.offer(provider, seats=11, starts_on=in_period, status="draft")
    await world.offer(provider, seats=13, starts_on=before)
    await world.offer(provider, seats=17, starts_on=in_period, kind="job")
    await world.offer(referrer, seats=19, starts_on=in_period)  # another organisation's

    proposed = ("proposed", _at("2026-02-01"))
    # Enrolled in the period (one completed since), enrolled before it, only accepted, rejected.
    await world.referral(
        every,
        referrer,
        provider,
        [
            proposed,
            ("accepted", _at("2026-02-02")),
            ("enrolled", _at("2026-02-10")),
            ("completed", _at("2026-08-01")),
        ],
    )
    await world.referral(
        to_rome,
        referrer,
        provider,
        [proposed, ("accepted", _at("2026-02-03")), ("enrolled", _at("2026-03-01"))],
        cluster_id=rome["id"],
    )
    await world.referral(
        every,
        referrer,
        provider,
        [
            ("proposed", _at("2025-11-01")),
            ("accepted", _at("2025-11-02")),
            ("enrolled", _at("2025-12-01")),
        ],
    )
    await world.referral(every, referrer, provider, [proposed, ("accepted", _at("2026-07-02"))])
    await world.referral(every, referrer, provider, [proposed, ("rejected", _at("2026-02-05"))])
    # Made in Latina: never Rome's, though the offer is published to every cluster.
    await world.referral(
        every,
        referrer,
        provider,
        [proposed, ("accepted", _at("2026-02-04")), ("enrolled", _at("2026-02-11"))],
        cluster_id=latina["id"],
    )

    expected = {
        ("seats_offered", None): 3 + 5 + 17,
        ("seats_offered", "internship"): 3 + 5,
        ("offers_published", None): 3,
        ("seats_filled", None): 2,
        ("referrals_answered", None): 4 - 1,  # accepted 02-02, 02-03, rejected 02-05 (not 07-02)
        ("other", None): None,
    }
    ids = {}
    for (kind, offer_type), _delivered in expected.items():
        fields: dict[str, Any] = {"kind": kind, "quantity": 10}
        if offer_type:
            fields["offer_type"] = offer_type
        answer = await _commit(world, rome, boss, organization_id=provider.id, **fields)
        assert answer.status_code == 201, answer.text
        ids[answer.json()["id"]] = (kind, offer_type)
    listed = (await world.matching.get(f"{CLUSTERS}/{rome['id']}/commitments", headers=boss)).json()
    got = {ids[c["id"]]: c["delivered"] for c in listed["items"]}
    assert got == expected
    ratios = {ids[c["id"]]: c["ratio"] for c in listed["items"]}
    assert ratios[("seats_offered", None)] == 2.5
    assert ratios[("other", None)] is None

    # Latina's: the offer to Latina counts, Rome's does not; the referral made in Latina does.
    latina_seats = await _commit(
        world, latina, boss, organization_id=provider.id, kind="seats_offered"
    )
    assert latina_seats.json()["delivered"] == 3 + 7 + 17
    latina_filled = await _commit(
        world, latina, boss, organization_id=provider.id, kind="seats_filled"
    )
    assert (
        latina_filled.json()["delivered"] == 2
    )  # made in no cluster to an offer for all; in Latina

    # A longer period takes the December enrolment in too.
    longer = await world.matching.patch(
        f"{CLUSTERS}/{latina['id']}/commitments/{latina_filled.json()['id']}",
        json={"period_start": "2025-12-01"},
        headers={**boss, "If-Match": '"1"'},
    )
    assert longer.json()["delivered"] == 3


async def test_the_dashboard_counts_members_pledges_the_network_and_places_suppressed(
    world: World,
) -> None:
    coordinator, school, employer, outsider = [await world.org() for _ in range(4)]
    cluster = await world.cluster(coordinator)
    await world.member(cluster, school, "training_provider", "legal_support")
    await world.member(cluster, employer, "host_company")
    boss = world.coordinator(coordinator)
    course = await world.offer(school, seats=20, kind="language_course", starts_on=date(2026, 3, 1))
    job = await world.offer(employer, seats=20, kind="job", starts_on=date(2026, 3, 1))
    elsewhere = await world.offer(outsider, seats=20, kind="job", starts_on=date(2026, 3, 1))
    at = _at("2026-03-02")
    # Six people sent by the coordinator's organisation to the school (5 enrolled, 1 dropped),
    # two of them then to the employer (completed), living in Rome's municipality or province.
    people = []
    for n in range(6):
        status = "dropped" if n == 5 else "enrolled"
        person = await world.referral(
            course, coordinator, school, [("proposed", at), (status, at)], cluster_id=cluster["id"]
        )
        await world.resident(person, coordinator, "IT_058091" if n < 4 else "ITI43")
        people.append(person)
    for person in people[:2]:
        await world.referral(
            job, school, employer, [("proposed", at), ("completed", at)], beneficiary_id=person
        )
    # Between two non-members, in no cluster: not the cluster's.
    await world.referral(elsewhere, outsider, outsider, [("proposed", at), ("enrolled", at)])
    assert (
        await _commit(
            world, cluster, boss, organization_id=school.id, kind="seats_filled", quantity=10
        )
    ).status_code == 201

    answer = await world.matching.get(f"{CLUSTERS}/{cluster['id']}/dashboard", headers=boss)
    assert answer.status_code == 200, answer.text
    board = answer.json()
    assert board["members_by_role"] == {
        "coordinator": 1,
        "host_company": 1,
        "legal_support": 1,
        "training_provider": 1,
    }
    assert {
        (e["from_organization_id"], e["to_organization_id"], e["offer_type"]): e["referrals"]
        for e in board["network"]
    } == {
        (str(coordinator.id), str(school.id), "language_course"): 6,
        (str(school.id), str(employer.id), "job"): "<5",
    }
    by_member = {m["organization_id"]: m for m in board["members"]}
    assert by_member[str(school.id)]["people_reached"] == 6
    assert by_member[str(school.id)]["outcomes"]["as_provider"] == {
        "enrolled": 5,
        "completed": 0,
        "dropped": "<5",
    }
    assert by_member[str(employer.id)]["people_reached"] == "<5"
    assert by_member[str(coordinator.id)]["outcomes"]["as_referrer"]["enrolled"] == 5
    pledges = by_member[str(school.id)]["commitments"]
    assert [(p["kind"], p["pledged"], p["delivered"], p["ratio"]) for p in pledges] == [
        ("seats_filled", 10, 5, 0.5)  # the one that dropped never enrolled
    ]
    # The municipality rolls up to its province: one territory, six people.
    assert board["territories"] == [
        {"territory_code": "ITI43", "people": 6, "enrolled": 5, "completed": "<5", "dropped": "<5"}
    ]
    assert str(outsider.id) not in answer.text
    for person in people:
        assert str(person) not in answer.text
    assert board["suppression"] == {"small_cell": 5, "shown_as": "<5"}

    # Aggregates for the platform admin and the coordinator only.
    assert (
        await world.matching.get(f"{CLUSTERS}/{cluster['id']}/dashboard", headers=world.admin)
    ).status_code == 200
    for headers in (school.admin, school.operator, coordinator.admin, world.coordinator(outsider)):
        assert (
            await world.matching.get(f"{CLUSTERS}/{cluster['id']}/dashboard", headers=headers)
        ).status_code == 404


def test_every_role_of_the_issue_is_in_the_vocabulary() -> None:
    issue = {
        "coordinator",
        "employment_service",
        "training_provider",
        "host_company",
        "employer_association",
        "chamber_of_commerce",
        "local_authority",
        "trade_union",
        "legal_support",
        "low_threshold_service",
        "migrant_association",
    }
    assert issue <= {role.value for role in MemberRole}
