"""A problem's `type` resolves on the running stack: an error of a service, passed on by the
gateway, names a URI on the gateway (the issuer) whose document gives its title and status."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import organisation

pytestmark = pytest.mark.e2e


def test_a_services_error_type_resolves_on_the_gateway(stack: Stack) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Problems NGO")
        missing = client.get(f"/api/v1/beneficiaries/{uuid.uuid4()}", headers=ngo.operator)
        refused = client.post("/api/v1/beneficiaries", json={"given": 1}, headers=ngo.operator)
        catalogue = client.get("/problems").json()
    for answer, slug in ((missing, "not-found"), (refused, "validation")):
        body = answer.json()
        assert body["type"] == f"{stack.gateway}/problems/{slug}", body
        described = httpx.get(body["type"], timeout=30)  # the URI itself, as a client follows it
        assert described.status_code == 200, described.text
        assert (described.json()["title"], described.json()["status"]) == (
            body["title"],
            body["status"],
        )
        assert described.json() in catalogue["items"]
