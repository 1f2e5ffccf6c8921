"""The gateway's internal API, as matching calls it: whether an organisation exists (the gateway
owns organisations; a cluster names them as coordinator, members and pledgers)."""

from __future__ import annotations

import uuid

import httpx
from pydantic import ValidationError

from services.matching.errors import GatewayUnavailable
from shared.contracts.gateway import OrganizationRef


class GatewayClient:
    def __init__(self, http: httpx.AsyncClient, gateway_url: str, token: str) -> None:
        self._http = http
        self._base = gateway_url.rstrip("/")
        self._token = token

    async def organization_exists(self, organization_id: uuid.UUID) -> bool:
        """``GET /internal/organizations/{id}``: False on 404; 503 when the gateway does not
        answer (nothing is written on a guess)."""
        try:
            answer = await self._http.get(
                f"{self._base}/internal/organizations/{organization_id}",
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=5.0,
            )
        except httpx.HTTPError as error:
            raise GatewayUnavailable() from error
        if answer.status_code == 404:
            return False
        try:
            answer.raise_for_status()
            OrganizationRef.model_validate_json(answer.content)
        except (httpx.HTTPError, ValidationError) as error:
            raise GatewayUnavailable() from error
        return True
