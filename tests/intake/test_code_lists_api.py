"""GET /api/v1/code-lists over HTTP: authentication, language negotiation, problems."""

from __future__ import annotations

import httpx

from shared.errors import problem_type
from shared.testing.tokens import TestIssuer


async def test_needs_a_token(intake: httpx.AsyncClient) -> None:
    answer = await intake.get("/api/v1/code-lists/countries")
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"


async def test_language_from_query_then_accept_language(
    intake: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    headers = issuer.headers()
    italian = await intake.get("/api/v1/code-lists/countries?lang=it", headers=headers)
    labels = {item["code"]: item["label"] for item in italian.json()["items"]}
    assert labels["IT"] == "Italia"
    assert italian.json()["language"] == "it"
    greek = await intake.get(
        "/api/v1/code-lists/countries", headers={**headers, "Accept-Language": "de;q=1, el;q=0.8"}
    )
    assert greek.json()["language"] == "el"
    assert greek.headers["content-language"] == "el"
    fallback = await intake.get(
        "/api/v1/code-lists/countries", headers={**headers, "Accept-Language": "de"}
    )
    assert fallback.json()["language"] == "en"


async def test_all_labels_and_index(intake: httpx.AsyncClient, issuer: TestIssuer) -> None:
    headers = issuer.headers()
    levels = await intake.get("/api/v1/code-lists/cefr-levels?all_labels=true", headers=headers)
    assert set(levels.json()["items"][0]["labels"]) == {"en", "it", "es", "fr", "el"}
    # Intake's part of the index, which the gateway composes with the other services' parts.
    internal = {"Authorization": "Bearer test-internal-token"}
    index = (await intake.get("/internal/code-lists", headers=internal)).json()
    names = {item["name"] for item in index["items"]}
    assert {"countries", "permit-types", "ilo-forced-labour-indicators", "isced-levels"} <= names
    assert {item["service"] for item in index["items"]} == {"intake"}
    assert (await intake.get("/internal/code-lists", headers=headers)).status_code == 401
    assert (await intake.get("/api/v1/code-lists", headers=headers)).status_code == 404


async def test_unknown_list_and_language_are_problems(
    intake: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    headers = issuer.headers()
    missing = await intake.get("/api/v1/code-lists/planets", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["type"] == problem_type("not-found")
    bad_language = await intake.get("/api/v1/code-lists/countries?lang=de", headers=headers)
    assert bad_language.status_code == 422
    assert bad_language.json()["errors"][0]["field"] == "query.lang"


async def test_errors_of_every_kind_are_problem_json(
    intake: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    headers = issuer.headers()
    not_found = await intake.get("/api/v1/nothing-here", headers=headers)
    not_allowed = await intake.delete("/api/v1/code-lists/countries", headers=headers)
    for answer, status in ((not_found, 404), (not_allowed, 405)):
        assert answer.status_code == status
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["status"] == status
        assert answer.json()["request_id"] == answer.headers["x-request-id"]
    assert (await intake.get("/healthz")).json() == {"status": "alive"}
    assert (await intake.get("/readyz")).json()["database"] is True
    assert "ponte_http_requests_total" in (await intake.get("/metrics")).text
