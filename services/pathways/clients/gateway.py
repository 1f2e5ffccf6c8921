"""The gateway's internal API, as pathways calls it: whether a user is an active case worker of
an organisation (the gateway owns users), before a task is given to them."""

from __future__ import annotations

import uuid

import httpx
from pydantic import ValidationError

from services.pathways.errors import GatewayUnavailable
from shared.auth import Role
from shared.contracts.gateway import Member

# Who may be given a task: the organisation's own people who follow cases.
ASSIGNABLE_ROLES = frozenset({Role.OPERATOR.value, Role.ORG_ADMIN.value})


class GatewayClient:
    def __init__(self, http: httpx.AsyncClient, gateway_url: str, token: str) -> None:
        self._http, self._base, self._token = http, gateway_url.rstrip("/"), token

    async def is_assignable(self, organization_id: uuid.UUID, user_id: str) -> bool:
        """Whether ``user_id`` names an active operator or org admin of the organisation. Not a
        user id, or not its user: False; a gateway that does not answer gives nobody anything
        (503)."""
        try:
            user = uuid.UUID(user_id)
        except ValueError:
            return False
        url = f"{self._base}/internal/organizations/{organization_id}/members/{user}"
        try:
            answer = await self._http.get(
                url, headers={"Authorization": f"Bearer {self._token}"}, timeout=5.0
            )
        except httpx.HTTPError as error:
            raise GatewayUnavailable() from error
        if answer.status_code == 404:
            return False
        try:
            answer.raise_for_status()
            found = Member.model_validate_json(answer.content)
        except (httpx.HTTPError, ValidationError) as error:
            raise GatewayUnavailable() from error
        return (
            found.active
            and found.organization_id == organization_id
            and not ASSIGNABLE_ROLES.isdisjoint(found.roles)
        )
