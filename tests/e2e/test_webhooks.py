"""End to end: a webhook receiver on localhost gets signed events for a registration and a
referral and verifies them; stopped for a while, it then receives every event it missed, each
once per event id, none lost; an organisation without access receives nothing about the person.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jsonschema_rs
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import consent_to_matching, eventually, organisation
from tools.processes import free_port

pytestmark = pytest.mark.e2e


def signature_ok(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """A receiver's check, written from the Standard Webhooks convention alone."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    fresh = abs(time.time() - int(headers["webhook-timestamp"])) < 300
    return fresh and any(
        hmac.compare_digest(expected, candidate)
        for candidate in headers["webhook-signature"].split()
    )


@dataclass
class Receiver:
    """A partner's endpoint: one path per organisation, verifying each delivery with that
    organisation's secret, keeping each webhook-id once (and counting repeats)."""

    port: int = field(default_factory=free_port)
    secrets: dict[str, str] = field(default_factory=dict)  # path -> secret
    events: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # path -> id -> body
    repeats: int = 0
    forged: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {key.lower(): value for key, value in self.headers.items()}
                secret = receiver.secrets.get(self.path)
                with receiver.lock:
                    if secret is None or not signature_ok(secret, headers, body):
                        receiver.forged += 1
                        self.send_response(401)
                    else:
                        seen = receiver.events.setdefault(self.path, {})
                        if headers["webhook-id"] in seen:
                            receiver.repeats += 1  # at least once: already handled, say ok
                        else:
                            seen[headers["webhook-id"]] = json.loads(body)
                        self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def types(self, path: str) -> list[str]:
        with self.lock:
            return sorted(body["type"] for body in self.events.get(path, {}).values())


def run_with_receiver(stack: Stack, scenario: Callable[[httpx.Client, Receiver], None]) -> None:
    """``scenario`` with a client of the stack and a receiver listening, stopped afterwards."""
    receiver = Receiver()
    receiver.start()
    try:
        with stack.client() as client:
            scenario(client, receiver)
    finally:
        receiver.stop()


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201, 202), answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_receiver_gets_signed_events_misses_none_while_down_and_strangers_get_nothing(
    stack: Stack,
) -> None:
    run_with_receiver(stack, _scenario)


def _scenario(client: httpx.Client, receiver: Receiver) -> None:
    ngo = organisation(client, "Hooked NGO")
    provider = organisation(client, "Hooked training centre", kind="vet_provider")
    stranger = organisation(client, "Unrelated NGO")
    hooks = {}
    for path, org, types in (
        ("/ngo", ngo, None),
        ("/provider", provider, ["referral.status_changed"]),
        ("/stranger", stranger, None),
    ):
        catalogue = client.get("/api/v1/webhooks/event-types", headers=org.admin).json()["items"]
        # Every type but the catalogue's (the provider's offer, published to every cluster, is
        # announced to everyone: tests/e2e/test_catalogue_webhooks.py follows those).
        everything = [
            item["type"]
            for item in catalogue
            if not item["type"].startswith(("offer.", "service_point."))
        ]
        body = {"url": receiver.url(path), "event_types": types or everything}
        hooks[path] = _ok(client.post("/api/v1/webhooks", json=body, headers=org.admin))
        receiver.secrets[path] = hooks[path]["secret"]

    # A registration and a referral, delivered and verified.
    person = _ok(
        client.post(
            "/api/v1/beneficiaries",
            json={
                "given_name": "Amina",
                "family_name": "Diallo",
                "birth_date": "1996-05-20",
                "sex": "female",
                "nationality": "SN",
                "municipality": "Torino",
            },
            headers=ngo.operator,
        )
    )
    consent_to_matching(client, person["id"], ngo.operator)
    course = _ok(
        client.post(
            "/api/v1/offers",
            json={"type": "training", "title": "Forklift licence", "seats": 5, "status": "open"},
            headers=provider.admin,
        )
    )
    referral = eventually(
        lambda: (
            (
                a := client.post(
                    "/api/v1/referrals",
                    json={"beneficiary_id": person["id"], "offer_id": course["id"]},
                    headers=ngo.operator,
                )
            ).status_code
            == 201
            and a.json()
        )
    )
    eventually(lambda: "referral.status_changed" in receiver.types("/ngo"))
    eventually(lambda: receiver.types("/provider") == ["referral.status_changed"])
    ngo_events = receiver.events["/ngo"]
    registration = next(e for e in ngo_events.values() if e["type"] == "beneficiary.registered")
    assert registration["data"] == {
        "beneficiary_id": person["id"],
        "organization_id": ngo.id,
    }
    [to_provider] = receiver.events["/provider"].values()
    assert to_provider["data"]["referral_id"] == referral["id"]
    assert to_provider["data"]["status"] == "proposed"
    assert "Amina" not in json.dumps(receiver.events)

    # The receiver goes down; events happen meanwhile and their deliveries fail.
    receiver.stop()
    _ok(
        client.patch(
            f"/api/v1/referrals/{referral['id']}",
            json={"status": "accepted"},
            headers=provider.admin,
        )
    )
    read = client.get(f"/api/v1/beneficiaries/{person['id']}", headers=ngo.operator)
    _ok(
        client.patch(
            f"/api/v1/beneficiaries/{person['id']}",
            json={"municipality": "Moncalieri"},
            headers={**ngo.operator, "If-Match": read.headers["etag"]},
        )
    )
    log = f"/api/v1/webhooks/{hooks['/ngo']['id']}/deliveries"

    def failed_while_down() -> bool:
        pending = client.get(f"{log}?status=pending", headers=ngo.admin).json()["items"]
        types = {item["event_type"] for item in pending if item["attempts"] >= 2}
        return {"referral.status_changed", "beneficiary.updated"} <= types

    eventually(failed_while_down)
    pending = client.get(f"{log}?status=pending", headers=ngo.admin).json()["items"]
    errors = {item["last_error"] for item in pending if item["attempts"] >= 2}
    assert errors
    assert not any(error.startswith("HTTP") for error in errors)  # nobody answered: ConnectError

    # Back on the same port: everything missed arrives, each event once, none lost.
    receiver.start()

    def all_delivered() -> bool:
        items = client.get(log, headers=ngo.admin).json()["items"]
        return bool(items) and all(item["status"] == "delivered" for item in items)

    eventually(all_delivered)
    delivered = client.get(log, headers=ngo.admin).json()["items"]
    assert set(receiver.events["/ngo"]) == {item["event_id"] for item in delivered}
    assert receiver.types("/ngo") == [
        "beneficiary.registered",
        "beneficiary.updated",
        "consent.granted",
        "referral.status_changed",
        "referral.status_changed",
    ]
    statuses = sorted(
        body["data"]["status"]
        for body in receiver.events["/ngo"].values()
        if body["type"] == "referral.status_changed"
    )
    assert statuses == ["accepted", "proposed"]
    eventually(lambda: len(receiver.types("/provider")) == 2)
    assert receiver.forged == 0

    # The unrelated organisation's endpoint works, and heard nothing about the person.
    _ok(client.post(f"/api/v1/webhooks/{hooks['/stranger']['id']}/ping", headers=stranger.admin))
    eventually(lambda: receiver.types("/stranger") == ["webhook.ping"])
    _each_body_is_the_documented_one(client, receiver)


def _each_body_is_the_documented_one(
    client: httpx.Client,
    receiver: Receiver,
    expected: frozenset[str] = frozenset({"beneficiary.registered", "webhook.ping"}),
) -> None:
    """Every body received validates against the OpenAPI document's `webhooks` entry for its
    type (its headers are declared there too)."""
    webhooks = client.get("/openapi.json").json()["webhooks"]
    with receiver.lock:
        bodies = [body for events in receiver.events.values() for body in events.values()]
    assert {body["type"] for body in bodies} >= expected
    for body in bodies:
        operation = webhooks[body["type"]]["post"]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        errors = [
            error.message
            for error in jsonschema_rs.validator_for(schema, validate_formats=True).iter_errors(
                body
            )
        ]
        assert errors == [], (body["type"], errors)
        declared = {parameter["name"] for parameter in operation["parameters"]}
        assert declared == {"webhook-id", "webhook-timestamp", "webhook-signature"}
