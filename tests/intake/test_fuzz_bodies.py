"""No input makes intake answer 500: random POST and PATCH bodies (hypothesis), from plausible
to hostile, get 201/200 or a clean problem+json 4xx."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.intake.conftest import Org, person

FIELDS = sorted(person())
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
plausible = {
    "birth_date": st.dates().map(str),
    "arrival_date": st.dates().map(str),
    "nationality": st.sampled_from(["IT", "EG", "XX", "", "eg", "EGY"]),
    "languages": st.lists(
        st.fixed_dictionaries(
            {
                "code": st.sampled_from(["it", "ar", "xx"]),
                "level": st.sampled_from(["A1", "C2", "Z1", None]),
            }
        ),
        max_size=3,
    ),
    "needs": st.lists(st.sampled_from(["housing", "language", "nope", ""]), max_size=4),
    "given_name": st.text(max_size=120),
}


def _body(base: dict[str, Any], changes: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    return {**base, **changes, **extra}


bodies = st.builds(
    _body,
    st.just(person()),
    st.fixed_dictionaries({}, optional={**dict.fromkeys(FIELDS, json_values), **plausible}),
    st.dictionaries(st.text(max_size=10), json_values, max_size=2),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
async def test_random_registrations_never_crash(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], body: dict[str, Any]
) -> None:
    answer = await intake.post("/api/v1/beneficiaries", json=body, headers=orgs[0].operator)
    assert answer.status_code in (201, 422), answer.text
    if answer.status_code == 422:
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["errors"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    changes=st.fixed_dictionaries({}, optional={**dict.fromkeys(FIELDS, json_values), **plausible})
)
async def test_random_patches_never_crash(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], changes: dict[str, Any]
) -> None:
    a = orgs[0]
    created = await intake.post("/api/v1/beneficiaries", json=person(), headers=a.operator)
    url = created.headers["location"]
    answer = await intake.patch(
        url, json=changes, headers={**a.operator, "If-Match": created.headers["etag"]}
    )
    assert answer.status_code in (200, 422), answer.text


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"[]",
        b"null",
        b'"text"',
        b'{"given_name": NaN}',
        b'{"birth_date": Infinity}',
        b'{"years": 1e999}',
        b'{"given_name": "\\ud800"}',
        b"\xff\xfe",
        b"{}" * 1000,
    ],
)
async def test_hostile_raw_bodies_are_problems(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], raw: bytes
) -> None:
    headers = {**orgs[0].operator, "Content-Type": "application/json"}
    answer = await intake.post("/api/v1/beneficiaries", content=raw, headers=headers)
    assert answer.status_code in (400, 422), answer.text
    assert answer.headers["content-type"] == "application/problem+json"
