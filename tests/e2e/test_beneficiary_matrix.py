"""Every operation of the served OpenAPI, called with a beneficiary's token on other people's ids.

Operations without a row are ``DENY``: operator routes, which the gateway closes to a person's
token (404) whatever the service would answer. ``DENY`` operations
must answer 403, 404 or 405 in every situation (another person of the same organisation, a person
of another organisation, random ids, and the person's own ids: the operator views of their own
record are not theirs either); ``SELF`` operations take the person's own data only (another
person's ids answer 404, and no answer names anyone else); ``REFERENCE`` is harmless reference
data any signed-in caller reads (code lists, the ESCO taxonomy, the territories, the webhook
event catalogue);
``PUBLIC`` needs no token (sign-in, activation, keys, status, the problem types). Bodies are the
document's own examples with their ids replaced by the situation's, so the access check, not
validation, answers.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.beneficiary_world import Person, World, build_world
from tests.e2e.conftest import Stack
from tests.e2e.openapi_walk import example_body, operations

pytestmark = pytest.mark.e2e

DENY, SELF, REFERENCE, PUBLIC = "deny", "self", "reference", "public"
EXPECTED: dict[tuple[str, str], str] = {
    ("GET", "/.well-known/jwks.json"): PUBLIC,
    ("GET", "/.well-known/oauth-authorization-server"): PUBLIC,
    ("GET", "/.well-known/openid-configuration"): PUBLIC,
    ("GET", "/problems"): PUBLIC,
    ("GET", "/problems/{slug}"): PUBLIC,
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("POST", "/api/v1/auth/activate"): PUBLIC,
    ("GET", "/api/v1/status"): PUBLIC,
    ("GET", "/api/v1/auth/me"): SELF,
    ("GET", "/api/v1/me/profile"): SELF,
    ("GET", "/api/v1/me/consents"): SELF,
    ("POST", "/api/v1/me/consents"): SELF,
    ("DELETE", "/api/v1/me/consents/{consent_id}"): SELF,
    ("GET", "/api/v1/me/emergency-accesses"): SELF,
    ("GET", "/api/v1/me/pathways"): SELF,
    ("POST", "/api/v1/me/pathways/{pathway_id}/feedback"): SELF,
    ("GET", "/api/v1/me/appointments"): SELF,
    ("GET", "/api/v1/me/referrals"): SELF,
    ("POST", "/api/v1/me/referrals/{referral_id}/accept"): SELF,
    ("POST", "/api/v1/me/referrals/{referral_id}/decline"): SELF,
    ("GET", "/api/v1/users/{user_id}"): SELF,  # their own account only
    ("GET", "/api/v1/users"): SELF,  # the list of the accounts they may see: their own
    # The directory of organisations: the app needs it to choose whom to share with.
    ("GET", "/api/v1/organizations"): REFERENCE,
    ("GET", "/api/v1/organizations/{organization_id}"): REFERENCE,
    ("GET", "/api/v1/code-lists"): REFERENCE,
    ("GET", "/api/v1/code-lists/{name}"): REFERENCE,
    ("GET", "/api/v1/taxonomy/skills"): REFERENCE,
    ("GET", "/api/v1/taxonomy/occupations"): REFERENCE,
    ("GET", "/api/v1/taxonomy/resolve"): REFERENCE,
    ("GET", "/api/v1/territories"): REFERENCE,
    ("GET", "/api/v1/territories/{code}"): REFERENCE,
    ("GET", "/api/v1/webhooks/event-types"): REFERENCE,
}
ALLOWED_DENIALS = {403, 404, 405}


def with_ids(value: Any, ids: dict[str, str]) -> Any:
    """The example with every id field naming the situation's object."""
    if isinstance(value, dict):
        return {
            key: ids[key] if key in ids and isinstance(item, str) else with_ids(item, ids)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [with_ids(item, ids) for item in value]
    return value


def situations(w: World, own_user: str) -> dict[str, dict[str, str]]:
    def of(person: Person, user: str, organization: str) -> dict[str, str]:
        return person.ids(w.offers[0], organization, user)

    def random_ids() -> dict[str, str]:
        return {key: str(uuid.uuid4()) for key in of(w.kwame, own_user, w.ngo.id)}

    return {
        "same organisation": of(w.amina, str(uuid.uuid4()), w.employer.id),
        "other organisation": of(w.lena, str(uuid.uuid4()), w.other_ngo.id),
        "random ids": random_ids(),
        "own ids": of(w.kwame, own_user, w.ngo.id),
    }


def url_of(path: str, ids: dict[str, str]) -> str:
    """The path with the world's ids; any other id a random one (a route added later needs no
    entry here: an id the person's token does not own is what the test is about)."""
    ids = {"name": "countries", "code": "IT_058091", **ids}
    for name in re.findall(r"{(\w+)}", path):
        ids.setdefault(name, str(uuid.uuid4()))
    return path.format(**ids)


@pytest.fixture(scope="module")
def world(stack: Stack) -> Iterator[tuple[httpx.Client, World]]:
    with stack.client() as client:
        yield client, build_world(client)


def test_a_beneficiary_token_reaches_nothing_but_its_own(
    world: tuple[httpx.Client, World],
) -> None:
    client, w = world
    document = client.get("/openapi.json").json()
    found = {(method, path) for method, path, _ in operations(document)}
    unlisted = sorted(
        (method, path)
        for method, path in found
        if (method, path) not in EXPECTED and not path.startswith("/api/v1/")
    )
    assert not unlisted, f"operations outside /api/v1 without a row: {unlisted}"
    stale = sorted(set(EXPECTED) - found)
    assert not stale, f"rows for operations that no longer exist: {stale}"

    me = client.get("/api/v1/auth/me", headers=w.me).json()
    own_user = me["subject"]
    strangers = {w.amina.id, w.lena.id, "Amina", "Lena", "Diallo", "Haddad"}
    strangers |= {w.amina.pathway_id, w.lena.pathway_id, w.amina.consent_id, w.lena.consent_id}
    strangers |= set(w.amina.referral_ids) | set(w.lena.referral_ids)
    failures: list[str] = []
    calls = 0
    for method, path, operation in sorted(operations(document), key=lambda op: op[:2]):
        kind = EXPECTED.get((method, path), DENY)
        if kind == PUBLIC:
            continue
        for situation, ids in situations(w, own_user).items():
            body = with_ids(copy.deepcopy(example_body(document, operation)), ids)
            headers = {**w.me, "If-Match": '"1"', "Idempotency-Key": uuid.uuid4().hex}
            answer = client.request(method, url_of(path, ids), json=body, headers=headers)
            calls += 1
            where = f"{method} {path} [{situation}] -> {answer.status_code}"
            if answer.status_code >= 500:
                failures.append(f"{where}: {answer.text[:200]}")
            elif kind == DENY and answer.status_code not in ALLOWED_DENIALS:
                failures.append(f"{where}: {answer.text[:200]}")
            elif kind == SELF and situation != "own ids" and "{" in path:
                if answer.status_code != 404 and answer.status_code != 403:
                    failures.append(f"{where} (another's ids must be 404): {answer.text[:200]}")
            elif kind in (SELF, REFERENCE) and answer.is_success:
                leaked = [s for s in strangers if s in answer.text]
                if leaked:
                    failures.append(f"{where} names someone else: {leaked}")
    assert calls > 200
    assert not failures, "\n".join(failures)
