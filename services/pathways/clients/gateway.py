"""The gateway's internal API, as pathways calls it: who a user of an organisation is (the
gateway owns users), asked before a pathway is assigned to them or an appointment names them."""

from __future__ import annotations

import uuid

import httpx
from pydantic import ValidationError

from services.pathways.domain.assignment import assignee_problem
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

    async def is_operator(self, organization_id: uuid.UUID, user_id: str) -> bool:
        """Whether ``user_id`` is an active operator or org admin of the organisation (what a
        pathway's assignee and an appointment's operator must be); 503 when it cannot tell."""
        try:
            user = uuid.UUID(user_id)
        except ValueError:
            return False  # no user has such an id
        return assignee_problem(await self.staff(organization_id, user)) is None
