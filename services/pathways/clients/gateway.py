"""The gateway's internal API, as pathways calls it: whether a user is an active operator of an
organisation (the gateway owns users; an appointment names its operator)."""

from __future__ import annotations

import uuid

import httpx
from pydantic import ValidationError

from services.pathways.errors import GatewayUnavailable
from shared.contracts.gateway import OperatorRef


class GatewayClient:
    def __init__(self, http: httpx.AsyncClient, gateway_url: str, token: str) -> None:
        self._http, self._base, self._token = http, gateway_url.rstrip("/"), token

    async def is_operator(self, organization_id: uuid.UUID, user_id: str) -> bool:
        """``GET /internal/organizations/{id}/operators/{user_id}``: False on 404 (or an id that
        is no user id); 503 when the gateway does not answer (nothing is stored on a guess)."""
        try:
            user = uuid.UUID(user_id)
        except ValueError:
            return False
        try:
            answer = await self._http.get(
                f"{self._base}/internal/organizations/{organization_id}/operators/{user}",
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=5.0,
            )
        except httpx.HTTPError as error:
            raise GatewayUnavailable() from error
        if answer.status_code == 404:
            return False
        try:
            answer.raise_for_status()
            OperatorRef.model_validate_json(answer.content)
        except (httpx.HTTPError, ValidationError) as error:
            raise GatewayUnavailable() from error
        return True
