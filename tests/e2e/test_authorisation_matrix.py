"""The authorisation matrix: every operation of the served OpenAPI, called by every role on objects
in every situation, compared with the expected table in ``authorisation_matrix.csv`` (columns
method, path, role, situation, expected).

Roles (the callers, from ``authorisation_world``): ``platform_admin`` (a user with that role
alone, as every platform admin is), ``org_admin``,
``operator`` and ``partner_system`` (a client_credentials token) of organisation A, ``provider``
(a provider user of organisation P, whose offer Kwame and Amina are referred to) and
``beneficiary`` (Kwame's app token; Kwame is registered by A) and ``cluster_coordinator`` (a user
of A with that role alone; A coordinates the cluster ``own`` names, B and C the others: it reads
its cluster's aggregates and manages its members and pledges, and sees no person, not even A's
consented ones: a consent to A's casework makes nobody a case worker).

Situations (which objects the path, query and body ids name):

* ``own``: the caller's own side. A person registered by the caller's organisation (Kwame; for
  the provider, Kwame, referred to its offer; for the beneficiary, themselves) with their consent,
  pathway, action, follow-up and referral, and the caller's organisation (P for the provider) with
  its spare user, client, webhook, delivery and offer. The platform admin has no cases: A plays
  the part of its organisation.
* ``consented``: Lena, registered by B, who consented to share everything with A and with P; and
  organisation B's own objects (user, client, webhook, offer: a consent covers a person's data,
  not another organisation's).
* ``unconsented``: Omar, registered by C, who shares with nobody; and organisation C's objects.
* ``other_person``: for the beneficiary only, another person of the same organisation (Amina, also
  activated, with her own account). For the other roles a second person of their organisation is
  ``own`` again, so it is not repeated.
* ``-``: no object named. An operation with no id in its path, id-like query or body (a create, a
  reference list) is called once per role; a list whose only ids are query filters is called
  unfiltered (``-``) as well as filtered by each situation's ids.

Outcome classes (the ``expected`` column):

* ``allow``: 2xx, or 409/412/422/428: a state, version or validation answer that is only given
  once the object was found and the caller admitted (e.g. a step out of order, a consent missing).
* ``deny``: 404 (the object is not there for you), 403 (your role may not do this: only where it
  leaks nothing, so a 403 on an ``unconsented``/``other_person`` object the caller may not read
  must also be what a random id gets), 405.
* ``public``: needs no token (sign-in, activation, the keys, status): one anonymous call, role
  and situation ``-``, that must not answer 401/403 or 5xx.

Besides the class, every successful answer must not name anyone the role may never see: Omar for
A's roles; Omar and Lena for the provider (Lena shares with P, but a provider sees referrals to its
offers, not records); Amina, Lena and Omar for Kwame; all four for the platform admin and the
coordinator; nor the users, clients, webhooks and deliveries of other organisations (the platform
admin manages those; for the coordinator, of A's too).
Ids the request body sent may come back (an allocation lists the people it could not consider,
"not found, not visible, or no consent" alike). Every non-public operation is also called once
without a token, and must answer 401.

The build fails on: any 2xx (or other ``allow`` answer) on a ``deny`` row; an ``allow`` row denied
(the table must stay true); a 5xx, 401 or any other status; an answer naming someone the role may
not see; a 403 that tells an object exists; an operation served without rows (a new route must be
classified) and rows for operations no longer served (stale).

Destructive operations get a fresh object per call (erasure, merge, break-the-glass, withdrawal,
revocation, deletion: see ``FRESH``), so they never take away what later rows rely on; closing a
pathway runs last. ``PATCH`` sends ``If-Match: *``, so an allowed change really happens and a
wrongly allowed one shows as 2xx. Bodies are the OpenAPI document's own examples with every id
replaced by the situation's (and unique e-mails and names). The rows of one operation run in
parallel threads; they are independent. The gateway's rate limits are per token (1200/min) and
per address (6000/min): about 2,300 calls in a minute or more fit, spread over eight tokens.

Adding a route (or a role): regenerate ``docs/openapi.json``, run this module with
``PONTE_MATRIX_RECORD=/tmp/observed.csv`` (it then records instead of asserting, and calls every
role and situation the table lacks, rows ``unclassified``); copy the route's rows from the
file into ``authorisation_matrix.csv`` (a route that needs no token: one row ``-,-,public``), and
before committing check every ``allow`` on ``consented``/``unconsented``/``other_person`` data and
every ``-`` list against the access rules of ``architecture.md``: an observed leak is a bug to
fix, never a row to record.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.authorisation_world import (
    DOCUMENT_BYTES,
    WEBHOOK_URL,
    Headers,
    Org,
    Person,
    World,
    build_world,
    fresh_client,
    fresh_consent,
    fresh_document,
    fresh_emergency_access,
    fresh_enrolment,
    fresh_offer,
    fresh_person,
    fresh_transfer,
    fresh_webhook,
)
from tests.e2e.conftest import Stack
from tests.e2e.openapi_walk import example_body, operations

pytestmark = pytest.mark.e2e

TABLE = Path(__file__).with_name("authorisation_matrix.csv")
COMMITTED = Path(__file__).parents[2] / "docs" / "openapi.json"
ROLES = (
    "platform_admin",
    "org_admin",
    "operator",
    "partner_system",
    "provider",
    "beneficiary",
    "cluster_coordinator",
)
OWN, CONSENTED, UNCONSENTED, OTHER_PERSON, NONE = (
    "own",
    "consented",
    "unconsented",
    "other_person",
    "-",
)
ALLOW, DENY, PUBLIC = "allow", "deny", "public"
ALLOW_STATUSES = {409, 412, 422, 428}
DENY_STATUSES = {403, 404, 405}
# Ids that name objects; a query parameter or body field with one of these names is situational.
ID_KEYS = frozenset(
    {
        "beneficiary_id",
        "consent_id",
        "pathway_id",
        "action_id",
        "referral_id",
        "follow_up_id",
        "organization_id",
        "user_id",
        "client_uuid",
        "webhook_id",
        "delivery_id",
        "offer_id",
        "assigned_to",
        "merged_id",
        "beneficiary_ids",
        "offer_ids",
        "cancel",
        "emergency_access_id",
        "cluster_id",
        "commitment_id",
        "service_point_id",
        "appointment_id",
        "operator_id",
        "task_id",
        "document_id",
        "transfer_id",
        "qualification_id",
        "project_id",
        "job_id",
    }
)
# Creates whose example has no organisation, but whose schema takes one: the situation names it.
EXTRA_BODY: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/api/v1/users"): {"organization_id": ""},
    ("POST", "/api/v1/clients"): {"organization_id": ""},
}
LAST = {("POST", "/api/v1/pathways/{pathway_id}/close")}
TERRITORY = "IT_058091"  # Roma, in the territories' committed cut


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    role: str
    situation: str
    expected: str


def read_table() -> list[Row]:
    with TABLE.open(newline="") as handle:
        return [Row(**row) for row in csv.DictReader(handle)]


def table_operations() -> list[tuple[str, str]]:
    """The table's operations and the committed document's (so that a new route is called, and
    recorded, before it has rows); closing a pathway last."""
    found = {(row.method, row.path) for row in read_table()}
    committed = json.loads(COMMITTED.read_text())
    found |= {(method, path) for method, path, _ in operations(committed)}
    return sorted(sorted(found), key=lambda op: op in LAST)


def id_names(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {key for key in value if key in ID_KEYS} | {
            name for item in value.values() for name in id_names(item)
        }
    if isinstance(value, list):
        return {name for item in value for name in id_names(item)}
    return set()


def with_ids(value: Any, ids: dict[str, str]) -> Any:
    """The example with every id field naming the situation's objects."""
    if isinstance(value, dict):
        replaced: dict[str, Any] = {}
        for key, item in value.items():
            if key in ids and isinstance(item, str):
                replaced[key] = ids[key]
            elif key in ("beneficiary_ids", "offer_ids", "cancel") and isinstance(item, list):
                single = {"beneficiary_ids": "beneficiary_id", "offer_ids": "offer_id"}
                replaced[key] = [ids[single.get(key, "action_id")]]
            elif key == "url":  # a webhook: the example's host does not resolve here
                replaced[key] = WEBHOOK_URL
            elif key == "email":
                replaced[key] = f"matrix-{uuid.uuid4().hex[:10]}@matrix.example"
            else:
                replaced[key] = with_ids(item, ids)
        return replaced
    if isinstance(value, list):
        return [with_ids(item, ids) for item in value]
    return value


@dataclass
class Operation:
    method: str
    path: str
    body: Any
    query: list[str]
    multipart: bool = False  # a form with a file (an upload), not a JSON body

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def filters_only(self) -> bool:
        """Ids only in the query: a list or search, not an object."""
        return bool(self.query) and "{" not in self.path and not id_names(self.body)

    @property
    def situational(self) -> bool:
        named = {part[1:-1] for part in self.path.split("/") if part.startswith("{")}
        # A code list's name and a territory's code name reference data, not anyone's object.
        return bool((named - {"name", "code"}) or self.query or id_names(self.body))


def operation_of(document: dict[str, Any], method: str, path: str) -> Operation:
    spec = document["paths"][path][method.lower()]
    form = spec.get("requestBody", {}).get("content", {}).get("multipart/form-data")
    if form is not None:  # an upload: its example holds the fields besides the file
        return Operation(method, path, copy.deepcopy(form.get("example", {})), [], multipart=True)
    body = example_body(document, spec)
    if (method, path) in EXTRA_BODY:
        body = {**(body or {}), **EXTRA_BODY[(method, path)]}
    if isinstance(body, dict) and method == "POST" and path == "/api/v1/organizations":
        body["name"] = f"{body.get('name', 'Org')} {uuid.uuid4().hex[:8]}"
    query = [
        parameter["name"]
        for parameter in spec.get("parameters", [])
        if parameter.get("in") == "query" and parameter["name"] in ID_KEYS
    ]
    return Operation(method, path, body, query)


def situations_of(role: str, operation: Operation) -> tuple[str, ...]:
    if not operation.situational:
        return (NONE,)
    named = (
        (OWN, OTHER_PERSON, CONSENTED, UNCONSENTED)
        if role == "beneficiary"
        else (
            OWN,
            CONSENTED,
            UNCONSENTED,
        )
    )
    # A list filtered by ids is also read unfiltered: the whole of what the role may see.
    return (NONE, *named) if operation.filters_only else named


def caller(w: World, role: str) -> Headers:
    return {
        "platform_admin": w.platform_admin,
        "org_admin": w.a.admin,
        "operator": w.a.operator,
        "partner_system": w.a.partner,
        "provider": w.provider,
        "beneficiary": w.kwame.app,
        "cluster_coordinator": w.coordinator,
    }[role]


def home(w: World, role: str) -> Org:
    return w.p if role == "provider" else w.a


def people_of(w: World, role: str, situation: str) -> tuple[Person, Org]:
    """The person and the organisation whose objects the situation names."""
    return {
        OWN: (w.kwame, home(w, role)),
        OTHER_PERSON: (w.amina, home(w, role)),
        CONSENTED: (w.lena, w.b),
        UNCONSENTED: (w.omar, w.c),
    }[situation]


def ids_of(w: World, role: str, situation: str) -> dict[str, str]:
    if situation == NONE:
        return {"name": "countries"}
    person, org = people_of(w, role, situation)
    user_id = org.spare_user_id
    if role == "beneficiary" and situation in (OWN, OTHER_PERSON):
        user_id = person.user_id  # their own account, or the other person's
    return {
        "beneficiary_id": person.id,
        "consent_id": person.consent_id,
        "pathway_id": person.pathway_id,
        "action_id": person.action_id,
        "referral_id": person.referral_id,
        "follow_up_id": person.follow_up_id,
        "task_id": person.task_id,
        "organization_id": org.id,
        "user_id": user_id,
        "client_uuid": org.client_uuid,
        "webhook_id": org.webhook_id,
        "delivery_id": org.delivery_id,
        "offer_id": org.offer_id,
        "assigned_to": org.operator_user_id,
        "name": "countries",
        "emergency_access_id": str(uuid.uuid4()),  # closing one is destructive: see FRESH
        "cluster_id": org.cluster_id,
        "commitment_id": org.commitment_id,
        "service_point_id": org.service_point_id,
        "appointment_id": person.appointment_id,
        "operator_id": org.operator_user_id,
        "document_id": person.document_id,
        "qualification_id": person.qualification_id,
        "project_id": org.project_id,
        "transfer_id": person.transfer_id or str(uuid.uuid4()),
        "job_id": str(uuid.uuid4()),  # a job is its submitter's alone: see FRESH
    }


def _like(client: httpx.Client, w: World, role: str, situation: str) -> Person:
    """A throw-away person registered and shared as the situation's person is."""
    person, _ = people_of(w, role, situation)
    shares = [w.a, w.p] if person is w.lena else []
    return fresh_person(client, person.org, person.name, shares, matching=False)


Fresh = Callable[[httpx.Client, World, str, str, dict[str, str]], None]


def _fresh_beneficiary(
    client: httpx.Client, w: World, role: str, situation: str, ids: dict[str, str]
) -> None:
    ids["beneficiary_id"] = _like(client, w, role, situation).id


def _fresh_merged(
    client: httpx.Client, w: World, role: str, situation: str, ids: dict[str, str]
) -> None:
    ids["merged_id"] = _like(client, w, role, situation).id


def _fresh_consent(
    client: httpx.Client, w: World, role: str, situation: str, ids: dict[str, str]
) -> None:
    ids["consent_id"] = fresh_consent(client, people_of(w, role, situation)[0])


def _fresh_emergency(
    client: httpx.Client, w: World, role: str, situation: str, ids: dict[str, str]
) -> None:
    """A throw-away person registered and shared like the situation's, with an emergency access
    open: A's when the person is another organisation's, B's when A registered them. Named
    otherwise: the rows that may not close it leave it open, and A then sees them (rightly)."""
    like, _ = people_of(w, role, situation)
    shares = [w.a, w.p] if like is w.lena else []
    person = fresh_person(client, like.org, "Glassbroken", shares, matching=False)
    ids["beneficiary_id"] = person.id
    opener = w.b if person.org is w.a else w.a
    ids["emergency_access_id"] = fresh_emergency_access(client, person, opener)


def _fresh_document(
    client: httpx.Client, w: World, role: str, situation: str, ids: dict[str, str]
) -> None:
    ids["document_id"] = fresh_document(client, people_of(w, role, situation)[0])


def _fresh_transfer(
    client: httpx.Client, w: World, role: str, situation: str, ids: dict[str, str]
) -> None:
    """A throw-away pending transfer: to the caller's organisation (own: it may accept it), from B
    to C of a person B shares with A (consented), from C to B (unconsented)."""
    if situation in (CONSENTED, UNCONSENTED):
        person, _ = people_of(w, role, situation)
        shares = [w.a, w.p] if person is w.lena else []
        moving = fresh_person(client, person.org, "Moving", shares, matching=False)
        ids["transfer_id"] = fresh_transfer(client, moving, w.c if person is w.lena else w.b)
        return
    moving = fresh_person(client, w.b, "Moving", [], matching=False)
    ids["transfer_id"] = fresh_transfer(client, moving, home(w, role))


def _fresh_enrolment(
    client: httpx.Client, w: World, role: str, situation: str, ids: dict[str, str]
) -> None:
    """A throw-away person enrolled in the situation's organisation's project: the rows of an
    operation run in parallel, so each undoes an enrolment of its own."""
    person = _like(client, w, role, situation)
    ids["beneficiary_id"] = person.id
    fresh_enrolment(client, person, people_of(w, role, situation)[1])


# More than the synchronous limit (500), each item invalid: a job that registers nobody.
JOB_ITEMS = [{"given_name": "Matrix"}] * 501


def _fresh_job(
    client: httpx.Client, w: World, role: str, situation: str, ids: dict[str, str]
) -> None:
    """A job submitted by the caller itself where its role submits batches (own), else by the
    org admin of the situation's organisation (another user of the caller's own, for the roles
    that submit none: it is still not theirs)."""
    if situation == OWN and role in ("org_admin", "operator", "partner_system"):
        submitter = caller(w, role)
    else:
        submitter = people_of(w, role, situation)[1].admin
    answer = client.post(
        "/api/v1/beneficiaries/batch", json={"items": JOB_ITEMS}, headers=submitter
    )
    assert answer.status_code == 202, answer.text
    ids["job_id"] = answer.json()["id"]


def _fresh_org_object(make: Callable[[httpx.Client, Org], str], key: str) -> Fresh:
    def fresh(
        client: httpx.Client, w: World, role: str, situation: str, ids: dict[str, str]
    ) -> None:
        ids[key] = make(client, people_of(w, role, situation)[1])

    return fresh


FRESH: dict[tuple[str, str], Fresh] = {
    ("DELETE", "/api/v1/beneficiaries/{beneficiary_id}"): _fresh_beneficiary,
    ("POST", "/api/v1/beneficiaries/{beneficiary_id}/emergency-access"): _fresh_beneficiary,
    ("POST", "/api/v1/beneficiaries/{beneficiary_id}/merge"): _fresh_merged,
    (
        "DELETE",
        "/api/v1/beneficiaries/{beneficiary_id}/emergency-access/{emergency_access_id}",
    ): _fresh_emergency,
    ("DELETE", "/api/v1/beneficiaries/{beneficiary_id}/consents/{consent_id}"): _fresh_consent,
    ("DELETE", "/api/v1/me/consents/{consent_id}"): _fresh_consent,
    (
        "DELETE",
        "/api/v1/beneficiaries/{beneficiary_id}/documents/{document_id}",
    ): _fresh_document,
    ("DELETE", "/api/v1/clients/{client_uuid}"): _fresh_org_object(fresh_client, "client_uuid"),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): _fresh_org_object(fresh_webhook, "webhook_id"),
    ("DELETE", "/api/v1/offers/{offer_id}"): _fresh_org_object(fresh_offer, "offer_id"),
    ("PATCH", "/api/v1/transfers/{transfer_id}"): _fresh_transfer,
    ("DELETE", "/api/v1/projects/{project_id}/participants/{beneficiary_id}"): _fresh_enrolment,
    ("GET", "/api/v1/jobs/{job_id}"): _fresh_job,
}


def never_seen(w: World, role: str) -> set[str]:
    """Ids and names that must not appear in any answer to ``role``: people it may not see, and
    the staff, clients and webhooks of other organisations (the platform admin manages those)."""
    people = {
        "platform_admin": [w.kwame, w.amina, w.lena, w.omar],
        "cluster_coordinator": [w.kwame, w.amina, w.lena, w.omar],
        "provider": [w.lena, w.omar],
        "beneficiary": [w.amina, w.lena, w.omar],
    }.get(role, [w.omar])
    others = {
        "platform_admin": [],
        "provider": [w.a, w.b, w.c],
        # Not A's staff either: its users, clients and webhooks are its org admins' business.
        "cluster_coordinator": [w.a, w.b, w.c, w.p],
        # The person's own record names who of the registering organisation acted on it (a
        # consent withdrawn by its partner system): A is not a stranger to them.
        "beneficiary": [w.b, w.c, w.p],
    }.get(role, [w.b, w.c, w.p])
    secrets = {secret for person in people for secret in person.secrets()}
    secrets |= {secret for org in others for secret in org.staff_secrets()}
    return {secret for secret in secrets if secret}


def outcome(status: int) -> str:
    if 200 <= status < 300 or status in ALLOW_STATUSES:
        return ALLOW
    if status in DENY_STATUSES:
        return DENY
    return f"error {status}"


@dataclass
class Call:
    client: httpx.Client
    world: World
    operation: Operation

    def send(self, headers: Headers, ids: dict[str, str]) -> httpx.Response:
        op = self.operation
        body = with_ids(copy.deepcopy(op.body), ids)
        params = {name: ids[name] for name in op.query if name in ids}
        headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}
        if op.method == "PATCH":
            headers["If-Match"] = "*"  # any version: an admitted change really happens
        target = op.path.format(**{"code": TERRITORY, "slug": "not-found", **ids})
        if op.multipart:
            form = {
                name: json.dumps(value) if isinstance(value, dict) else str(value)
                for name, value in body.items()
            }
            files = {"file": ("matrix.pdf", DOCUMENT_BYTES, "application/pdf")}
            request = self.client.build_request(
                "POST", target, data=form, files=files, headers=headers
            )
            request.read()  # so that the leak check can read what was sent
            return self.client.send(request)
        return self.client.request(
            op.method,
            target,  # a territory's code goes in the path only: a body's "code" is a language's
            json=body,
            params=params,
            headers=headers,
        )

    def random_ids(self) -> dict[str, str]:
        return {key: str(uuid.uuid4()) for key in ID_KEYS} | {"name": "countries"}


@pytest.fixture(scope="module")
def world(stack: Stack) -> Iterator[tuple[httpx.Client, World, dict[str, Any]]]:
    with stack.client() as client:
        world = build_world(client)
        document = client.get("/openapi.json").json()
        yield client, world, document


def test_every_served_operation_has_rows_and_no_row_is_stale(
    world: tuple[httpx.Client, World, dict[str, Any]],
) -> None:
    _, _, document = world
    served = {(method, path) for method, path, _ in operations(document)}
    rows = read_table()
    listed = {(row.method, row.path) for row in rows}
    unclassified = sorted(served - listed)
    stale = sorted(listed - served)
    assert not unclassified, f"served operations without rows (classify them): {unclassified}"
    assert not stale, f"rows for operations no longer served (remove them): {stale}"
    for method, path in served:
        if any(r.expected == PUBLIC for r in rows if (r.method, r.path) == (method, path)):
            continue
        operation = operation_of(document, method, path)
        expected = {(role, s) for role in ROLES for s in situations_of(role, operation)}
        have = {(r.role, r.situation) for r in rows if (r.method, r.path) == (method, path)}
        assert have == expected, (
            f"{method} {path}: missing {expected - have}, extra {have - expected}"
        )


@pytest.mark.parametrize(
    ("method", "path"), [pytest.param(*op, id=" ".join(op)) for op in table_operations()]
)
def test_operation(
    world: tuple[httpx.Client, World, dict[str, Any]], method: str, path: str
) -> None:
    client, w, document = world
    if path not in document["paths"] or method.lower() not in document["paths"][path]:
        pytest.skip("not served: the coverage test reports it as stale")
    rows = [row for row in read_table() if (row.method, row.path) == (method, path)]
    operation = operation_of(document, method, path)
    if not rows and not os.environ.get("PONTE_MATRIX_RECORD"):
        pytest.fail(f"{method} {path} has no rows in {TABLE.name}: classify it")
    if os.environ.get("PONTE_MATRIX_RECORD") and (not rows or rows[0].expected != PUBLIC):
        # Recording also calls the (role, situation) pairs the table lacks: a new route's, or a
        # new role's on every route.
        have = {(row.role, row.situation) for row in rows}
        rows += [
            Row(method, path, role, situation, "unclassified")
            for role in ROLES
            for situation in situations_of(role, operation)
            if (role, situation) not in have
        ]
    call = Call(client, w, operation)
    # Whether the caller may read the same object (a GET of the same path), by the table.
    readable = {
        (row.role, row.situation): row.expected
        for row in read_table()
        if (row.method, row.path) == ("GET", path)
    }
    failures: list[str] = []
    observed: list[Row] = []
    if rows[0].expected == PUBLIC:
        answer = call.send({}, call.random_ids())
        if answer.status_code in (401, 403) or answer.status_code >= 500:
            failures.append(f"- anonymous: expected public, got {answer.status_code}")
        observed.append(rows[0])
        _finish(method, path, observed, failures)
        return
    anonymous = call.send({}, ids_of(w, "org_admin", situations_of("org_admin", operation)[0]))
    if anonymous.status_code != 401:
        failures.append(f"- no token: expected 401, got {anonymous.status_code}")
    # The rows of one operation are independent (destructive ones have fresh objects), so they
    # run in parallel; their order in the message stays the table's.
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda row: _check(call, row, readable), rows))
    for row, (got, problems) in zip(rows, results, strict=True):
        observed.append(Row(method, path, row.role, row.situation, got))
        failures += problems
    _finish(method, path, observed, failures)


def _check(call: Call, row: Row, readable: dict[tuple[str, str], str]) -> tuple[str, list[str]]:
    """The outcome class of one row, and what is wrong with it."""
    w, operation = call.world, call.operation
    ids = ids_of(w, row.role, row.situation)
    if operation.key in FRESH and row.situation != NONE:
        FRESH[operation.key](call.client, w, row.role, row.situation, ids)
    answer = call.send(caller(w, row.role), ids)
    got = outcome(answer.status_code)
    where = f"{row.role:<15} {row.situation:<13}"
    detail = f"{answer.status_code} {answer.text[:160]}"
    if got != row.expected:
        return got, [f"- {where} expected {row.expected}, got {got}: {detail}"]
    problems = []
    if answer.is_success:
        # Ids the request body itself sent may be echoed (e.g. an allocation's excluded people,
        # "not found, not visible, or no consent" alike): only what the caller did not send counts.
        sent = json.dumps(answer.request.content.decode() if answer.request.content else "")
        leaked = sorted(s for s in never_seen(w, row.role) if s in answer.text and s not in sent)
        if leaked:
            problems.append(f"- {where} names someone it may not see {leaked}: {detail}")
    hidden = row.situation in (UNCONSENTED, OTHER_PERSON)
    if answer.status_code == 403 and hidden and readable.get((row.role, row.situation)) != ALLOW:
        # A 403 on an object the caller may not read must be what a random id gets too.
        blind = call.send(caller(w, row.role), call.random_ids())
        if blind.status_code != 403:
            problems.append(
                f"- {where} 403 on an object it may not see, {blind.status_code} on a random"
                " id: the difference tells that the object exists"
            )
    return got, problems


def _finish(method: str, path: str, observed: list[Row], failures: list[str]) -> None:
    record = os.environ.get("PONTE_MATRIX_RECORD")
    if record:
        with open(record, "a", newline="") as handle:
            writer = csv.writer(handle)
            for row in observed:
                writer.writerow([row.method, row.path, row.role, row.situation, row.expected])
        if failures:
            with open(record + ".failures", "a") as handle:
                handle.write(f"{method} {path}\n" + "\n".join(failures) + "\n")
        return
    assert not failures, f"{method} {path} differs from {TABLE.name}:\n" + "\n".join(failures)
