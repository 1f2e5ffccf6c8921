"""End to end through the gateway: one index names every code list of every service, and each
list is read at the same path whichever service owns it, labelled in the caller's language, by
every signed-in role (a person in the app too); the refusals are problems with English details."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack
from tests.e2e.helpers import bearer, organisation, signed_in_user
from tests.e2e.helpers import token as password_token

pytestmark = pytest.mark.e2e

INDEX = "/api/v1/code-lists"
PROBLEM = "application/problem+json"
Headers = dict[str, str]


def _ok(answer: httpx.Response) -> Any:
    assert answer.status_code in (200, 201), (answer.request.url, answer.text)
    return answer.json()


def _labels(body: dict[str, Any]) -> dict[str, str]:
    return {item["code"]: item["label"] for item in body["items"]}


def _callers(client: httpx.Client) -> dict[str, Headers]:
    """A caller of every role: the bootstrap platform admin, an NGO's admin, operator, partner
    system, cluster coordinator, an employer's provider, and a person signed in to the app."""
    root = bearer(password_token(client, ADMIN_EMAIL, ADMIN_PASSWORD))
    ngo = organisation(client, "Labels NGO")
    employer = organisation(client, "Labels employer", "employer")
    created = _ok(client.post("/api/v1/clients", json={"name": "labels"}, headers=ngo.admin))
    form = {
        "grant_type": "client_credentials",
        "client_id": created["client_id"],
        "client_secret": created["client_secret"],
    }
    person = {
        "given_name": "Kofi",
        "family_name": f"Labels{uuid.uuid4().hex[:6]}",
        "birth_date": "1994-05-02",
        "sex": "male",
        "nationality": "GH",
    }
    kofi = _ok(client.post("/api/v1/beneficiaries", json=person, headers=ngo.operator))["id"]
    invitation = client.post(f"/api/v1/beneficiaries/{kofi}/invitations", headers=ngo.operator)
    activation = {"code": _ok(invitation)["code"], "password": "kofi-picks-a-long-phrase"}
    app = _ok(client.post("/api/v1/auth/activate", json=activation))
    return {
        "platform_admin": root,
        "org_admin": ngo.admin,
        "operator": ngo.operator,
        "partner_system": bearer(_ok(client.post("/api/v1/auth/token", data=form))["access_token"]),
        "cluster_coordinator": bearer(
            signed_in_user(client, ngo.admin, ngo.id, "cluster_coordinator", "labels")[2]
        ),
        "provider": bearer(
            signed_in_user(client, employer.admin, employer.id, "provider", "labels")[2]
        ),
        "beneficiary": bearer(app["access_token"]),
    }


def test_one_index_names_the_lists_of_every_service_and_each_is_read_alike(stack: Stack) -> None:
    with stack.client() as client:
        operator = organisation(client, "Labels").operator
        index = client.get(INDEX, headers=operator)
        assert index.status_code == 200, index.text
        assert index.headers["etag"]
        items = index.json()["items"]
        owner = {item["name"]: item["service"] for item in items}
        assert len(owner) == len(items)  # no name twice
        assert {owner["countries"], owner["pathway-stages"], owner["offer-types"]} == {
            "intake",
            "pathways",
            "matching",
        }
        for name in ("rights-check-items", "employment-statuses", "action-types"):
            assert owner[name] == "pathways"
        for name in ("referral-statuses", "cluster-member-roles", "service-point-kinds"):
            assert owner[name] == "matching"

        # Every list of the index, at the one path, in Greek: as many entries as it says.
        def read(item: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
            url = f"{INDEX}/{item['name']}"
            return item, _ok(client.get(url, params={"lang": "el"}, headers=operator))

        with ThreadPoolExecutor(max_workers=6) as pool:
            for item, body in pool.map(read, items):
                assert (body["name"], body["language"]) == (item["name"], "el")
                assert len(body["items"]) == item["count"]
                assert all(entry["label"] for entry in body["items"])


def test_labels_follow_the_callers_language(stack: Stack) -> None:
    with stack.client() as client:
        operator = organisation(client, "Labels").operator
        italian = client.get(
            f"{INDEX}/pathway-stages", headers={**operator, "Accept-Language": "it-IT, en;q=0.5"}
        )
        assert italian.headers["content-language"] == "it"
        assert "accept-language" in italian.headers["vary"].lower()
        assert _labels(_ok(italian))["assess"] == "Valutazione"

        spanish = _ok(client.get(f"{INDEX}/pathway-stages?lang=es", headers=operator))
        assert _labels(spanish)["assess"] == "Evaluación"
        french = _ok(client.get(f"{INDEX}/referral-statuses?lang=fr", headers=operator))
        assert _labels(french)["rejected"] == "Refusée"
        greek = _ok(client.get(f"{INDEX}/cluster-member-roles?lang=el", headers=operator))
        assert _labels(greek)["trade_union"] == "Συνδικάτο"

        # A checklist item: its name and its question, in Italian, and who acts on a "no".
        checklist = _ok(client.get(f"{INDEX}/rights-check-items?lang=it", headers=operator))
        wages = next(i for i in checklist["items"] if i["code"] == "withholding_of_wages")
        assert wages["label"] == "Trattenimento della retribuzione"
        assert wages["description"].endswith("?")
        assert wages["escalation"] == ["trade_union", "labour_inspectorate"]
        assert wages["forced_labour"] is True

        # Every language at once, for a client that switches; the rank of each ladder rung.
        ladder = _ok(client.get(f"{INDEX}/employment-statuses?all_labels=true", headers=operator))
        formal = next(i for i in ladder["items"] if i["code"] == "formal_employment")
        assert set(formal["labels"]) == {"en", "it", "es", "fr", "el"}
        assert formal["rank"] == 7

        # Revalidation: the same list in the same language is not sent again.
        first = client.get(f"{INDEX}/offer-types?lang=fr", headers=operator)
        again = client.get(
            f"{INDEX}/offer-types?lang=fr",
            headers={**operator, "If-None-Match": first.headers["etag"]},
        )
        assert again.status_code == 304


def test_every_role_reads_the_index_and_the_lists_of_every_service(stack: Stack) -> None:
    with stack.client() as client:
        callers = _callers(client)
        for role, headers in callers.items():
            names = {item["name"] for item in _ok(client.get(INDEX, headers=headers))["items"]}
            assert {"countries", "action-types", "offer-statuses"} <= names, role
            for name in ("countries", "action-types", "offer-statuses"):
                body = _ok(client.get(f"{INDEX}/{name}?lang=it", headers=headers))
                assert body["language"] == "it", role
        # Without a token, nothing: the index and a list of each service alike.
        for path in (INDEX, f"{INDEX}/countries", f"{INDEX}/action-types", f"{INDEX}/pay-kinds"):
            answer = client.get(path)
            assert answer.status_code == 401, path
            assert answer.headers["content-type"] == PROBLEM


def test_refusals_are_problems_in_english(stack: Stack) -> None:
    with stack.client() as client:
        headers = {**organisation(client, "Labels").operator, "Accept-Language": "it"}
        missing = client.get(f"{INDEX}/planets", headers=headers)
        assert missing.status_code == 404
        assert missing.headers["content-type"] == PROBLEM
        assert missing.json()["detail"].startswith("There is no code list with this name")
        for name in ("pathway-stages", "offer-types"):
            bad = client.get(f"{INDEX}/{name}", params={"lang": "de"}, headers=headers)
            assert bad.status_code == 422, name
            assert bad.headers["content-type"] == PROBLEM
            assert bad.json()["errors"][0]["field"] == "query.lang"
        unknown = client.get(f"{INDEX}/action-types", params={"colour": "red"}, headers=headers)
        assert unknown.status_code == 422
        refused = client.post(f"{INDEX}/action-types", json={}, headers=headers)
        assert refused.status_code == 405
