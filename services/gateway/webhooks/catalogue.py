"""The webhook event catalogue: every type an organisation may subscribe to, who receives it and
what its ``data`` holds (ids and states only: a receiver reads anything more through the API,
where the usual access rules apply). ``docs/webhooks.md`` shows the same examples."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.contracts import matching


class WebhookEventType(StrEnum):
    BENEFICIARY_REGISTERED = "beneficiary.registered"
    BENEFICIARY_UPDATED = "beneficiary.updated"
    BENEFICIARY_MERGED = "beneficiary.merged"
    BENEFICIARY_ERASED = "beneficiary.erased"
    CONSENT_GRANTED = "consent.granted"
    CONSENT_WITHDRAWN = "consent.withdrawn"
    PATHWAY_OPENED = "pathway.opened"
    PATHWAY_STEP_RECORDED = "pathway.step_recorded"
    PATHWAY_CLOSED = "pathway.closed"
    PATHWAY_REOPENED = "pathway.reopened"
    RIGHTS_VIOLATION_DETECTED = "rights.violation_detected"
    REFERRAL_STATUS_CHANGED = "referral.status_changed"
    EMERGENCY_ACCESS_OPENED = "emergency_access.opened"
    EMERGENCY_ACCESS_CLOSED = "emergency_access.closed"
    TRANSFER_STATUS_CHANGED = "transfer.status_changed"
    TASK_DUE = "task.due"
    # matching's names (``shared.contracts.matching``)
    OFFER_PUBLISHED = matching.OFFER_PUBLISHED
    OFFER_UPDATED = matching.OFFER_UPDATED
    OFFER_WITHDRAWN = matching.OFFER_WITHDRAWN
    SERVICE_POINT_PUBLISHED = matching.SERVICE_POINT_PUBLISHED
    SERVICE_POINT_UPDATED = matching.SERVICE_POINT_UPDATED
    SERVICE_POINT_CLOSED = matching.SERVICE_POINT_CLOSED


PING = "webhook.ping"  # sent on request to one subscription, whatever its types

_PERSON = "5d7c0d5e-8c1a-4c3e-9f0b-2b1f3f7a9c11"
_OWNER = "0b8f3c52-51a4-4d57-8c0e-6f1e2d3c4b5a"
_PARTNER = "9a1e7f30-2c4d-4e8b-b6a5-3d2c1b0a9f8e"
_PATHWAY = "c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e0f"
_FOLLOW_UP = "7d8e9fa0-b1c2-4d3e-8f4a-5b6c7d8e9f01"
_OPERATOR = "8f0f3c1e-7a56-4d2b-9b8e-6b1c2d3e4f50"
_CLUSTER = "8e9f0a1b-2c3d-4e5f-a6b7-c8d9e0f1a2b3"
_OFFER = "4c5d6e7f-8091-4a2b-b4c5-d6e7f8091a2b"
_SERVICE_POINT = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
_CATALOGUE_AUDIENCE = (
    "the organisations that may read it when it happens: the provider and the members of the "
    "clusters it is published to that day, or every organisation when it is published to none"
)
_WITHDRAWN_AUDIENCE = (
    "the organisations that could read it until then (the provider and the members of its "
    "clusters, or every organisation when it was published to none); those who still read it "
    "after a change of its clusters get `{kind}.updated` instead"
)
_OFFER_STATE = {
    "offer_id": _OFFER,
    "organization_id": _PARTNER,
    "type": "training",
    "status": "open",
    "cluster_ids": [_CLUSTER],
    "seats": 12,
    "starts_on": "2026-04-13",
    "ends_on": "2026-06-26",
    "version": 1,
}
_SERVICE_POINT_STATE = {
    "service_point_id": _SERVICE_POINT,
    "organization_id": _PARTNER,
    "kind": "legal_aid",
    "tier": "low_threshold",
    "need_domains": ["documents_legal", "housing"],
    "territory_code": "ITI43",
    "access_mode": "drop_in",
    "status": "active",
    "cluster_ids": [_CLUSTER],
    "version": 1,
}
_EMERGENCY_AUDIENCE = "the organisation that registered the person, alone"
_EMERGENCY_ACCESS = {
    "emergency_access_id": "6e7f8091-a2b3-4c4d-96e7-f8091a2b3c4d",
    "beneficiary_id": _PERSON,
    "owner_organization_id": _OWNER,
    "organization_id": _PARTNER,
    "reason_code": "medical_emergency",
    "sections": ["contact", "identity"],
    "opened_at": "2026-03-02T09:15:00+00:00",
    "expires_at": "2026-03-03T09:15:00+00:00",
}


@dataclass(frozen=True)
class EventSpec:
    type: str
    description: str
    audience: str
    example: dict[str, Any]


def _spec(event: WebhookEventType, description: str, audience: str, /, **example: Any) -> EventSpec:
    """(Positional-only: ``kind``, ``type``, ... are fields of some examples.)"""
    return EventSpec(event.value, description, audience, example)


_PERSON_AUDIENCE = (
    "the organisation that registered the person and those the person shares any section with"
)
_PATHWAY_AUDIENCE = (
    "the organisation that registered the person and those the person shares the `pathway` "
    "section with"
)
T = WebhookEventType
CATALOGUE: dict[str, EventSpec] = {
    spec.type: spec
    for spec in (
        _spec(
            T.BENEFICIARY_REGISTERED,
            "A person was registered.",
            "the registering organisation",
            beneficiary_id=_PERSON,
            organization_id=_OWNER,
        ),
        _spec(
            T.BENEFICIARY_UPDATED,
            "A person's record changed; read it again through the API.",
            _PERSON_AUDIENCE,
            beneficiary_id=_PERSON,
            organization_id=_OWNER,
        ),
        _spec(
            T.BENEFICIARY_MERGED,
            "A duplicate record was merged into another; use `survivor_id` from now on.",
            _PERSON_AUDIENCE + " (of the merged record)",
            merged_id="7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918",
            survivor_id=_PERSON,
            organization_id=_OWNER,
        ),
        _spec(
            T.BENEFICIARY_ERASED,
            "A person's data was erased (GDPR): delete your copy.",
            _PERSON_AUDIENCE + " (until the erasure)",
            beneficiary_id=_PERSON,
            organization_id=_OWNER,
        ),
        _spec(
            T.CONSENT_GRANTED,
            "A person gave a consent (sharing with an organisation, matching, ...).",
            "the registering organisation and the organisation the consent names",
            consent_id="1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
            beneficiary_id=_PERSON,
            owner_organization_id=_OWNER,
            purpose="sharing",
            organization_id=_PARTNER,
            sections=["pathway", "profile"],
        ),
        _spec(
            T.CONSENT_WITHDRAWN,
            "A person withdrew a consent; a sharing ends at once.",
            "the registering organisation and the organisation the consent names",
            consent_id="1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
            beneficiary_id=_PERSON,
            owner_organization_id=_OWNER,
            purpose="sharing",
            organization_id=_PARTNER,
            sections=["pathway", "profile"],
        ),
        _spec(
            T.PATHWAY_OPENED,
            "A pathway was opened for a person.",
            _PATHWAY_AUDIENCE,
            pathway_id=_PATHWAY,
            beneficiary_id=_PERSON,
            organization_id=_OWNER,
        ),
        _spec(
            T.PATHWAY_STEP_RECORDED,
            "A step of the loop (assess, respond, monitor, adjust, verify_rights) was recorded.",
            _PATHWAY_AUDIENCE,
            pathway_id=_PATHWAY,
            beneficiary_id=_PERSON,
            organization_id=_OWNER,
            step="assess",
            cycle=1,
        ),
        _spec(
            T.PATHWAY_CLOSED,
            "A pathway was closed with an outcome.",
            _PATHWAY_AUDIENCE,
            pathway_id=_PATHWAY,
            beneficiary_id=_PERSON,
            organization_id=_OWNER,
            outcome="employed",
        ),
        _spec(
            T.PATHWAY_REOPENED,
            "A closed pathway was reopened where it stood (`stage`, `cycle`); the reason is in "
            "its timeline (`GET /api/v1/pathways/{id}/timeline`).",
            _PATHWAY_AUDIENCE,
            pathway_id=_PATHWAY,
            beneficiary_id=_PERSON,
            organization_id=_OWNER,
            stage="monitor",
            cycle=2,
        ),
        _spec(
            T.RIGHTS_VIOLATION_DETECTED,
            "A rights check found a violation; read the check through the API.",
            _PATHWAY_AUDIENCE,
            pathway_id=_PATHWAY,
            beneficiary_id=_PERSON,
            organization_id=_OWNER,
            violation_id="2a3b4c5d-6e7f-4809-9a1b-2c3d4e5f6a7b",
            forced_labour=False,
        ),
        _spec(
            T.REFERRAL_STATUS_CHANGED,
            "A referral (to an offer, or to a service point: `service_point_id`) was proposed or "
            "moved (accepted, rejected, enrolled, completed, dropped). "
            "`reason_code` says why Ponte ended it (`consent_withdrawn`, `access_ended`, "
            "`person_erased`, `person_declined`, `merged`); null when a party moved it. "
            "`cluster_id` is the cluster it was made in (one the offer or service point is "
            "published to and the referrer is a member of); null when none.",
            "the referring organisation (while it may see the person's profile) and the provider "
            "of the offer or service point (without `pathway_id` and `action_id`)",
            referral_id="3b4c5d6e-7f80-4912-a3b4-c5d6e7f8091a",
            beneficiary_id=_PERSON,
            offer_id="4c5d6e7f-8091-4a2b-b4c5-d6e7f8091a2b",
            service_point_id=None,
            organization_id=_OWNER,
            provider_organization_id=_PARTNER,
            cluster_id="8e9f0a1b-2c3d-4e5f-a6b7-c8d9e0f1a2b3",
            pathway_id=_PATHWAY,
            action_id="5d6e7f80-91a2-4b3c-85d6-e7f8091a2b3c",
            status="dropped",
            reason_code="consent_withdrawn",
        ),
        _spec(
            T.EMERGENCY_ACCESS_OPENED,
            "Another organisation broke the glass: it opened the person's record without consent, "
            "on the legal basis `reason_code`, for the `sections` named, until `expires_at`. The "
            "written reason is in `GET /api/v1/beneficiaries/{id}/emergency-access`.",
            _EMERGENCY_AUDIENCE,
            **_EMERGENCY_ACCESS,
            closed_at=None,
        ),
        _spec(
            T.EMERGENCY_ACCESS_CLOSED,
            "The organisation that broke the glass closed its emergency access before it expired: "
            "the sections closed at `closed_at`. (An access that simply expires sends nothing: "
            "`expires_at` was in `emergency_access.opened`.)",
            _EMERGENCY_AUDIENCE,
            **_EMERGENCY_ACCESS,
            closed_at="2026-03-02T11:40:00+00:00",
        ),
        _spec(
            T.TRANSFER_STATUS_CHANGED,
            "A request to move a person's case to another organisation was made (`pending`) or "
            "decided: `accepted` (the receiver now holds the record), `rejected` (by the "
            "receiver) or `cancelled` (by the sender, or by Ponte when the record was merged into "
            "another). The reasons are in `GET /api/v1/transfers/{transfer_id}`.",
            "the two organisations, the sending and the receiving one",
            transfer_id="6f708192-a3b4-4c5d-9e6f-708192a3b4c5",
            beneficiary_id=_PERSON,
            from_organization_id=_OWNER,
            to_organization_id=_PARTNER,
            status="pending",
            requested_at="2026-03-02T09:15:00+00:00",
            decided_at=None,
        ),
        # Built whole: its data has a ``kind`` of its own.
        EventSpec(
            T.TASK_DUE.value,
            "A task entered the list of what is due (a placement follow-up on its day, a permit "
            "60 days before it expires, an operator's own task on its date...), once per task; "
            "read it with `GET /api/v1/tasks/{task_id}`. Tasks that were already due more than a "
            "week before are not announced.",
            "the organisation running the pathway (or that created the task) while it may see the "
            "person's `pathway` section, alone",
            {
                "task_id": f"placement_follow_up.{_FOLLOW_UP}.2026-06-02",
                "kind": "placement_follow_up",
                "due_on": "2026-06-02",
                "organization_id": _OWNER,
                "pathway_id": _PATHWAY,
                "beneficiary_id": _PERSON,
                "assigned_to": _OPERATOR,
            },
        ),
        _spec(
            T.OFFER_PUBLISHED,
            "An offer became readable to your organisation: published open, moved out of its "
            "draft or reopened, or published to a cluster you are a member of. Ids and states "
            "only: read the rest with `GET /api/v1/offers/{offer_id}`.",
            _CATALOGUE_AUDIENCE + " (a draft: nobody)",
            **_OFFER_STATE,
        ),
        _spec(
            T.OFFER_UPDATED,
            "An open offer you read changed (its seats, dates, clusters, text...): read it again. "
            "Seats taken by enrolments send nothing (`seats_left` in the offer).",
            _CATALOGUE_AUDIENCE + ", before and after the change",
            **{**_OFFER_STATE, "seats": 10, "version": 2},
        ),
        _spec(
            T.OFFER_WITHDRAWN,
            "An offer you could read is no longer open to you: `reason` `closed`, `draft` (back "
            "to a draft), `deleted`, or `unshared` (no longer published to a cluster of yours).",
            _WITHDRAWN_AUDIENCE.format(kind="offer"),
            offer_id=_OFFER,
            organization_id=_PARTNER,
            type="training",
            reason="closed",
        ),
        _spec(
            T.SERVICE_POINT_PUBLISHED,
            "A service point became readable to your organisation: opened, reopened, or published "
            "to a cluster you are a member of. Ids, codes and states only: read the rest with "
            "`GET /api/v1/service-points/{service_point_id}`.",
            _CATALOGUE_AUDIENCE,
            **_SERVICE_POINT_STATE,
        ),
        _spec(
            T.SERVICE_POINT_UPDATED,
            "An active service point you read changed (its needs, tier, clusters, hours, "
            "contacts...): read it again.",
            _CATALOGUE_AUDIENCE + ", before and after the change",
            **{**_SERVICE_POINT_STATE, "tier": "intermediate", "version": 2},
        ),
        _spec(
            T.SERVICE_POINT_CLOSED,
            "A service point you could read is no longer open to you: `reason` `closed` (no new "
            "referrals; those made stay) or `unshared` (no longer published to a cluster of "
            "yours).",
            _WITHDRAWN_AUDIENCE.format(kind="service_point"),
            service_point_id=_SERVICE_POINT,
            organization_id=_PARTNER,
            kind="legal_aid",
            reason="closed",
        ),
    )
}


def body_of(event_type: str, timestamp: str, data: dict[str, Any]) -> dict[str, Any]:
    """The delivered JSON (Standard Webhooks' recommended shape)."""
    return {"type": event_type, "timestamp": timestamp, "data": data}
