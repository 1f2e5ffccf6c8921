"""End to end, through the gateway to the services: bad input is a 4xx problem that changes
nothing. Tampered cursors on every list, NUL and bidirectional controls in text (whole or split
between the chunks of a streamed body), oversized chunked bodies, unknown query parameters, the
token endpoint's OAuth errors, a weak If-Match, the Allow of a 405, and the headers every answer
carries (nosniff; no-store unless public)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.beneficiary_world import World, build_world, ok
from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack
from tests.e2e.fuzz_bad_input import TAMPERED_CURSORS, forged
from tests.e2e.openapi_walk import METHODS, operations

pytestmark = pytest.mark.e2e

MAX_BODY_BYTES = 5 * 1024 * 1024  # PONTE_MAX_BODY_BYTES's default, which the stack keeps
PERSON = {
    "given_name": "Nadia",
    "family_name": "Haddad",
    "birth_date": "1994-07-02",
    "sex": "female",
    "nationality": "SY",
}


@pytest.fixture(scope="module")
def world(stack: Stack) -> Iterator[World]:
    with stack.client() as client:
        yield build_world(client)


@pytest.fixture(scope="module")
def document(stack: Stack) -> dict[str, Any]:
    with stack.client() as client:
        served: dict[str, Any] = client.get("/openapi.json").json()
    return served


NOTES = "/api/v1/notes"
# The fuzzing module's cursors, and numbers where a key holds no number (a list reads them).
TAMPERED = TAMPERED_CURSORS + [forged([5.5] * width) for width in (1, 2, 3)]


def _fill(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return path


def test_a_tampered_cursor_is_422_on_every_list(
    stack: Stack, world: World, document: dict[str, Any]
) -> None:
    ids = world.kwame.ids(world.offers[0], world.ngo.id, str(uuid.uuid4()))
    callers = [world.ngo.operator, world.ngo.admin, world.employer.admin, world.me]
    walked = []
    with stack.client() as client:
        root = client.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        )
        callers.append({"Authorization": f"Bearer {root.json()['access_token']}"})
        for method, template, operation in operations(document):
            names = {p.get("name") for p in operation.get("parameters", []) if "name" in p}
            if method != "GET" or "cursor" not in names or "{" in _fill(template, ids):
                continue
            path = _fill(template, ids)
            # A list that is a sync only (the notes' feed) is read with since=0.
            query = {"since": "0"} if template == NOTES else {}
            caller = next(
                (
                    headers
                    for headers in callers
                    if client.get(path, params=query, headers=headers).status_code == 200
                ),
                None,
            )
            assert caller is not None, f"no caller lists {template}"
            for cursor in TAMPERED:
                answer = client.get(path, params={**query, "cursor": cursor}, headers=caller)
                assert answer.status_code == 422, (template, cursor, answer.text)
                assert answer.headers["content-type"] == "application/problem+json"
                assert answer.json()["errors"][0]["field"] == "query.cursor"
            walked.append(template)
    assert len(walked) >= 6, walked


@pytest.mark.parametrize(
    "name", ["Na\x00dia", "Na\u202edia", "\u2067Nadia\u2069", "Nadia\u202a", "\u202dNadia"]
)
def test_nul_and_bidi_controls_are_422_through_the_gateway_and_store_nothing(
    stack: Stack, world: World, name: str
) -> None:
    headers = {**world.other_ngo.operator, "Content-Type": "application/json"}
    with stack.client() as client:
        before = ok(client.get("/api/v1/beneficiaries", headers=world.other_ngo.operator))
        for ensure_ascii in (True, False):
            body = json.dumps({**PERSON, "given_name": name}, ensure_ascii=ensure_ascii).encode()
            whole = client.post("/api/v1/beneficiaries", content=body, headers=headers)
            middle = len(body) // 2 + body[len(body) // 2 :].find(b"Na") + 1

            def halves(body: bytes = body, middle: int = middle) -> Iterator[bytes]:
                yield body[:middle]  # the gateway streams it: checked across the chunks
                yield body[middle:]

            streamed = client.post("/api/v1/beneficiaries", content=halves(), headers=headers)
            for answer in (whole, streamed):
                assert answer.status_code == 422, answer.text
                assert answer.headers["content-type"] == "application/problem+json"
                assert answer.json()["errors"][0]["code"] == "forbidden_character"
        # A gateway route (users) and a query reaching SQL refuse alike.
        user = client.post(
            "/api/v1/users",
            json={
                "email": f"x-{uuid.uuid4().hex[:6]}@e2e.example",
                "full_name": name,
                "password": "a-long-enough-password-1",
                "roles": ["operator"],
                "organization_id": world.other_ngo.id,
            },
            headers=world.other_ngo.admin,
        )
        assert user.status_code == 422, user.text
        search = client.get(
            "/api/v1/beneficiaries", params={"q": name}, headers=world.other_ngo.operator
        )
        assert search.status_code == 422
        after = ok(client.get("/api/v1/beneficiaries", headers=world.other_ngo.operator))
    assert after["items"] == before["items"]


@pytest.mark.parametrize("path", ["/api/v1/beneficiaries", "/api/v1/webhooks"])
def test_an_oversized_chunked_body_is_413(stack: Stack, world: World, path: str) -> None:
    """Proxied (intake) and the gateway's own route: no Content-Length, counted as it streams."""

    def chunks() -> Iterator[bytes]:
        piece = b" " * 65536
        for _ in range(MAX_BODY_BYTES // len(piece) + 2):
            yield piece

    with stack.client() as client:
        answer = client.post(
            path,
            content=chunks(),
            headers={**world.ngo.admin, "Content-Type": "application/json"},
        )
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 413


def test_unknown_query_parameters_are_422_naming_them(stack: Stack, world: World) -> None:
    with stack.client() as client:
        for path in ("/api/v1/beneficiaries", "/api/v1/users", "/api/v1/offers"):
            answer = client.get(path, params={"external_ref": "x"}, headers=world.ngo.admin)
            assert answer.status_code == 422, (path, answer.text)
            assert answer.json()["errors"][0]["field"] == "query.external_ref"
        assert (
            client.get(
                "/api/v1/beneficiaries", params={"limit": 1}, headers=world.ngo.operator
            ).status_code
            == 200
        )


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "implicit"}, "unsupported_grant_type"),
        ({"username": "someone@e2e.example", "password": "x"}, "invalid_request"),
        (
            {"grant_type": "password", "username": "nobody@e2e.example", "password": "wrong-pw-1"},
            "invalid_grant",
        ),
    ],
)
def test_token_errors_are_oauth_errors(stack: Stack, form: dict[str, str], error: str) -> None:
    with stack.client() as client:
        answer = client.post("/api/v1/auth/token", data=form)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.json()["error"] == error
    assert answer.json()["error_description"]


def test_a_wrong_basic_client_is_401_with_a_challenge(stack: Stack) -> None:
    with stack.client() as client:
        answer = client.post(
            "/api/v1/auth/token",
            data={"grant_type": "client_credentials"},
            auth=("pc_nobody", "wrong"),
        )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert answer.headers["www-authenticate"].startswith("Basic ")


def test_a_weak_tag_never_matches_if_match(stack: Stack, world: World) -> None:
    with stack.client() as client:
        path = f"/api/v1/beneficiaries/{world.kwame.id}"
        tag = client.get(path, headers=world.ngo.operator).headers["etag"]
        change = {"municipality": "Ostia"}
        weak = client.patch(
            path, json=change, headers={**world.ngo.operator, "If-Match": f"W/{tag}"}
        )
        assert weak.status_code == 412, weak.text
        strong = client.patch(path, json=change, headers={**world.ngo.operator, "If-Match": tag})
        assert strong.status_code == 200, strong.text


def test_a_405_lists_every_method_of_the_path(stack: Stack, document: dict[str, Any]) -> None:
    checked = 0
    with stack.client() as client:
        for template, item in document["paths"].items():
            methods = {method.upper() for method in METHODS if method in item}
            absent = next(m for m in ("PUT", "PATCH", "DELETE", "POST") if m not in methods)
            path = template
            while "{" in path:
                start, end = path.index("{"), path.index("}")
                path = path[:start] + str(uuid.uuid4()) + path[end + 1 :]
            answer = client.request(absent, path)
            assert answer.status_code == 405, (absent, template, answer.text)
            assert set(answer.headers["allow"].split(", ")) == methods, template
            assert answer.headers["content-type"] == "application/problem+json"
            checked += 1
    assert checked > 20


def test_answers_are_nosniff_and_personal_ones_not_stored(stack: Stack, world: World) -> None:
    with stack.client() as client:
        personal = [
            client.get(f"/api/v1/beneficiaries/{world.kwame.id}", headers=world.ngo.operator),
            client.get("/api/v1/beneficiaries", headers=world.ngo.operator),
            client.get("/api/v1/auth/me", headers=world.ngo.operator),
            client.get("/api/v1/users", headers=world.ngo.admin),
            client.get(f"/api/v1/pathways/{world.kwame.pathway_id}", headers=world.ngo.operator),
            client.get("/api/v1/beneficiaries/not-a-uuid", headers=world.ngo.operator),
            client.get("/api/v1/beneficiaries"),
        ]
        for answer in personal:
            assert answer.headers["cache-control"] == "no-store", answer.request.url
            assert answer.headers["x-content-type-options"] == "nosniff", answer.request.url
        public = client.get("/openapi.json")
        assert "no-store" not in public.headers.get("cache-control", "")
        assert public.headers["x-content-type-options"] == "nosniff"
        keys = client.get("/.well-known/jwks.json")
        assert keys.headers["cache-control"] == "public, max-age=60"
