"""Intake, as matching calls it: the identity part of a person's card for a referral."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from services.matching.errors import CardUnavailable


class IntakeClient:
    def __init__(self, http: httpx.AsyncClient, url: str, token: str) -> None:
        self._http, self._url, self._token = http, url, token

    async def card(self, beneficiary_id: uuid.UUID) -> dict[str, Any]:
        """The person's name and contact (``GET /internal/beneficiaries/{id}/card``); 503 when
        intake cannot answer."""
        try:
            answer = await self._http.get(
                f"{self._url}/internal/beneficiaries/{beneficiary_id}/card",
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=5.0,
            )
            answer.raise_for_status()
            identity: dict[str, Any] = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            raise CardUnavailable() from error
        return identity
