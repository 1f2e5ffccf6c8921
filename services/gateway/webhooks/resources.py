"""A subscription's ``payload: resource``: each delivery carries, beside the event's ids, the
resource it is about as the subscribing organisation may read it at the moment of the attempt.

The gateway reads it from the owning service with a token of its own for the subscriber
(``webhook:<subscription id>``, the roles ``partner_system`` and ``provider``), so every service
applies its usual rules: a consent withdrawn since the event, an erasure, a transfer and the
resource comes as ``null`` ("you may not read it now"). The read is logged in the person's access
log under that subject. A service that does not answer fails the attempt, which is retried like
any other, so a resource delivery never goes out without the resource it promises."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.gateway.edge.proxy import Upstreams
from services.gateway.service.auth import TokenIssuer
from services.gateway.service.cases import CaseReader, Unanswered
from services.gateway.webhooks.catalogue import WebhookEventType as T
from shared import clock
from shared.auth import PrincipalKind

# The resource an event is about: the service that owns it and the path, from the event's data.
# Events with none (an erasure, a merge: nothing is left to read) are absent.
RESOURCES: Mapping[str, tuple[str, str]] = {
    T.BENEFICIARY_REGISTERED: ("intake", "/api/v1/beneficiaries/{beneficiary_id}"),
    T.BENEFICIARY_UPDATED: ("intake", "/api/v1/beneficiaries/{beneficiary_id}"),
    T.CONSENT_GRANTED: (
        "intake",
        "/api/v1/beneficiaries/{beneficiary_id}/consents/{consent_id}",
    ),
    T.CONSENT_WITHDRAWN: (
        "intake",
        "/api/v1/beneficiaries/{beneficiary_id}/consents/{consent_id}",
    ),
    T.PATHWAY_OPENED: ("pathways", "/api/v1/pathways/{pathway_id}"),
    T.PATHWAY_STEP_RECORDED: ("pathways", "/api/v1/pathways/{pathway_id}"),
    T.PATHWAY_CLOSED: ("pathways", "/api/v1/pathways/{pathway_id}"),
    T.PATHWAY_REOPENED: ("pathways", "/api/v1/pathways/{pathway_id}"),
    T.RIGHTS_VIOLATION_DETECTED: ("pathways", "/api/v1/pathways/{pathway_id}"),
    T.REFERRAL_STATUS_CHANGED: ("matching", "/api/v1/referrals/{referral_id}"),
    T.TRANSFER_STATUS_CHANGED: ("intake", "/api/v1/transfers/{transfer_id}"),
    T.TASK_DUE: ("pathways", "/api/v1/tasks/{task_id}"),
    # A withdrawn offer comes as it is now: closed, a draft (null) or deleted (null).
    **dict.fromkeys(
        (T.OFFER_PUBLISHED, T.OFFER_UPDATED, T.OFFER_WITHDRAWN),
        ("matching", "/api/v1/offers/{offer_id}"),
    ),
    **dict.fromkeys(
        (T.SERVICE_POINT_PUBLISHED, T.SERVICE_POINT_UPDATED, T.SERVICE_POINT_CLOSED),
        ("matching", "/api/v1/service-points/{service_point_id}"),
    ),
}
# The roles an org admin may give its own system's client (partner_system and provider): the
# reader sees no more than such a client of the subscriber would, and a provider's subscription
# reads the referrals made to it.
READER_ROLES = ["partner_system", "provider"]


def resource_path(event_type: str, data: Mapping[str, Any]) -> tuple[str, str] | None:
    """The service and path of the resource ``data`` names, or None (no resource, or an id the
    event does not carry)."""
    found = RESOURCES.get(event_type)
    if found is None:
        return None
    service, template = found
    try:
        return service, template.format(**{key: str(value) for key, value in data.items()})
    except KeyError:
        return None


@dataclass(frozen=True)
class ResourceReader:
    upstreams: Upstreams
    issuer: TokenIssuer

    async def read(
        self,
        subscription_id: uuid.UUID,
        organization_id: uuid.UUID,
        event_type: str,
        data: Mapping[str, Any],
    ) -> dict[str, Any] | None:
        """The resource as the subscriber may read it now; None when it may not (or there is
        none). Raises Unanswered when the owning service does not answer."""
        target = resource_path(event_type, data)
        if target is None:
            return None
        token = await self.issuer.access_token(
            subject=f"webhook:{subscription_id}",
            kind=PrincipalKind.CLIENT,
            organization_id=organization_id,
            roles=READER_ROLES,
            beneficiary_id=None,
            now=clock.now(),
        )
        reader = CaseReader(self.upstreams, {"authorization": f"Bearer {token}"})
        status, body = await reader.fetch(*target)
        if status == 200:
            resource: dict[str, Any] = json.loads(body)
            return resource
        if status in (401, 403, 404, 410):
            return None
        raise Unanswered(target[0], timed_out=False)  # a 5xx: try again later
