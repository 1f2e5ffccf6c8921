"""``GET /internal/beneficiaries/{id}/export``: what the gateway holds about a person, for intake's
GDPR export (architecture.md, "Export"). Internal like ``/internal/events``: the services' shared
token, not in the OpenAPI document; the proxy only forwards ``/api/v1/*``, so no public route
reaches it through a service.

What it answers, as lists (intake concatenates the lists of a person's merged ids):

- ``accounts``: the person's self-service app account (handle, organisation, roles, whether a
  password is set, created, changed, last sign-in, active); never the password hash.
- ``sessions``: the account's sign-ins (refresh-token chains: issued, expires, used, revoked);
  never the token hashes.
- ``sign_in_failures``: the account's counter of failed sign-ins, if one is running.
- ``webhook_deliveries``: each event about the person the gateway delivered (or is delivering) to
  an organisation's endpoint: the event, when, to which organisation, with what outcome. This is
  who received data about the person (GDPR art. 15(1)(c)); the payloads are ids and states whose
  content the owning services export in full, and the endpoints' URLs and secrets are the
  receiving organisation's, not the person's.
- ``access``: the gateway's copy of intake's access decision for the person.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends

from services.gateway.service import export as service
from shared.db import ReadSession
from shared.events import internal_auth

router = APIRouter(
    prefix="/internal", include_in_schema=False, dependencies=[Depends(internal_auth)]
)


@router.get("/beneficiaries/{beneficiary_id}/export")
async def export(beneficiary_id: uuid.UUID, session: ReadSession) -> dict[str, list[Any]]:
    return await service.export(session, beneficiary_id)
