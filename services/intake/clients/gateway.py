"""The gateway's internal API, as intake calls it: which emergency reasons an organisation is
entitled to, and whether an organisation exists (the gateway owns organisations)."""

from __future__ import annotations

import uuid

import httpx
from pydantic import ValidationError

from services.intake.errors import GatewayUnavailable
from shared.contracts.gateway import EmergencyEntitlement, OrganizationRef


class GatewayClient:
    def __init__(self, http: httpx.AsyncClient, gateway_url: str, token: str) -> None:
        self._http = http
        self._base = gateway_url.rstrip("/")
        self._token = token

    async def emergency_reasons(self, organization_id: uuid.UUID) -> frozenset[str]:
        """The reason codes the organisation may invoke. An unknown organisation is entitled to
        nothing; a gateway that does not answer opens nothing (503)."""
        url = f"{self._base}/internal/organizations/{organization_id}"
        try:
            answer = await self._http.get(
                f"{url}/emergency-entitlement",
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=5.0,
            )
        except httpx.HTTPError as error:
            raise GatewayUnavailable from error
        if answer.status_code == 404:
            return frozenset()
        try:
            answer.raise_for_status()
            found = EmergencyEntitlement.model_validate_json(answer.content)
        except (httpx.HTTPError, ValidationError) as error:
            raise GatewayUnavailable from error
        return frozenset(found.reason_codes)

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
            raise GatewayUnavailable from error
        if answer.status_code == 404:
            return False
        try:
            answer.raise_for_status()
            OrganizationRef.model_validate_json(answer.content)
        except (httpx.HTTPError, ValidationError) as error:
            raise GatewayUnavailable from error
        return True
