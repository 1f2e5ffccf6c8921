"""The gateway's internal API, as pathways calls it: who a user of an organisation is (the
gateway owns users), asked before a pathway is assigned to them."""

from __future__ import annotations

import uuid

import httpx
from pydantic import ValidationError

from services.pathways.errors import GatewayUnavailable
from shared.contracts.gateway import StaffRef


class GatewayClient:
    def __init__(self, http: httpx.AsyncClient, gateway_url: str, token: str) -> None:
        self._http = http
        self._base = gateway_url.rstrip("/")
        self._token = token

    async def staff(self, organization_id: uuid.UUID, user_id: uuid.UUID) -> StaffRef | None:
        """``GET /internal/organizations/{id}/users/{user_id}``: None when the user is not one
        of the organisation's; 503 when the gateway does not answer (nothing changes on a
        guess)."""
        try:
            answer = await self._http.get(
                f"{self._base}/internal/organizations/{organization_id}/users/{user_id}",
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=5.0,
            )
        except httpx.HTTPError as error:
            raise GatewayUnavailable() from error
        if answer.status_code == 404:
            return None
        try:
            answer.raise_for_status()
            return StaffRef.model_validate_json(answer.content)
        except (httpx.HTTPError, ValidationError) as error:
            raise GatewayUnavailable() from error
