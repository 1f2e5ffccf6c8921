"""Bad input is a 4xx problem and changes nothing: tampered cursors, unknown query parameters,
NUL and bidirectional controls in text, a PATCH with a weak tag, a method a path does not take."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests.intake.conftest import Org, person, register


def _forged(values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


WHEN = {"t": "2026-01-02T03:04:05+00:00"}
WHO = {"u": "6f1c2a8e-3a57-4a4e-9a0b-2f7c1d9e5b11"}
TAMPERED = [
    _forged([WHO, WHEN]),
    _forged([5, WHO]),
    _forged([WHEN, "not-a-uuid"]),
    _forged([{"t": "2026-01-02T03:04:05"}, WHO]),
    _forged([WHEN, {"u": 5}]),
    _forged(["a\x00b", WHO]),
    _forged([2**70, WHO]),
    _forged([WHEN]),
]


@pytest.mark.parametrize("cursor", TAMPERED)
@pytest.mark.parametrize("sync", [False, True])
async def test_a_tampered_cursor_is_422(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], cursor: str, sync: bool
) -> None:
    a, _, _ = orgs
    params = {"cursor": cursor, **({"updated_since": "2020-01-01T00:00:00Z"} if sync else {})}
    answer = await intake.get("/api/v1/beneficiaries", params=params, headers=a.operator)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "query.cursor"


async def test_an_unknown_query_parameter_is_422_not_an_unfiltered_list(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    await register(intake, a)
    answer = await intake.get(
        "/api/v1/beneficiaries", params={"external_ref": "x"}, headers=a.operator
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {
            "field": "query.external_ref",
            "message": "unknown query parameter",
            "code": "extra_forbidden",
        }
    ]
    listed = await intake.get("/api/v1/beneficiaries", params={"limit": 5}, headers=a.operator)
    assert listed.status_code == 200


@pytest.mark.parametrize(
    "name", ["Ami\x00na", "Ami\u202ena", "\u2067Amina\u2069", "\u202dOsei", "Amina\u202a"]
)
async def test_nul_and_bidi_controls_in_a_name_are_422_and_nothing_is_stored(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], name: str
) -> None:
    a, _, _ = orgs
    before = await intake.get("/api/v1/beneficiaries", headers=a.operator)
    for ensure_ascii in (True, False):
        body = json.dumps(person(given_name=name), ensure_ascii=ensure_ascii).encode()
        answer = await intake.post(
            "/api/v1/beneficiaries",
            content=body,
            headers={**a.operator, "Content-Type": "application/json"},
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["code"] == "forbidden_character"
    search = await intake.get("/api/v1/beneficiaries", params={"q": name}, headers=a.operator)
    assert search.status_code == 422
    after = await intake.get("/api/v1/beneficiaries", headers=a.operator)
    assert after.json()["items"] == before.json()["items"]


async def test_right_to_left_names_with_marks_are_kept(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    created = await register(intake, a, given_name="\u200fأمينة")
    assert created["given_name"] == "\u200fأمينة"


async def test_a_weak_tag_never_matches_if_match(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    created = await register(intake, a)
    read = await intake.get(f"/api/v1/beneficiaries/{created['id']}", headers=a.operator)
    tag = read.headers["etag"]
    weak = await intake.patch(
        f"/api/v1/beneficiaries/{created['id']}",
        json={"municipality": "Fiumicino"},
        headers={**a.operator, "If-Match": f"W/{tag}"},
    )
    assert weak.status_code == 412
    strong = await intake.patch(
        f"/api/v1/beneficiaries/{created['id']}",
        json={"municipality": "Fiumicino"},
        headers={**a.operator, "If-Match": tag},
    )
    assert strong.status_code == 200, strong.text


async def test_answers_are_not_stored_and_not_sniffed(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    created = await register(intake, a)
    for answer in (
        await intake.get(f"/api/v1/beneficiaries/{created['id']}", headers=a.operator),
        await intake.get("/api/v1/beneficiaries", headers=a.operator),
        await intake.get("/api/v1/beneficiaries/not-a-uuid", headers=a.operator),
    ):
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"
