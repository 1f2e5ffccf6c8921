"""End to end, real processes: what ends an access token before its expiry, and whose reading of
``Authorization`` counts.

A request with two ``Authorization`` headers is refused by the gateway and by every service (the
gateway checked the last, a service used the first: a person's token got past the rule that it
may only use ``/me/*``). A user deactivated, an API client revoked: their unexpired token gets 401
at the next request, at the gateway's routes and at the proxied ones, and within the poll bound at
a second gateway process on the same database."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.beneficiary_world import ok
from tests.e2e.conftest import Stack
from tests.e2e.helpers import PASSWORD, bearer, new_user, organisation, token
from tools.processes import ServiceProcess, free_port

pytestmark = pytest.mark.e2e

POLL_SECONDS = 1.0
PROXIED = "/api/v1/beneficiaries"
OWN = "/api/v1/auth/me"


@pytest.fixture(scope="module")
def replica(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    """A second gateway process on the stack's database, keys and services."""
    process = ServiceProcess(
        "gateway",
        free_port(),
        {
            **stack.processes["gateway"].env,
            "PONTE_GATEWAY_WEBHOOK_DELIVER": "false",
            "PONTE_GATEWAY_REVOCATION_POLL_SECONDS": str(POLL_SECONDS),
        },
        log_path=tmp_path_factory.mktemp("replica-logs") / "gateway-replica.log",
    )
    process.start()
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


def refused(client: httpx.Client, headers: dict[str, str]) -> bool:
    """Whether the token is refused as invalid, at a gateway route and at a proxied one."""
    answers = [client.get(OWN, headers=headers), client.get(PROXIED, headers=headers)]
    if all(answer.status_code == 200 for answer in answers):
        return False
    for answer in answers:
        assert answer.status_code == 401, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    return True


def refused_within_the_poll_bound(replica: httpx.Client, headers: dict[str, str]) -> None:
    """The other gateway process refuses the token within two poll intervals (and a second of
    slack for a busy machine); it usually learns through NOTIFY within milliseconds."""
    started = time.monotonic()
    while not refused(replica, headers):
        assert time.monotonic() - started < 2 * POLL_SECONDS + 1, "the replica did not learn"
        time.sleep(0.05)


def deactivate(client: httpx.Client, admin: dict[str, str], user_id: str) -> None:
    current = client.get(f"/api/v1/users/{user_id}", headers=admin)
    ok(
        client.patch(
            f"/api/v1/users/{user_id}",
            json={"is_active": False},
            headers={**admin, "If-Match": current.headers["etag"]},
        )
    )


def test_two_authorization_headers_are_refused_by_the_gateway_and_every_service(
    stack: Stack,
) -> None:
    with stack.client() as client:
        ngo = organisation(client, "Two headers")
        person = ok(
            client.post(
                "/api/v1/beneficiaries",
                json={"given_name": "Ines", "family_name": "Okafor", "birth_date": "1990-01-30"},
                headers=ngo.operator,
            )
        )
        invitation = ok(
            client.post(f"/api/v1/beneficiaries/{person['id']}/invitations", headers=ngo.operator)
        )
        app = ok(client.post("/api/v1/auth/activate", json={"code": invitation["code"]}))
        own = bearer(app["access_token"])
        # The person's token first (what a service reads), a non-bearer value last (what the
        # gateway's proxy checked, and let through): an operator route.
        twice = [("Authorization", own["Authorization"]), ("Authorization", "Basic eDp5")]
        for path in (f"/api/v1/beneficiaries/{person['id']}", PROXIED, OWN):
            answer = client.get(path, headers=twice)
            assert answer.status_code == 400, (path, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
        assert client.get(PROXIED, headers=own).status_code == 404  # alone: the /me rule holds
        routes = {"intake": PROXIED, "pathways": "/api/v1/pathways", "matching": "/api/v1/offers"}
        for service, path in routes.items():
            direct = httpx.get(f"{stack.processes[service].url}{path}", headers=twice)
            assert direct.status_code == 400, (service, direct.text)


def test_a_deactivated_users_token_is_refused_at_once_and_by_a_replica(
    stack: Stack, replica: ServiceProcess
) -> None:
    with stack.client() as client, httpx.Client(base_url=replica.url, timeout=30) as other:
        ngo = organisation(client, "Deactivation")
        user_id, email = new_user(client, ngo.admin, ngo.id, "operator", "Deactivation")
        headers = bearer(token(client, email, PASSWORD))
        assert not refused(client, headers)
        assert not refused(other, headers)

        deactivate(client, ngo.admin, user_id)
        assert refused(client, headers)  # the next request
        refused_within_the_poll_bound(other, headers)


def test_a_revoked_clients_token_is_refused_at_once_and_by_a_replica(
    stack: Stack, replica: ServiceProcess
) -> None:
    with stack.client() as client, httpx.Client(base_url=replica.url, timeout=30) as other:
        ngo = organisation(client, "Client revocation")
        created = ok(client.post("/api/v1/clients", json={"name": "Partner"}, headers=ngo.admin))
        grant = ok(
            client.post(
                "/api/v1/auth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": created["client_id"],
                    "client_secret": created["client_secret"],
                },
            )
        )
        headers = bearer(grant["access_token"])
        assert not refused(client, headers)
        assert not refused(other, headers)

        assert (
            client.delete(f"/api/v1/clients/{created['id']}", headers=ngo.admin).status_code == 204
        )
        assert refused(client, headers)
        refused_within_the_poll_bound(other, headers)
