"""NUL and Unicode bidirectional controls are refused (422) wherever text enters: the JSON or
form body (raw or escaped, whole or split between chunks), the query string, the path."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from shared.errors import InputRefused, install_handlers, problem_type
from shared.metrics import HttpMetrics
from shared.middleware import RequestContextMiddleware
from shared.text_guard import CODE, body_guard, check_target

FORBIDDEN = [
    "\x00",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
]
ALLOWED = ["Amina", "أمينة", "\u200fأمينة\u200e", "Zoë", "\\u0000 as text", "a\tb"]


def _feed(content_type: bytes | None, *chunks: bytes) -> None:
    guard = body_guard(content_type)
    assert guard is not None
    for chunk in chunks:
        guard.feed(chunk)


@pytest.mark.parametrize("character", FORBIDDEN)
@pytest.mark.parametrize("ensure_ascii", [True, False])  # escaped (\u202e) or raw UTF-8
def test_forbidden_characters_in_json_are_refused(character: str, ensure_ascii: bool) -> None:
    body = json.dumps({"given_name": f"Ami{character}na"}, ensure_ascii=ensure_ascii).encode()
    with pytest.raises(InputRefused) as refused:
        _feed(b"application/json", body)
    assert refused.value.status_code == 422
    assert refused.value.errors is not None
    assert refused.value.errors[0].code == CODE
    for cut in range(1, len(body)):  # split anywhere between two chunks: still found
        with pytest.raises(InputRefused):
            _feed(b"application/json; charset=utf-8", body[:cut], body[cut:])


@pytest.mark.parametrize("text", ALLOWED)
def test_ordinary_text_passes(text: str) -> None:
    for ensure_ascii in (True, False):
        body = json.dumps({"notes": text, "n": 1}, ensure_ascii=ensure_ascii).encode()
        _feed(b"application/json", body)
        for cut in range(1, len(body)):
            _feed(b"application/json", body[:cut], body[cut:])


def test_escaped_backslashes_are_counted() -> None:
    _feed(b"application/json", b'{"a": "\\\\u0000"}')  # the text \u0000, not a NUL
    with pytest.raises(InputRefused):
        _feed(b"application/json", b'{"a": "\\\\\\u0000"}')  # a backslash, then a NUL
    _feed(b"application/json", b'{"a": "\\\\u202E"}')
    with pytest.raises(InputRefused):
        _feed(b"application/json", b'{"a": "\\u202E"}')  # either case of hex digits


@pytest.mark.parametrize("form", [b"username=a%00b", b"username=a%E2%80%AEb", b"x=%e2%81%a6"])
def test_forms_are_checked_percent_decoded(form: bytes) -> None:
    with pytest.raises(InputRefused):
        _feed(b"application/x-www-form-urlencoded", form)
    _feed(b"application/x-www-form-urlencoded", b"username=a%2500b&password=%E2%80%8F")


def test_other_bodies_are_not_read_as_text() -> None:
    assert body_guard(b"application/octet-stream") is None
    assert body_guard(None) is None  # FastAPI's strict content type: never parsed as JSON


@pytest.mark.parametrize(
    ("path", "query", "refused"),
    [
        ("/api/v1/beneficiaries", b"q=a%00", True),
        ("/api/v1/beneficiaries", b"q=%E2%80%AE", True),
        ("/api/v1/beneficiaries", b"q=Zo%C3%AB&limit=5", False),
        ("/api/v1/code-lists/a\x00b", b"", True),
        ("/api/v1/code-lists/a\u202eb", b"", True),
        ("/api/v1/code-lists/countries", b"", False),
    ],
)
def test_the_target_is_checked(path: str, query: bytes, refused: bool) -> None:
    if refused:
        with pytest.raises(InputRefused):
            check_target(path, query)
    else:
        check_target(path, query)


class Person(BaseModel):
    given_name: str


def _app() -> RequestContextMiddleware:
    app = FastAPI()
    install_handlers(app)

    @app.post("/people")
    async def create(person: Person) -> dict[str, str]:
        return {"given_name": person.given_name}

    @app.get("/people")
    async def search(q: str = "") -> dict[str, str]:
        return {"q": q}

    return RequestContextMiddleware(app, metrics=HttpMetrics("test"), max_body_bytes=1 << 20)


@pytest.fixture
def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=_app(), raise_app_exceptions=False),
        base_url="http://test",
    )


async def test_the_middleware_answers_a_validation_problem(client: httpx.AsyncClient) -> None:
    answer = await client.post("/people", json={"given_name": "Ami\u202ena"})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == problem_type("validation")
    assert problem["errors"] == [{"field": "body", "message": problem["detail"], "code": CODE}]
    assert "\u202e" not in answer.text

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"given_name": "Ami\\u00'
        yield b'00na"}'

    streamed = await client.post("/people", content=chunks())
    assert streamed.status_code == 422
    query = await client.get("/people", params={"q": "a\x00"})
    assert query.status_code == 422
    assert query.json()["errors"][0]["field"] == "query"
    fine = await client.post("/people", json={"given_name": "\u200fأمينة"})
    assert fine.json() == {"given_name": "\u200fأمينة"}
