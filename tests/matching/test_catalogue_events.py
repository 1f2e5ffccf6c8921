"""The catalogue's events: an offer or a service point announced, in the transaction of the
change, to the organisations that may read it (the provider, the members of its clusters that
day, or everyone but those named), with ids and states only; a draft to nobody; those who lose
it told once why. And the pure rules: reader sets (finite or cofinite) and who hears what."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st

from services.matching.domain.announcements import (
    NOBODY,
    Announcement,
    Readers,
    announcements,
    readers,
)
from tests.matching.clusters import cluster, member
from tests.matching.conftest import offer
from tests.matching.test_service_points import POINTS, publish
from tests.support import Org, sql

OFFERS = "/api/v1/offers"
UNIVERSE = [uuid.UUID(int=i) for i in range(6)]
ids = st.frozensets(st.sampled_from(UNIVERSE))
reader_sets = st.builds(Readers, st.booleans(), ids)


def _members(group: Readers) -> set[uuid.UUID]:
    return {org for org in UNIVERSE if org in group}


@given(reader_sets, reader_sets)
def test_reader_sets_intersect_and_subtract_as_sets_do(a: Readers, b: Readers) -> None:
    assert _members(a & b) == _members(a) & _members(b)
    assert _members(a - b) == _members(a) - _members(b)


@given(reader_sets, reader_sets)
def test_each_organisation_hears_of_a_change_once_and_only_if_it_reads_or_read_it(
    before: Readers, after: Readers
) -> None:
    told = announcements(before, after)
    for org in UNIVERSE:
        heard = [announcement for announcement, group in told if org in group]
        if org in after:
            expected = [Announcement.UPDATED if org in before else Announcement.PUBLISHED]
        else:
            expected = [Announcement.WITHDRAWN] if org in before else []
        assert heard == expected


def test_an_entry_is_read_by_its_owner_and_its_clusters_members_or_by_everyone() -> None:
    owner, member_ = uuid.uuid4(), uuid.uuid4()
    assert readers(False, owner, [], []) == NOBODY  # a draft, closed, deleted
    assert readers(True, owner, [], []) == Readers.all_but()
    assert readers(True, owner, [uuid.uuid4()], [member_]) == Readers.only({owner, member_})


async def _events(database: str, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    rows = await sql(
        database,
        "SELECT type, payload::text AS payload FROM outbox_event WHERE type LIKE $1 ORDER BY seq",
        f"{prefix}.%",
    )
    return [(row["type"], json.loads(row["payload"])) for row in rows]


def _audience(payload: dict[str, Any]) -> tuple[bool, set[str]]:
    readers_ = payload["readers"]
    if readers_["everyone"]:
        return True, set(readers_["excluded_organization_ids"])
    return False, set(readers_["organization_ids"])


async def _patch(client: httpx.AsyncClient, url: str, org: Org, body: dict[str, Any]) -> None:
    read = await client.get(url, headers=org.provider)
    answer = await client.patch(
        url, json=body, headers={**org.provider, "If-Match": read.headers["etag"]}
    )
    assert answer.status_code == 200, answer.text


async def test_an_offer_is_announced_to_who_may_read_it_from_its_draft_to_its_deletion(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    coordinator, provider, rome_member = orgs
    naples_member = Org(provider.issuer)
    rome = await cluster(matching_database, "Rome", ["ITI43"], coordinator.id)
    naples = await cluster(matching_database, "Naples", ["ITF33"], coordinator.id)
    for cluster_id, org in ((rome, provider), (rome, rome_member), (naples, provider),
                            (naples, naples_member)):  # fmt: skip
        await member(matching_database, cluster_id, org.id)
    await member(matching_database, rome, coordinator.id, left_on=date(2021, 1, 1))  # gone

    draft = await offer(
        matching, provider, status="draft", title="Secret plan", cluster_ids=[str(rome)]
    )
    assert await _events(matching_database, "offer") == []  # a draft: nobody is told
    url = f"{OFFERS}/{draft['id']}"
    await _patch(matching, url, provider, {"status": "open", "starts_on": "2026-09-01"})
    [(kind, published)] = await _events(matching_database, "offer")
    assert kind == "offer.published"
    assert _audience(published) == (False, {str(provider.id), str(rome_member.id)})
    assert published["offer_id"] == draft["id"]
    assert published["organization_id"] == str(provider.id)
    assert (published["type"], published["status"], published["seats"]) == ("internship", "open", 3)
    assert (published["cluster_ids"], published["starts_on"]) == ([str(rome)], "2026-09-01")
    assert published["version"] == 2
    assert published["reason"] is None

    # Moved from Rome to Naples: the provider keeps it, Rome's member loses it, Naples' gains it.
    await _patch(matching, url, provider, {"cluster_ids": [str(naples)], "seats": 5})
    moved = await _events(matching_database, "offer")
    by_kind = dict(moved[1:])
    assert [kind for kind, _ in moved[1:]] == [
        "offer.published",
        "offer.updated",
        "offer.withdrawn",
    ]
    assert _audience(by_kind["offer.published"]) == (False, {str(naples_member.id)})
    assert _audience(by_kind["offer.updated"]) == (False, {str(provider.id)})
    assert _audience(by_kind["offer.withdrawn"]) == (False, {str(rome_member.id)})
    assert by_kind["offer.withdrawn"]["reason"] == "unshared"
    assert by_kind["offer.updated"]["seats"] == 5

    # Published to no cluster: everyone; then closed: everyone is told it is withdrawn.
    await _patch(matching, url, provider, {"cluster_ids": None})
    everywhere = dict((await _events(matching_database, "offer"))[4:])
    assert _audience(everywhere["offer.published"]) == (
        True,
        {str(provider.id), str(naples_member.id)},  # who read it already hear it changed
    )
    assert _audience(everywhere["offer.updated"]) == (
        False,
        {str(provider.id), str(naples_member.id)},
    )
    await _patch(matching, url, provider, {"status": "closed"})
    [(kind, closed)] = (await _events(matching_database, "offer"))[6:]
    assert (kind, closed["reason"], _audience(closed)) == (
        "offer.withdrawn",
        "closed",
        (True, set()),
    )
    # Changing a closed offer, or deleting it, tells nobody: nobody reads it as open any more.
    await _patch(matching, url, provider, {"seats": 6})
    assert (await matching.delete(url, headers=provider.provider)).status_code == 204
    assert len(await _events(matching_database, "offer")) == 7

    # An open offer deleted: withdrawn, reason deleted, to whoever read it.
    gone = await offer(matching, provider, cluster_ids=[str(rome)])
    assert (
        await matching.delete(f"{OFFERS}/{gone['id']}", headers=provider.provider)
    ).status_code == 204
    last = await _events(matching_database, "offer")
    assert [kind for kind, _ in last[7:]] == ["offer.published", "offer.withdrawn"]
    assert last[-1][1]["reason"] == "deleted"
    assert _audience(last[-1][1]) == (False, {str(provider.id), str(rome_member.id)})
    everything = json.dumps([payload for _, payload in last])
    assert "Secret plan" not in everything
    assert "Site internship" not in everything


async def test_a_service_point_is_announced_to_who_may_read_it_until_it_closes(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    coordinator, provider, partner = orgs
    rome = await cluster(matching_database, "Rome", ["ITI43"], coordinator.id)
    for org in (provider, partner):
        await member(matching_database, rome, org.id)
    point = await publish(matching, provider, cluster_ids=[str(rome)])
    everywhere = await publish(matching, provider)
    url = f"{POINTS}/{point['id']}"
    await _patch(matching, url, provider, {"tier": "intermediate"})
    assert (await matching.delete(url, headers=provider.provider)).status_code == 204
    assert (await matching.delete(url, headers=provider.provider)).status_code == 204  # again
    sent = await _events(matching_database, "service_point")
    assert [(kind, payload["service_point_id"]) for kind, payload in sent] == [
        ("service_point.published", point["id"]),
        ("service_point.published", everywhere["id"]),
        ("service_point.updated", point["id"]),
        ("service_point.closed", point["id"]),
    ]
    readers_ = {str(provider.id), str(partner.id)}
    assert _audience(sent[0][1]) == (False, readers_)
    assert _audience(sent[1][1]) == (True, set())  # published to no cluster
    assert _audience(sent[3][1]) == (False, readers_)
    updated, closed = sent[2][1], sent[3][1]
    assert (updated["tier"], updated["version"], updated["status"]) == ("intermediate", 2, "active")
    assert updated["need_domains"] == ["documents_legal", "housing"]
    assert (updated["kind"], updated["territory_code"]) == ("legal_aid", "IT_058091")
    assert (closed["reason"], closed["status"]) == ("closed", "closed")
    everything = json.dumps([payload for _, payload in sent])
    assert "Esquilino" not in everything
    assert "desk@example.org" not in everything
