"""What the merged OpenAPI document says of itself beyond the operations: the tags, declared in
the order a reader meets them with what each groups, the server (the deployment the document is
read from), the contact and the licence. A tag an operation uses without a line here fails the
merge, so the document never names a group it does not explain."""

from __future__ import annotations

from typing import Any, Final

from services.gateway.edge.openapi_headers import with_headers
from services.gateway.webhooks.openapi import webhooks_section

TAGS: Final[dict[str, str]] = {
    "auth": "Tokens (OAuth 2: password, client credentials, refresh), the caller's identity, the "
    "signing keys and the discovery documents.",
    "problems": "The catalogue of problem types: what each error body's `type` URI means, "
    "served at that URI.",
    "status": "Whether each service is up.",
    "organizations": "The organisations of the platform and their territories.",
    "users": "Staff accounts of an organisation: roles, invitations, deactivation.",
    "clients": "API clients of partner systems (client credentials), least privilege.",
    "beneficiaries": "The people: registration (single or batch), search, sync, changes, "
    "merges, erasure and export.",
    "consents": "What a person agreed to share, with which organisation, and its withdrawal; "
    "emergency access.",
    "documents": "A person's documents: upload, scanning, download, expiry.",
    "qualifications": "A person's qualifications and their recognition.",
    "notes": "Case notes, by section, visible as the person's consent allows.",
    "transfers": "A person moving from one organisation to another.",
    "jobs": "Asynchronous batches: a large batch registration or upsert, its progress and its "
    "results per item.",
    "cases": "The case view: one person's record, pathway, referrals and tasks in one read.",
    "pathways": "The individual pathway: opening, assignment, closing and reopening.",
    "pathway steps": "The loop: assess, respond (actions), monitor, adjust, verify rights.",
    "appointments": "Appointments with a person, and whether they came.",
    "tasks": "The day's work: tasks and reminders, what falls due.",
    "projects": "Funded projects, their participants and participants' feedback.",
    "reports": "Indicators for funders and coordinators, protected against small counts: "
    "JSON or CSV.",
    "offers": "Training, courses, internships and jobs published by cluster members.",
    "matching": "Suitable offers for a person, and people for an offer, explained.",
    "referrals": "A person referred to an offer or a service point, followed to its end.",
    "service points": "Where services are given (Open Referral HSDS): tiers, hours, access.",
    "clusters": "The cluster of organisations of a territory: members, commitments, dashboard.",
    "territories": "Territories (NUTS, LAU), their profiles and the territorial analysis.",
    "taxonomy": "ESCO skills and occupations: search and reading free text.",
    "code lists": "The codes every field uses, with their labels in five languages.",
    "self-service": "A person's own app: their profile, pathway, appointments and referrals.",
    "webhooks": "Subscriptions to events, signed deliveries, and the event catalogue.",
}
SERVERS: Final = [{"url": "/", "description": "this deployment (where the document was read)"}]
CONTACT: Final = {"name": "Ponte maintainers"}
LICENSE: Final = {"name": "EUPL-1.2", "identifier": "EUPL-1.2"}


def described(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with its tags declared (those its operations use, in ``TAGS``'s order),
    its server, contact and licence, the headers its answers carry (changed in place), and the
    webhooks Ponte sends."""
    webhooks = webhooks_section()
    with_headers(document.get("paths", {}), document.get("components", {}).get("parameters", {}))
    used = {
        tag
        for item in document.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags", [])
    }
    unknown = used - TAGS.keys()
    if unknown:
        raise ValueError(f"tags without a description in openapi_tags.TAGS: {sorted(unknown)}")
    info = {**document.get("info", {}), "contact": CONTACT, "license": LICENSE}
    tags = [{"name": name, "description": text} for name, text in TAGS.items() if name in used]
    return {**document, "info": info, "servers": SERVERS, "tags": tags, "webhooks": webhooks}
