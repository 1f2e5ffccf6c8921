"""The people sync against forged and edge input (found by an attack on the sync): a merge does
not hand a partner whose consent had ended the survivor's id, not even through a forged
watermark; a watermark at the edge of the datetime range is a 422, not a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx

from shared.pagination import encode_cursor
from tests.intake.conftest import Org, register
from tests.intake.test_sync import share, sync, sync_until
from tests.sync_support import count


async def test_a_merge_does_not_name_the_survivor_to_a_partner_whose_consent_ended(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    owner, partner, _ = orgs
    merged = (await register(intake, owner, given_name="Merged"))["id"]
    survivor = (await register(intake, owner, given_name="Survivor"))["id"]  # never shared
    consent_id = await share(intake, owner, merged, partner)
    _, _, mark = await sync_until(intake, partner, "0", count(1))

    gone = await intake.delete(
        f"/api/v1/beneficiaries/{merged}/consents/{consent_id}", headers=owner.operator
    )
    assert gone.status_code == 204
    folded = await intake.post(
        f"/api/v1/beneficiaries/{survivor}/merge",
        json={"merged_id": merged},
        headers=owner.operator,
    )
    assert folded.status_code == 200, folded.text
    assert (
        await intake.get(f"/api/v1/beneficiaries/{survivor}", headers=partner.operator)
    ).status_code == 404  # the partner may not read the survivor

    _, removed, _ = await sync_until(intake, partner, mark, count(1))
    named = {r["id"] for r in removed}
    assert survivor not in named, f"the survivor's id was told to the partner: {removed}"

    # A forged watermark replays it at will.
    replay = encode_cursor([1, datetime(1970, 1, 2, tzinfo=UTC), "beneficiaries"])
    _, replayed, _ = await sync(intake, partner, replay)
    assert survivor not in {r["id"] for r in replayed}, f"replayed: {replayed}"


async def test_a_watermark_at_the_edge_of_the_datetime_range_is_refused(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    owner = orgs[0]
    edge = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(-timedelta(hours=14)))
    for since in (
        encode_cursor([1, edge, "beneficiaries"]),
        encode_cursor(
            [1, datetime(1, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=14))), "beneficiaries"]
        ),
    ):
        answer = await intake.get(
            "/api/v1/beneficiaries", params={"since": since}, headers=owner.operator
        )
        assert answer.status_code == 422, (since, answer.status_code, answer.text[:200])
