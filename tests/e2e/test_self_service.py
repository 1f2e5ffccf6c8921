"""End to end through the gateway: an operator invites a person, who activates the app with the
code and then sees their own profile, pathway and offers, accepts one and declines another,
shares their record with another organisation and withdraws it; refreshing and signing in again
keep them the same person; a new activation signs the old phone out."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.beneficiary_world import PASSWORD, World, build_world, ok
from tests.e2e.conftest import Stack
from tests.e2e.helpers import bearer, eventually, organisation

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def world(stack: Stack) -> Iterator[tuple[httpx.Client, World]]:
    with stack.client() as client:
        yield client, build_world(client)


def test_the_activated_person_is_themselves_and_nobody_else(
    world: tuple[httpx.Client, World],
) -> None:
    client, w = world
    assert w.tokens["refresh_token"]
    assert w.tokens["username"].startswith("p-")
    me = ok(client.get("/api/v1/auth/me", headers=w.me))
    assert me["roles"] == ["beneficiary"]
    assert me["beneficiary_id"] == w.kwame.id
    assert me["organization"]["id"] == w.ngo.id

    profile = ok(client.get("/api/v1/me/profile", headers=w.me))
    assert profile["id"] == w.kwame.id
    assert profile["given_name"] == "Kwame"
    assert profile["contact"]["phone"] == "+39 333 765 4321"
    assert "vulnerability" not in profile
    assert "needs" not in profile

    pathways = ok(client.get("/api/v1/me/pathways", headers=w.me))["items"]
    assert [p["id"] for p in pathways] == [w.kwame.pathway_id]
    assert pathways[0]["stage"] == "respond"
    assert [a["title"] for a in pathways[0]["actions"]] == ["Kitchen hygiene course"]
    assert pathways[0]["next_follow_up_date"] is None or pathways[0]["next_follow_up_date"]

    referrals = ok(client.get("/api/v1/me/referrals?status=proposed", headers=w.me))["items"]
    assert sorted(r["id"] for r in referrals) == sorted(w.kwame.referral_ids)
    assert {r["offer"]["title"] for r in referrals} == {
        "Kitchen assistant course",
        "Pizza chef internship",
    }


def test_the_person_answers_their_offers(world: tuple[httpx.Client, World]) -> None:
    client, w = world
    accept_id, decline_id = w.kwame.referral_ids
    accepted = ok(client.post(f"/api/v1/me/referrals/{accept_id}/accept", headers=w.me))
    assert accepted["status"] == "proposed"
    assert accepted["person_response"] == "accepted"
    declined = ok(
        client.post(
            f"/api/v1/me/referrals/{decline_id}/decline",
            json={"reason": "I work evenings."},
            headers=w.me,
        )
    )
    assert declined["status"] == "dropped"
    assert declined["person_response"] == "declined"
    again = client.post(f"/api/v1/me/referrals/{decline_id}/accept", headers=w.me)
    assert again.status_code == 409
    # The referrer sees the person's answers in the history.
    seen = ok(client.get(f"/api/v1/referrals/{decline_id}", headers=w.ngo.operator))
    assert seen["status"] == "dropped"
    assert "declined by the person" in seen["reason"]
    history = ok(client.get(f"/api/v1/referrals/{accept_id}", headers=w.ngo.operator))["history"]
    assert history[-1]["person"] == "accepted"
    # Someone else's referral is not there.
    other = w.amina.referral_ids[0]
    assert client.post(f"/api/v1/me/referrals/{other}/accept", headers=w.me).status_code == 404


def test_the_person_shares_and_withdraws(world: tuple[httpx.Client, World]) -> None:
    client, w = world
    url = f"/api/v1/beneficiaries/{w.kwame.id}"
    assert client.get(url, headers=w.other_ngo.operator).status_code == 404
    consent = ok(
        client.post(
            "/api/v1/me/consents",
            json={
                "purpose": "sharing",
                "organization_id": w.other_ngo.id,
                "sections": ["identity", "contact"],
                "text_version": "app-2026-01",
            },
            headers=w.me,
        )
    )
    assert consent["collection_method"] == "mobile_app"
    assert ok(client.get(url, headers=w.other_ngo.operator))["given_name"] == "Kwame"
    listed = ok(client.get("/api/v1/me/consents", headers=w.me))["items"]
    assert {c["id"] for c in listed} == {w.kwame.consent_id, consent["id"]}
    gone = client.delete(f"/api/v1/me/consents/{consent['id']}", headers=w.me)
    assert gone.status_code == 204
    assert client.get(url, headers=w.other_ngo.operator).status_code == 404


def test_tokens_stay_the_persons_and_a_new_phone_signs_the_old_out(
    world: tuple[httpx.Client, World],
) -> None:
    client, w = world
    form = {"grant_type": "refresh_token", "refresh_token": w.tokens["refresh_token"]}
    refreshed = ok(client.post("/api/v1/auth/token", data=form))
    me = ok(client.get("/api/v1/auth/me", headers=bearer(refreshed["access_token"])))
    assert me["beneficiary_id"] == w.kwame.id
    assert me["roles"] == ["beneficiary"]
    signed_in = ok(
        client.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": w.tokens["username"], "password": PASSWORD},
        )
    )
    assert signed_in["refresh_token"]

    invitation = ok(
        client.post(f"/api/v1/beneficiaries/{w.kwame.id}/invitations", headers=w.ngo.operator)
    )
    used = client.post("/api/v1/auth/activate", json={"code": "ABCDE-FGHJK"})
    assert used.status_code == 400
    assert used.json()["error"] == "invalid_grant"
    new_phone = ok(client.post("/api/v1/auth/activate", json={"code": invitation["code"]}))
    assert new_phone["username"] is None
    again = client.post("/api/v1/auth/activate", json={"code": invitation["code"]})
    assert again.status_code == 400
    old = {"grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"]}
    assert client.post("/api/v1/auth/token", data=old).status_code == 400
    new = {"grant_type": "refresh_token", "refresh_token": new_phone["refresh_token"]}
    assert ok(client.post("/api/v1/auth/token", data=new))["access_token"]


def test_erasure_closes_the_persons_app_account(stack: Stack) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Erasure")
        person = ok(
            client.post(
                "/api/v1/beneficiaries",
                json={"given_name": "Ines", "family_name": "Okafor", "birth_date": "1990-01-30"},
                headers=ngo.operator,
            )
        )
        url = f"/api/v1/beneficiaries/{person['id']}"
        invitation = ok(client.post(f"{url}/invitations", headers=ngo.operator))
        tokens = ok(
            client.post(
                "/api/v1/auth/activate", json={"code": invitation["code"], "password": PASSWORD}
            )
        )
        username = tokens["username"]
        form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        tokens = ok(client.post("/api/v1/auth/token", data=form))  # the account works
        assert client.delete(url, headers=ngo.admin).status_code == 204

        sign_in = {"grant_type": "password", "username": username, "password": PASSWORD}
        # The gateway hears of the erasure through intake's events: the account goes shortly.
        eventually(lambda: client.post("/api/v1/auth/token", data=sign_in).status_code == 400)
        again = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        assert client.post("/api/v1/auth/token", data=again).status_code == 400
        # An access token already issued ends with the account, at the next request.
        for path in ("/api/v1/me/profile", "/api/v1/auth/me"):
            answer = client.get(path, headers=bearer(tokens["access_token"]))
            assert answer.status_code == 401, (path, answer.text)
