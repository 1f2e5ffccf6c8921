"""The world of the authorisation matrix, built once through the gateway as clients would.

Four organisations: A, B and C (NGOs) and P (a provider, role ``provider``). Each has an org
admin, an operator, a spare operator (the target of user changes), a partner-system client, a
webhook with one delivery and an open offer. Four people, each with a matching consent, an open
pathway (assessed, an action, a placement recorded, so retention follow-ups exist), an
appointment for that action, a referral and a document (a permit):

* Kwame and Amina, registered by A, both activated in the app; Kwame is referred to P's offer;
* Lena, registered by B, who consented to share everything with A and with P;
* Omar, registered by C, who shares with nobody.

The callers are A's platform-side roles (org admin, operator, partner system), A's cluster
coordinator (a user with that role alone, added by A's org admin), the platform admin, P's provider
user and Kwame. ``fresh_*`` make throw-away objects for the rows that destroy what
they touch (erasure, merge, withdrawal, revocation, deletion, break-the-glass and its closing).
The platform admin entitled A to break the glass on every legal basis, B on one. Each
organisation coordinates a cluster of its own (the platform admin set it up), pledges in it and
runs a legal desk (a service point) published to it; P is also a member of A's cluster, so that
A's coordinator's dashboard counts the referrals of Kwame and Amina (as aggregates).
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.e2e.helpers import bearer, eventually, new_user, signed_in_user, token

Headers = dict[str, str]
APP_PASSWORD = "a-person-chooses-a-long-phrase"
ALL_SECTIONS = ["identity", "contact", "profile", "pathway"]
# Nobody listens there: deliveries fail and are retried, which no row depends on.
WEBHOOK_URL = "http://127.0.0.1:9/ponte"


def ok(answer: httpx.Response) -> Any:
    assert answer.is_success, (answer.request.method, answer.request.url, answer.text)
    return answer.json() if answer.content else None


@dataclass
class Org:
    label: str
    id: str
    admin: Headers
    operator: Headers
    operator_user_id: str
    spare_user_id: str
    client_uuid: str
    partner: Headers
    webhook_id: str = ""
    delivery_id: str = ""
    offer_id: str = ""
    placement_offer_id: str = ""  # the offer the world's referrals go to
    cluster_id: str = ""  # the cluster it coordinates (A's has P as a member too)
    commitment_id: str = ""  # its pledge in that cluster
    service_point_id: str = ""  # its desk, published to that cluster
    project_id: str = ""  # a funded project it leads, with no partners

    def staff_secrets(self) -> set[str]:
        """Ids of the organisation's own that no other organisation's staff may read (not the
        operator: the pathways it is assigned to name it wherever they are shared)."""
        return {self.spare_user_id, self.client_uuid, self.webhook_id, self.delivery_id}


@dataclass
class Person:
    id: str
    name: str
    org: Org
    consent_id: str = ""
    pathway_id: str = ""
    action_id: str = ""
    referral_id: str = ""
    follow_up_id: str = ""
    appointment_id: str = ""
    task_id: str = ""  # a manual task of the pathway's organisation about the person
    document_id: str = ""
    qualification_id: str = ""  # a qualification on the person's record
    transfer_id: str = ""  # a pending transfer of the person (Kwame's to B, Lena's to C...)
    app: Headers = field(default_factory=dict)
    user_id: str = ""

    def secrets(self) -> set[str]:
        """What must never appear in an answer to someone who may not see this person."""
        values = {self.id, self.name, self.consent_id, self.pathway_id, self.action_id}
        return values | {
            self.referral_id,
            self.follow_up_id,
            self.appointment_id,
            self.task_id,
            self.document_id,
            self.qualification_id,
            self.transfer_id,
        }


@dataclass
class World:
    root: Headers
    platform_admin: Headers
    a: Org
    b: Org
    c: Org
    p: Org
    provider: Headers
    provider_user_id: str
    coordinator: Headers  # A's cluster coordinator: A coordinates the cluster A.cluster_id
    kwame: Person
    amina: Person
    lena: Person
    omar: Person


def _sign_in(
    client: httpx.Client, root: Headers, org_id: str, role: str, label: str
) -> tuple[str, Headers]:
    user_id, _, access = signed_in_user(client, root, org_id, role, label)
    return user_id, bearer(access)


def fresh_client(client: httpx.Client, org: Org) -> str:
    created = client.post("/api/v1/clients", json={"name": "matrix client"}, headers=org.admin)
    return str(ok(created)["id"])


def fresh_webhook(client: httpx.Client, org: Org) -> str:
    body = {"url": WEBHOOK_URL, "event_types": ["referral.status_changed"]}
    return str(ok(client.post("/api/v1/webhooks", json=body, headers=org.admin))["id"])


def fresh_offer(client: httpx.Client, org: Org) -> str:
    body = {"type": "training", "title": f"{org.label} course", "seats": 5, "status": "open"}
    return str(ok(client.post("/api/v1/offers", json=body, headers=org.admin))["id"])


# A may break the glass on every legal basis (its org admin's rows on others' people stay
# allowed); B on one, so that someone can open an emergency access to A's people. C and P may not.
EMERGENCY_REASONS = {
    "A": ["child_protection", "medical_emergency", "missing_person", "trafficking_protection"],
    "B": ["medical_emergency"],
}
EMERGENCY_BODY = {
    "reason_code": "medical_emergency",
    "reason": "Matrix: admitted to hospital, the ward needs the emergency contact.",
}


def _org(client: httpx.Client, root: Headers, label: str, kind: str) -> Org:
    """The platform admin adds the organisation and its first org admin, who adds the rest."""
    body = {
        "name": f"Matrix {label} {uuid.uuid4().hex[:6]}",
        "type": kind,
        "emergency_reasons": EMERGENCY_REASONS.get(label, []),
    }
    org_id = ok(client.post("/api/v1/organizations", json=body, headers=root))["id"]
    _, admin = _sign_in(client, root, org_id, "org_admin", label)
    operator_id, operator = _sign_in(client, admin, org_id, "operator", label)
    spare, _ = new_user(client, admin, org_id, "operator", label)
    created = ok(client.post("/api/v1/clients", json={"name": f"{label}"}, headers=admin))
    partner: Headers = {}
    if label == "A":  # the only organisation whose partner system calls (the others' is a target)
        form = {
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        }
        partner = bearer(ok(client.post("/api/v1/auth/token", data=form))["access_token"])
    org = Org(label, org_id, admin, operator, operator_id, spare, created["id"], partner)
    org.webhook_id = fresh_webhook(client, org)
    url = f"/api/v1/webhooks/{org.webhook_id}/ping"
    org.delivery_id = ok(client.post(url, headers=org.admin))["id"]
    org.offer_id = fresh_offer(client, org)
    return org


def fresh_person(
    client: httpx.Client, org: Org, name: str, shares_with: list[Org], *, matching: bool = True
) -> Person:
    """A registered person sharing everything with ``shares_with`` (and, with ``matching``,
    consenting to matching: the world's people are matched and referred, throw-away ones not)."""
    body = {
        "given_name": name,
        "family_name": f"Matrix{uuid.uuid4().hex[:6]}",
        "birth_date": "1995-06-01",
        "sex": "female",
        "nationality": "GH",
        "municipality": "Latina",
        "contact": {"phone": "+39 333 000 1111"},
        "languages": [{"code": "it", "level": "A2"}],
    }
    created = ok(client.post("/api/v1/beneficiaries", json=body, headers=org.operator))
    person = Person(id=created["id"], name=name, org=org)
    if matching:
        person.consent_id = fresh_consent(client, person)
    for other in shares_with:
        fresh_consent(client, person, shares_with=other)
    return person


# The smallest file the documents route takes: its type is told by these bytes.
DOCUMENT_BYTES = b"%PDF-1.4\n% matrix\n%%EOF\n"


def fresh_document(client: httpx.Client, person: Person) -> str:
    """A permit of the person, uploaded by their organisation (in the identity section, which
    Lena shares with A and P)."""
    url = f"/api/v1/beneficiaries/{person.id}/documents"
    files = {"file": ("permit.pdf", DOCUMENT_BYTES, "application/pdf")}
    created = client.post(url, data={"kind": "permit"}, files=files, headers=person.org.operator)
    return str(ok(created)["id"])


def fresh_emergency_access(client: httpx.Client, person: Person, by: Org) -> str:
    url = f"/api/v1/beneficiaries/{person.id}/emergency-access"
    return str(ok(client.post(url, json=EMERGENCY_BODY, headers=by.admin))["id"])


def fresh_consent(client: httpx.Client, person: Person, shares_with: Org | None = None) -> str:
    body: dict[str, Any] = {
        "purpose": "matching",
        "text_version": "v1",
        "collection_method": "paper_signed",
    }
    if shares_with is not None:
        body |= {"purpose": "sharing", "organization_id": shares_with.id, "sections": ALL_SECTIONS}
    url = f"/api/v1/beneficiaries/{person.id}/consents"
    return str(ok(client.post(url, json=body, headers=person.org.operator))["id"])


def fresh_transfer(client: httpx.Client, person: Person, to: Org) -> str:
    """A pending transfer of the person from their organisation to ``to``, with its consent."""
    body = {
        "purpose": "transfer",
        "organization_id": to.id,
        "text_version": "v1",
        "collection_method": "paper_signed",
    }
    url = f"/api/v1/beneficiaries/{person.id}/consents"
    ok(client.post(url, json=body, headers=person.org.operator))
    asked = {"beneficiary_id": person.id, "to_organization_id": to.id, "reason": "Moved"}
    return str(ok(client.post("/api/v1/transfers", json=asked, headers=person.org.operator))["id"])


def _casework(client: httpx.Client, person: Person, offer_id: str) -> None:
    headers = person.org.operator

    def opened() -> Any:
        body = {"beneficiary_id": person.id}
        answer = client.post("/api/v1/pathways", json=body, headers=headers)
        return answer.status_code == 201 and answer.json()

    person.pathway_id = eventually(opened)["id"]
    url = f"/api/v1/pathways/{person.pathway_id}"
    assessment = {
        "territorial_context": {"municipality": "Latina"},
        "labour_market_position": "unemployed_seeking",
        "needs": [{"domain": "employment", "severity": "high"}],
    }
    ok(client.post(f"{url}/assessments", json=assessment, headers=headers))
    actions = {"actions": [{"type": "vocational_training", "title": "Kitchen hygiene course"}]}
    ok(client.post(f"{url}/actions", json=actions, headers=headers))
    person.action_id = ok(client.get(f"{url}/actions", headers=headers))["items"][0]["id"]
    # A placement starts the retention follow-ups, so that follow_up_id has real values.
    placed = {"date": "2026-11-01", "employment_status": "precarious_formal", "progress": []}
    ok(client.post(f"{url}/monitoring", json=placed, headers=headers))
    follow_ups = ok(client.get(f"{url}/follow-ups", headers=headers))
    items = follow_ups["items"] if isinstance(follow_ups, dict) else follow_ups
    person.follow_up_id = items[0]["id"]
    appointment = {
        "beneficiary_id": person.id,
        "pathway_id": person.pathway_id,
        "action_id": person.action_id,
        "start_at": "2030-01-15T10:00:00+01:00",
        "address": "Via Roma 1, Latina",
    }
    created = ok(client.post("/api/v1/appointments", json=appointment, headers=headers))
    person.appointment_id = created["id"]
    task = {
        "title": "Call about the course",
        "due_on": "2026-12-01",
        "pathway_id": person.pathway_id,
    }
    person.task_id = ok(client.post("/api/v1/tasks", json=task, headers=headers))["id"]

    def referred() -> Any:
        body = {"beneficiary_id": person.id, "offer_id": offer_id}
        answer = client.post("/api/v1/referrals", json=body, headers=headers)
        return answer.status_code == 201 and answer.json()

    person.referral_id = eventually(referred)["id"]
    person.document_id = fresh_document(client, person)
    url = f"/api/v1/beneficiaries/{person.id}/qualifications"
    qualification = {"title": "Diplôme de technicien", "year": 2012, "document_ids": []}
    person.qualification_id = ok(client.post(url, json=qualification, headers=headers))["id"]


def _activate(client: httpx.Client, person: Person) -> None:
    url = f"/api/v1/beneficiaries/{person.id}/invitations"
    code = ok(client.post(url, headers=person.org.operator))["code"]
    tokens = ok(client.post("/api/v1/auth/activate", json={"code": code, "password": APP_PASSWORD}))
    person.app = bearer(tokens["access_token"])
    person.user_id = ok(client.get("/api/v1/auth/me", headers=person.app))["subject"]


def _cluster(client: httpx.Client, root: Headers, org: Org, members: tuple[Org, ...] = ()) -> None:
    """Each organisation coordinates a cluster of its own, pledges in it and runs a desk
    published to it: another organisation's cluster, pledge and desk are foreign objects.
    ``members`` join it too (A's cluster has P, to which A refers Kwame and Amina: its dashboard
    counts people, which its coordinator sees only as aggregates)."""
    body = {
        "name": f"Matrix cluster {org.label} {uuid.uuid4().hex[:6]}",
        "territory_codes": ["ITI43"],
        "coordinator_organization_id": org.id,
    }
    org.cluster_id = ok(client.post("/api/v1/clusters", json=body, headers=root))["id"]
    for member in members:
        joined = {"organization_id": member.id, "roles": ["training_provider"]}
        ok(client.post(f"/api/v1/clusters/{org.cluster_id}/members", json=joined, headers=root))
    pledge = {
        "organization_id": org.id,
        "kind": "seats_offered",
        "offer_type": "training",
        "quantity": 4,
        "period_start": "2026-01-01",
        "period_end": "2027-12-31",
    }
    commitments = f"/api/v1/clusters/{org.cluster_id}/commitments"
    org.commitment_id = ok(client.post(commitments, json=pledge, headers=root))["id"]
    desk = {
        "name": f"Desk {org.label}",
        "kind": "legal_aid",
        "need_domains": ["documents_legal"],
        "tier": "low_threshold",
        "territory_code": "IT_058091",
        "access_mode": "drop_in",
        "cluster_ids": [org.cluster_id],
    }
    org.service_point_id = ok(client.post("/api/v1/service-points", json=desk, headers=org.admin))[
        "id"
    ]
    project = {
        "name": f"Matrix project {org.label}",
        "fund": "amif",
        "starts_on": "2026-01-01",
        "ends_on": "2030-12-31",
    }
    org.project_id = ok(client.post("/api/v1/projects", json=project, headers=org.admin))["id"]


def fresh_enrolment(client: httpx.Client, person: Person, org: Org) -> None:
    """The person enrolled in the organisation's project by its operator (an enrolment the caller
    is about to undo), once pathways knows them, when the organisation is theirs; one attempt
    otherwise (it may not see them: nothing to undo then)."""
    body = {"beneficiary_id": person.id, "third_country_national": True, "evidence": "passport"}
    url = f"/api/v1/projects/{org.project_id}/participants"

    def enrolled() -> bool:
        return client.post(url, json=body, headers=org.operator).status_code in (200, 201)

    if person.org.id == org.id:
        eventually(enrolled)
    else:
        enrolled()


def _transfer(client: httpx.Client, person: Person, to: Org) -> None:
    person.transfer_id = fresh_transfer(client, person, to)


def build_world(client: httpx.Client) -> World:
    """Independent parts are built in parallel threads (httpx clients are thread-safe): most of
    the time goes into password hashing and waiting for events between the services."""
    root = bearer(token(client, ADMIN_EMAIL, ADMIN_PASSWORD))
    # The caller for the role is a user with platform_admin alone (as the bootstrap admin is),
    # made by the bootstrap admin in the platform's own organisation.
    platform_org = ok(client.get("/api/v1/auth/me", headers=root))["organization"]["id"]
    with ThreadPoolExecutor(max_workers=6) as pool:
        platform = pool.submit(_sign_in, client, root, platform_org, "platform_admin", "platform")
        orgs = [
            pool.submit(_org, client, root, label, "employer" if label == "P" else "ngo")
            for label in "ABCP"
        ]
        a, b, c, p = (future.result() for future in orgs)
        provider = pool.submit(_sign_in, client, p.admin, p.id, "provider", "P")
        coordinator = pool.submit(_sign_in, client, a.admin, a.id, "cluster_coordinator", "A")
        # Referrals go to offers of their own, so that a referral proposed in a row (to the
        # situation's offer) is new, not a conflict with the world's.
        placements = {org.label: pool.submit(fresh_offer, client, org) for org in (b, c, p)}
        people = [
            pool.submit(fresh_person, client, org, name, shares)
            for org, name, shares in (
                (a, "Kwame", []),
                (a, "Amina", []),
                (b, "Lena", [a, p]),
                (c, "Omar", []),
            )
        ]
        kwame, amina, lena, omar = (future.result() for future in people)
        for org in (b, c, p):
            org.placement_offer_id = placements[org.label].result()
        work = [
            pool.submit(_casework, client, person, org.placement_offer_id)
            for person, org in ((kwame, p), (amina, p), (lena, b), (omar, c))
        ]
        work += [pool.submit(_activate, client, person) for person in (kwame, amina)]
        work += [pool.submit(_cluster, client, root, org) for org in (b, c, p)]
        work.append(pool.submit(_cluster, client, root, a, (p,)))
        for person, to in ((kwame, b), (lena, c), (omar, b)):
            work.append(pool.submit(_transfer, client, person, to))
        for future in work:
            future.result()
        provider_user_id, provider_headers = provider.result()
        world = World(
            root=root,
            platform_admin=platform.result()[1],
            a=a,
            b=b,
            c=c,
            p=p,
            provider=provider_headers,
            provider_user_id=provider_user_id,
            coordinator=coordinator.result()[1],
            kwame=kwame,
            amina=amina,
            lena=lena,
            omar=omar,
        )
    # Lena's sharing reaches pathways and matching by events: wait until A sees her there.
    lena_pathway = f"/api/v1/pathways/{lena.pathway_id}"
    lena_matches = f"/api/v1/beneficiaries/{lena.id}/matches"
    for url in (lena_pathway, lena_matches):

        def seen(url: str = url) -> bool:
            return client.get(url, headers=a.operator).status_code == 200

        eventually(seen)
    return world
