"""What the contract fuzzing needs besides schemathesis: a stack whose request-rate limits let one
address send a fuzzer's traffic, a signed-in caller for every role, and real objects whose ids the
fuzzer puts into paths and bodies (random ids alone only ever reach the 404 of the lookup).

Objects come in two pools. ``situations`` are the world's people and what hangs off them (one per
organisation the caller may or may not belong to), for every operation that leaves its object
usable. ``disposable`` ones are made to be destroyed: erasure, merge, closing a pathway, deleting
an offer, a consent, a client or a webhook, changing a user (roles, password, deactivation). Those
operations only ever get these ids, so the accounts the fuzzer signs in with, and the bootstrap
admin, stay usable for the whole run.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.e2e.beneficiary_world import Person, World, build_world, ok
from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, SMALL_POOLS
from tests.e2e.helpers import Organisation, bearer, eventually, new_user, token

ROLES = ("platform_admin", "org_admin", "operator", "partner_system", "provider", "beneficiary")
ANONYMOUS = "anonymous"  # no token: every protected operation must answer a 401 problem

MAX_BODY_BYTES = 256 * 1024  # the fuzzing stack's body limit (PONTE_MAX_BODY_BYTES)
MAX_DOCUMENT_BYTES = 1024 * 1024  # its file limit, below the upload routes' body limit
FUZZ_ENVIRONMENT = {
    "PONTE_BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL,
    "PONTE_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
    "PONTE_GATEWAY_UPSTREAM_TIMEOUT_SECONDS": "5",
    "PONTE_GATEWAY_WEBHOOK_ALLOW_LOOPBACK": "true",  # the world's webhooks point at 127.0.0.1
    "PONTE_LOG_FORMAT": "json",
    # One address sends every call of the run, far faster than a client is allowed to: the
    # per-client and per-address limits would turn most of it into 429s that test nothing else.
    # The stricter limit of the credential endpoints stays, so fuzzing sign-in and activation
    # meets real 429s (documented there, and by every operation's `default` problem).
    "PONTE_GATEWAY_RATE_LIMIT_PER_MINUTE": "0",
    "PONTE_GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE": "0",
    # Signed in once; `make fuzz` may run longer than the default quarter of an hour.
    "PONTE_GATEWAY_ACCESS_TOKEN_TTL_SECONDS": "3600",
    # Body limits far below the defaults (5 MiB, 64 MiB files): "413 everywhere" sends one body
    # past the limit to every operation, and at the defaults that was 600 MB through the
    # gateway, 80 s of CI, to test the same middleware at another number.
    "PONTE_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
    "PONTE_MAX_UPLOAD_BYTES": str(MAX_DOCUMENT_BYTES + 64 * 1024),
    "PONTE_INTAKE_DOCUMENT_MAX_BYTES": str(MAX_DOCUMENT_BYTES),
    **SMALL_POOLS,
}

# Body fields that name an object of another field's pool.
BODY_ALIASES = {"merged_id": "beneficiary_id", "assigned_to": "user_id"}
# Where nothing should answer: webhook deliveries fail and are retried, harmlessly.
DEAD_URL = "http://127.0.0.1:9/hook"


def is_destructive(method: str, path: str) -> bool:
    return (
        method == "DELETE"
        or path.endswith(("/merge", "/close", "/rotate-secret"))
        or (method == "PATCH" and path == "/api/v1/users/{user_id}")
    )


@dataclass
class FuzzWorld:
    headers: dict[str, dict[str, str]]  # role -> its Authorization header
    situations: list[dict[str, str]]
    disposable: list[dict[str, str]]

    def pool(self, method: str, path: str) -> list[dict[str, str]]:
        return self.disposable if is_destructive(method, path) else self.situations


def with_ids(value: Any, ids: dict[str, str]) -> Any:
    """``value`` with every string field named like an id of ``ids`` set to that id."""
    if isinstance(value, dict):
        replaced = {}
        for key, item in value.items():
            name = BODY_ALIASES.get(key, key)
            if name in ids and isinstance(item, str):
                replaced[key] = ids[name]
            else:
                replaced[key] = with_ids(item, ids)
        return replaced
    if isinstance(value, list):
        return [with_ids(item, ids) for item in value]
    return value


def _subject(client: httpx.Client, headers: dict[str, str]) -> str:
    subject: str = ok(client.get("/api/v1/auth/me", headers=headers))["subject"]
    return subject


def _partner(client: httpx.Client, org: Organisation) -> tuple[str, dict[str, str]]:
    created = ok(client.post("/api/v1/clients", json={"name": "Fuzz partner"}, headers=org.admin))
    answer = ok(
        client.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": created["client_id"],
                "client_secret": created["client_secret"],
            },
        )
    )
    return created["id"], bearer(answer["access_token"])


def _webhook(client: httpx.Client, org: Organisation) -> tuple[str, str]:
    """A subscription and the delivery of its ping (to an address where nothing answers)."""
    body = {"url": DEAD_URL, "event_types": ["beneficiary.registered"]}
    webhook = ok(client.post("/api/v1/webhooks", json=body, headers=org.admin))["id"]
    ping = client.post(f"/api/v1/webhooks/{webhook}/ping", headers=org.admin)
    return webhook, ping.json()["id"] if ping.status_code == 202 else str(uuid.uuid4())


def _ids(
    client: httpx.Client, w: World, person: Person, organization: str, user: str
) -> dict[str, str]:
    headers = person.organisation.operator
    follow_ups = ok(
        client.get(f"/api/v1/pathways/{person.pathway_id}/follow-ups", headers=headers)
    )["items"]
    return {
        **person.ids(w.offers[0], organization, user),
        "follow_up_id": follow_ups[0]["id"] if follow_ups else str(uuid.uuid4()),
        "name": "countries",
    }


def _disposable(client: httpx.Client, w: World, admin: dict[str, str]) -> dict[str, str]:
    """A person with a consent (and later an open pathway), an offer, a user, a client and a
    webhook of their own, there to be erased, merged, closed, withdrawn, deleted or changed."""
    ngo = w.ngo
    body = {
        "given_name": "Disposable",
        "family_name": uuid.uuid4().hex[:8],
        "birth_date": "1990-01-01",
        "sex": "female",
        "nationality": "GH",
    }
    person = ok(client.post("/api/v1/beneficiaries", json=body, headers=ngo.operator))["id"]
    consent = ok(
        client.post(
            f"/api/v1/beneficiaries/{person}/consents",
            json={"purpose": "matching", "text_version": "v1", "collection_method": "paper_signed"},
            headers=ngo.operator,
        )
    )["id"]

    offer = ok(
        client.post(
            "/api/v1/offers",
            json={"type": "job", "title": "Disposable job", "seats": 1, "status": "open"},
            headers=w.employer.admin,
        )
    )["id"]
    user, _ = new_user(client, ngo.admin, ngo.id, "operator", "Fuzz")
    client_uuid = ok(client.post("/api/v1/clients", json={"name": "Disposable"}, headers=ngo.admin))
    webhook, delivery = _webhook(client, ngo)
    return {
        "beneficiary_id": person,
        "consent_id": consent,
        "offer_id": offer,
        "organization_id": ngo.id,
        "user_id": user,
        "client_uuid": client_uuid["id"],
        "webhook_id": webhook,
        "delivery_id": delivery,
    }


def build_fuzz_world(client: httpx.Client, disposable: int = 3) -> FuzzWorld:
    w = build_world(client)
    admin = bearer(token(client, ADMIN_EMAIL, ADMIN_PASSWORD))
    _, provider_email = new_user(client, w.employer.admin, w.employer.id, "provider", "Fuzz")
    partner_client, partner = _partner(client, w.ngo)
    headers = {
        "platform_admin": admin,
        "org_admin": w.ngo.admin,
        "operator": w.ngo.operator,
        "partner_system": partner,
        "provider": bearer(token(client, provider_email)),
        "beneficiary": w.me,
    }
    webhook, delivery = _webhook(client, w.ngo)
    own = {"client_uuid": partner_client, "webhook_id": webhook, "delivery_id": delivery}
    situations = [
        {**_ids(client, w, w.kwame, w.ngo.id, _subject(client, w.me)), **own},
        {**_ids(client, w, w.amina, w.employer.id, _subject(client, w.ngo.operator)), **own},
        {**_ids(client, w, w.lena, w.other_ngo.id, _subject(client, w.other_ngo.admin)), **own},
    ]
    disposables = [_disposable(client, w, admin) for _ in range(disposable)]
    for ids in disposables:  # once the first is open, the others' registrations have arrived too
        ids["pathway_id"] = _open_pathway(client, w.ngo, ids["beneficiary_id"])
    return FuzzWorld(headers=headers, situations=situations, disposable=disposables)


def _open_pathway(client: httpx.Client, org: Organisation, person: str) -> str:
    def opened() -> Any:
        answer = client.post(
            "/api/v1/pathways", json={"beneficiary_id": person}, headers=org.operator
        )
        return answer.status_code == 201 and answer.json()["id"]

    pathway: str = eventually(opened)
    return pathway
