"""Removals in the pathways sync go to the organisations whose reading of the section ended, once:
not to a partner that never read the pathway when someone else's access changes (it would learn
of other organisations' consents, and be told something false), and a merge names the survivor
only to one that may read it (found by an attack on the sync)."""

from __future__ import annotations

import httpx

from tests.pathways.conftest import deliver, open_pathway, person
from tests.pathways.test_sync import sync, sync_until
from tests.support import Org, envelope
from tests.sync_support import count


async def test_a_change_of_someone_elses_access_tells_a_partner_nothing(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    owner, partner, third = orgs
    someone = await person(pathways, owner, shared_with=[(partner, ["identity"])])
    await open_pathway(pathways, owner, someone)
    _, _, watermark = await sync(pathways, partner, "0")
    # The owner now shares the person's pathway with a third organisation; the partner's own
    # identity grant is unchanged.
    await person(
        pathways,
        owner,
        beneficiary_id=someone,
        version=2,
        shared_with=[(partner, ["identity"]), (third, ["pathway"])],
    )
    # A pathway shared with the partner afterwards: once a sync brings it, the change is in too.
    fence = await person(pathways, owner, shared_with=[(partner, ["pathway"])])
    await open_pathway(pathways, owner, fence)
    items, removed, _ = await sync_until(pathways, partner, watermark, count(1))
    assert [item["beneficiary_id"] for item in items] == [str(fence)]
    assert removed == []


async def test_a_merge_names_the_survivor_only_to_a_reader_of_it(
    pathways: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    owner, partner, _ = orgs
    merged = await person(pathways, owner, shared_with=[(partner, ["pathway"])])
    survivor = await person(pathways, owner)  # never shared with the partner
    await open_pathway(pathways, owner, merged)
    _, _, watermark = await sync_until(pathways, partner, "0", count(1))
    await deliver(
        pathways,
        envelope(
            "beneficiary.merged",
            {
                "merged_id": str(merged),
                "survivor_id": str(survivor),
                "organization_id": str(owner.id),
            },
        ),
    )
    _, removed, _ = await sync_until(pathways, partner, watermark, count(1))
    assert [r["id"] for r in removed] == [str(merged)]
    # The partner cannot read the survivor (its pathways are not listed to it) ...
    listed, _, _ = await sync(pathways, partner, "0")
    assert all(item["beneficiary_id"] != str(survivor) for item in listed)
    # ... so the removal does not name it.
    assert removed[0]["merged_into"] is None
