"""No personal data in the logs: a whole working day's scenario sends personal values through the
gateway (registration, a rejected registration, search, correction, consent, invitation and the
person's app, pathway notes, a referral note, staff accounts, failed sign-ins, erasure), then every
log line of every service is searched for every value sent and every secret handed out.

The values are made up for this run, so a hit can only come from this scenario, whatever the other
end-to-end tests in the same stack wrote."""

from __future__ import annotations

import secrets
import string
import uuid
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest

from tests.e2e.beneficiary_world import ok
from tests.e2e.conftest import Stack
from tests.e2e.helpers import bearer, eventually, organisation, token
from tools.processes import SERVICES

pytestmark = pytest.mark.e2e


def _word(prefix: str) -> str:
    """A made-up name that no other test, route or library message contains."""
    return prefix + "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))


def _digits(count: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(count))


class Sent:
    """Every personal value and secret the scenario sends or receives."""

    def __init__(self) -> None:
        self.values: list[str] = []

    def __call__(self, value: str) -> str:
        self.values.append(value)
        return value


def _scenario(client: httpx.Client, sent: Sent) -> None:
    org = organisation(client, "Hygiene")
    employer = organisation(client, "Hygiene employer", kind="employer")

    # Staff: a named account, its password, a failed sign-in with it and an unknown address.
    staff_email = sent(f"{_word('staff')}@hygiene.example")
    staff_password = sent(f"pw-{secrets.token_urlsafe(12)}")
    ok(
        client.post(
            "/api/v1/users",
            json={
                "email": staff_email,
                "full_name": f"{sent(_word('Staffgiven'))} {sent(_word('Stafffamily'))}",
                "password": staff_password,
                "roles": ["operator"],
            },
            headers=org.admin,
        )
    )
    again = client.post(
        "/api/v1/users",
        json={
            "email": staff_email,
            "full_name": "Someone Else",
            "password": staff_password,
            "roles": ["operator"],
        },
        headers=org.admin,
    )
    assert again.status_code == 409, again.text
    for username in (staff_email, sent(f"{_word('nobody')}@hygiene.example")):
        refused = client.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": username, "password": "wrong-password-1"},
        )
        assert refused.status_code in (400, 401), refused.text
    # The first sign-in replaces the admin's password with the operator's own: neither is logged.
    own_password = sent(f"pw-{secrets.token_urlsafe(12)}")
    first = {"grant_type": "password", "username": staff_email, "password": staff_password}
    ok(client.post("/api/v1/auth/token", data={**first, "new_password": own_password}))
    operator = bearer(sent(token(client, staff_email, own_password)))
    partner = ok(client.post("/api/v1/clients", json={"name": "Hygiene sync"}, headers=org.admin))
    sent(partner["client_secret"])

    # The person, a registration refused for a bad date, searches and a correction.
    given, family, new_family = sent(_word("Given")), sent(_word("Family")), sent(_word("Later"))
    person_body: dict[str, Any] = {
        "given_name": given,
        "family_name": family,
        "birth_date": "1983-07-19",
        "sex": "female",
        "nationality": "NG",
        "municipality": "Latina",
        "external_id": sent(f"ext-{_digits(9)}"),
        "contact": {
            "phone": sent(f"+39 347 {_digits(7)}"),
            "email": sent(f"{_word('person')}@mail.example"),
            "address": sent(f"Via {_word('Street')} 12"),
        },
        "education_field": sent(_word("Field")),
        "skills": [{"label": sent(_word("skill"))}],
        "languages": [{"code": "it", "level": "A2"}],
    }
    sent("1983-07-19")
    refused = client.post(
        "/api/v1/beneficiaries", json={**person_body, "birth_date": "19/07/1983"}, headers=operator
    )
    assert refused.status_code == 422
    person = ok(client.post("/api/v1/beneficiaries", json=person_body, headers=operator))
    url = f"/api/v1/beneficiaries/{person['id']}"
    for query in (given, family, person_body["contact"]["phone"]):
        found = ok(client.get("/api/v1/beneficiaries", params={"q": query}, headers=operator))
        assert [item["id"] for item in found["items"]] == [person["id"]] or query.startswith("+")
    read = client.get(url, headers=operator)
    assert read.status_code == 200
    assert client.patch(url, json={"family_name": new_family}, headers=operator).status_code == 428
    ok(
        client.patch(
            url,
            json={"family_name": new_family},
            headers={**operator, "If-Match": read.headers["etag"]},
        )
    )
    ok(client.get(f"{url}/duplicates", headers=operator))
    ok(
        client.post(
            f"{url}/consents",
            json={"purpose": "matching", "text_version": "v1", "collection_method": "paper_signed"},
            headers=operator,
        )
    )

    # The person's app: the invitation code, their chosen password, their tokens.
    invitation = ok(client.post(f"{url}/invitations", headers=operator))
    code = sent(invitation["code"])
    app_password = sent(f"app-{secrets.token_urlsafe(12)}")
    tokens = ok(client.post("/api/v1/auth/activate", json={"code": code, "password": app_password}))
    sent(tokens["access_token"])
    sent(tokens["refresh_token"])
    assert ok(client.get("/api/v1/me/profile", headers=bearer(tokens["access_token"])))["id"]

    # Casework notes and a referral note.
    def opened() -> Any:
        answer = client.post(
            "/api/v1/pathways", json={"beneficiary_id": person["id"]}, headers=operator
        )
        return answer.status_code == 201 and answer.json()

    pathway = eventually(opened)
    ok(
        client.post(
            f"/api/v1/pathways/{pathway['id']}/assessments",
            json={
                "territorial_context": {
                    "municipality": "Latina",
                    "notes": f"Lives with {sent(_word('Cousin'))} near the station",
                },
                "labour_market_position": "informal",
                "needs": [{"domain": "employment", "severity": "high"}],
            },
            headers=operator,
        )
    )
    offer = ok(
        client.post(
            "/api/v1/offers",
            json={"type": "training", "title": "Forklift course", "seats": 3, "status": "open"},
            headers=employer.admin,
        )
    )

    def referred() -> Any:
        answer = client.post(
            "/api/v1/referrals",
            json={
                "beneficiary_id": person["id"],
                "offer_id": offer["id"],
                "note": f"Drove forklifts for {sent(_word('Employer'))}",
            },
            headers=operator,
        )
        return answer.status_code == 201 and answer.json()

    eventually(referred)
    ok(client.get(f"{url}/access-log", headers=org.admin))
    assert client.delete(url, headers=org.admin).status_code == 204


def test_no_personal_value_or_secret_reaches_any_log(stack: Stack) -> None:
    sent = Sent()
    marker = f"hygiene-{uuid.uuid4().hex}"
    with stack.client() as client:
        client.headers["X-Request-ID"] = marker
        _scenario(client, sent)

    def logs() -> dict[str, str]:
        return {service: stack.log_text(service) for service in SERVICES}

    # The scenario's own request lines are there: the logs are written and searched, not empty.
    eventually(lambda: all(marker in text for text in logs().values()))
    # As sent, and as a URL would carry it (a logged query string).
    searched = {form for value in sent.values for form in (value, quote(value), quote_plus(value))}
    leaks = [
        f"{value!r} in {service}.log"
        for service, text in logs().items()
        for value in searched
        if value in text
    ]
    assert len(sent.values) > 20
    assert leaks == []
