"""Issue 12, item 3 (matching's side): a withdrawal ends every view the consent opened. When the
person's consent to matching ends, or the referring organisation stops seeing them, their active
referrals end with a coded reason (an enrolled one frees its seat, each announced), and every one
of their referrals loses the card and the referrer's note; until that is known, reads and the
provider's moves already treat the card as gone (an expired access sends no event)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from services.matching.app import create_app
from shared.testing.tokens import TestIssuer
from tests.e2e.helpers import eventually_async
from tests.matching.conftest import deliver, matching_settings, offer, person
from tests.matching.test_referrals import CARD, referral_row
from tests.support import Org, envelope, serve, sql

NOTE = "Amal Haddad worked three years as a cook"


async def referral(
    url: str, beneficiary_id: uuid.UUID, course: dict[str, Any], referrer: Org, status: str
) -> str:
    """A referral already made, with its card and the referrer's note."""
    return str(await referral_row(url, beneficiary_id, course, referrer, status, note=NOTE))


def access(
    beneficiary_id: uuid.UUID,
    owner: Org,
    version: int,
    *,
    consent: bool = True,
    grants: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    return envelope(
        "beneficiary.access_changed",
        {
            "beneficiary_id": str(beneficiary_id),
            "owner_organization_id": str(owner.id),
            "grants": grants,
            "matching_consent": consent,
            "version": version,
        },
    )


async def events(url: str) -> list[dict[str, Any]]:
    rows = await sql(
        url,
        "SELECT payload::text AS p FROM outbox_event WHERE type = 'referral.status_changed' "
        "ORDER BY transaction_id, seq",
    )
    return [json.loads(row["p"]) for row in rows]


async def test_a_withdrawn_consent_to_matching_ends_the_referrals_and_removes_card_and_note(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, _ = orgs
    someone = await person(matching, ngo)
    courses = [await offer(matching, provider, seats=1) for _ in range(3)]
    proposed = await referral(matching_database, someone, courses[0], ngo, "proposed")
    enrolled = await referral(matching_database, someone, courses[1], ngo, "accepted")
    done = await referral(matching_database, someone, courses[2], ngo, "accepted")
    for referral_id, moves in ((enrolled, ["enrolled"]), (done, ["enrolled", "completed"])):
        for status in moves:
            moved = await matching.patch(
                f"/api/v1/referrals/{referral_id}",
                json={"status": status},
                headers=provider.provider,
            )
            assert moved.status_code == 200, moved.text
    seen = (await matching.get(f"/api/v1/referrals/{proposed}", headers=provider.provider)).json()
    assert seen["person"]["given_name"] == "Amal"
    assert seen["note"] == NOTE

    await deliver(matching, access(someone, ngo, 2, consent=False))

    for caller in (provider.provider, ngo.operator):
        listed = (await matching.get("/api/v1/referrals", headers=caller)).json()["items"]
        by_id = {item["id"]: item for item in listed}
        assert set(by_id) == {proposed, enrolled, done}
        assert "Amal" not in json.dumps(listed)
        assert all(item["person"] is None and item["note"] is None for item in listed)
        assert by_id[proposed]["status"] == by_id[enrolled]["status"] == "dropped"
        assert by_id[proposed]["reason_code"] == "consent_withdrawn"
        assert by_id[enrolled]["reason_code"] == "consent_withdrawn"
        assert by_id[done]["status"] == "completed"  # what ended stays as it ended
        assert by_id[done]["reason_code"] is None
    seat = (await matching.get(f"/api/v1/offers/{courses[1]['id']}", headers=ngo.operator)).json()
    assert seat["seats_left"] == 1  # the enrolled one's seat is free again
    refused = await matching.patch(
        f"/api/v1/referrals/{proposed}", json={"status": "accepted"}, headers=provider.provider
    )
    assert refused.status_code == 409
    ended = [event for event in await events(matching_database) if event["status"] == "dropped"]
    assert {event["referral_id"] for event in ended} == {proposed, enrolled}
    assert {event["reason_code"] for event in ended} == {"consent_withdrawn"}
    # Redelivered or stale access events end nothing twice.
    await deliver(matching, access(someone, ngo, 2, consent=False), access(someone, ngo, 1))
    assert len(await events(matching_database)) == len(ended) + 3


async def test_the_referrer_losing_its_view_ends_its_referrals_only(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    """Another organisation's sharing consent is withdrawn: its referrals for the person end
    (``access_ended``) and lose card and note; the owner's referral goes on."""
    owner, provider, partner = orgs
    shared = [{"organization_id": str(partner.id), "sections": ["profile"]}]
    someone = await person(matching, owner, shared_with=(partner,))
    first, second = await offer(matching, provider), await offer(matching, provider)
    partners = await referral(matching_database, someone, first, partner, "accepted")
    owners = await referral(matching_database, someone, second, owner, "proposed")
    await deliver(matching, access(someone, owner, 2, grants=shared))  # still shared
    assert (await matching.get(f"/api/v1/referrals/{partners}", headers=partner.operator)).json()[
        "person"
    ] == CARD

    await deliver(matching, access(someone, owner, 3))  # the sharing consent withdrawn

    assert (
        await matching.get(f"/api/v1/referrals/{partners}", headers=partner.operator)
    ).status_code == 404
    ended = (await matching.get(f"/api/v1/referrals/{partners}", headers=provider.provider)).json()
    assert (ended["status"], ended["reason_code"]) == ("dropped", "access_ended")
    assert ended["person"] is None
    assert ended["note"] is None
    going_on = (await matching.get(f"/api/v1/referrals/{owners}", headers=provider.provider)).json()
    assert (going_on["status"], going_on["person"], going_on["note"]) == ("proposed", CARD, NOTE)


async def test_an_expired_access_hides_the_card_at_once_and_the_sweep_ends_the_referral(
    matching: httpx.AsyncClient,
    matching_database: str,
    issuer: TestIssuer,
    orgs: tuple[Org, Org, Org],
) -> None:
    """No event says an access expired: reads and moves check the expiry in their own query,
    and a sweep ends the referral."""
    owner, provider, partner = orgs
    someone = await person(matching, owner)
    course = await offer(matching, provider)
    referral_id = await referral(matching_database, someone, course, partner, "accepted")
    grant = {"organization_id": str(partner.id), "sections": ["profile"]}
    await deliver(matching, access(someone, owner, 2, grants=[grant]))
    path = f"/api/v1/referrals/{referral_id}"
    assert (await matching.get(path, headers=provider.provider)).json()["person"] == CARD
    # The grant now expires in a second (as an emergency access does, after its hours).
    soon = datetime.now(UTC) + timedelta(seconds=1)
    expiring = [{**grant, "expires_at": soon.isoformat()}]
    await deliver(matching, access(someone, owner, 3, grants=expiring))
    assert (await matching.get(path, headers=provider.provider)).json()["person"] == CARD

    async def expired() -> bool:
        return datetime.now(UTC) > soon + timedelta(milliseconds=50)

    await eventually_async(expired)
    read = (await matching.get(path, headers=provider.provider)).json()
    assert (read["status"], read["person"], read["note"]) == ("accepted", None, None)
    refused = await matching.patch(path, json={"status": "enrolled"}, headers=provider.provider)
    assert refused.status_code == 409
    assert refused.json()["allowed_statuses"] == ["dropped"]

    settings = matching_settings(matching_database, referral_expiry_sweep_seconds=0.2)
    async with serve(create_app(settings, verifier=issuer.verifier_factory())) as sweeping:

        async def ended() -> dict[str, Any] | None:
            read = (await sweeping.get(path, headers=provider.provider)).json()
            return read if read["status"] == "dropped" else None

        read = await eventually_async(ended, within=5)
    assert read["reason_code"] == "access_ended"
    assert read["person"] is None
    assert read["note"] is None
    ended_events = [e for e in await events(matching_database) if e["status"] == "dropped"]
    assert [e["reason_code"] for e in ended_events] == ["access_ended"]


async def test_the_person_sees_the_code_and_cannot_accept_once_their_consent_ended(
    matching: httpx.AsyncClient,
    matching_database: str,
    orgs: tuple[Org, Org, Org],
    issuer: TestIssuer,
) -> None:
    ngo, provider, _ = orgs
    someone = await person(matching, ngo)
    course = await offer(matching, provider)
    referral_id = await referral(matching_database, someone, course, ngo, "proposed")
    me = issuer.headers(roles=("beneficiary",), organization_id=ngo.id, beneficiary_id=someone)
    # The mirror already says the consent ended, the referral does not (e.g. written before).
    await sql(
        matching_database,
        "UPDATE beneficiary_access SET matching_consent = false WHERE beneficiary_id = $1",
        someone,
    )
    accepted = await matching.post(f"/api/v1/me/referrals/{referral_id}/accept", headers=me)
    assert accepted.status_code == 409
    path = f"/api/v1/referrals/{referral_id}"
    read = (await matching.get(path, headers=provider.provider)).json()
    assert read["person"] is None
    assert read["note"] is None
    refused = await matching.patch(path, json={"status": "accepted"}, headers=provider.provider)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("consent-ended")
    assert refused.json()["allowed_statuses"] == ["dropped", "rejected"]
    await deliver(matching, access(someone, ngo, 2, consent=False))
    own = (await matching.get("/api/v1/me/referrals", headers=me)).json()["items"]
    assert [(item["status"], item["reason_code"]) for item in own] == [
        ("dropped", "consent_withdrawn")
    ]


async def test_a_merge_carries_the_referrals_over_to_the_survivor(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    """The merged record's referrals go on under the survivor's consent (they would otherwise
    be stuck without a card); one to an offer the survivor is already referred to ends."""
    ngo, provider, _ = orgs
    survivor, duplicate = await person(matching, ngo), await person(matching, ngo)
    first, second = await offer(matching, provider), await offer(matching, provider)
    kept = await referral(matching_database, survivor, first, ngo, "proposed")
    twin = await referral(matching_database, duplicate, first, ngo, "proposed")
    carried = await referral(matching_database, duplicate, second, ngo, "accepted")
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
    listed = (await matching.get("/api/v1/referrals", headers=provider.provider)).json()["items"]
    by_id = {item["id"]: item for item in listed}
    assert {by_id[r]["beneficiary_id"] for r in (kept, twin, carried)} == {str(survivor)}
    assert (by_id[twin]["status"], by_id[twin]["reason_code"]) == ("dropped", "merged")
    assert (by_id[carried]["status"], by_id[carried]["person"]) == ("accepted", CARD)
    moved = await matching.patch(
        f"/api/v1/referrals/{carried}", json={"status": "enrolled"}, headers=provider.provider
    )
    assert moved.status_code == 200, moved.text
